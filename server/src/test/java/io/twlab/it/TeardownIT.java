package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.BindAttempt;
import io.twlab.proto.v1.V1.CloseWaitLeakResult;
import io.twlab.proto.v1.V1.FinTimeoutResult;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LingerCase;
import io.twlab.proto.v1.V1.LostFinalAckCase;
import io.twlab.proto.v1.V1.ScenarioResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** S6, S7, S8, S10 and S11 (docs/kernel-facts.md §3) in one direct lab: how each side of a close behaves. */
class TeardownIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();
  private static Lab lab;

  @BeforeAll
  static void start() {
    lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
  }

  @Test
  void lingerZeroSendsRstLeavesNoTimeWaitAndResetsThePeer() throws Exception {
    ScenarioResult result = twlab.runOverHttp(lab, "linger-rst", Map.of("port", "8200"));
    List<LingerCase> cases = result.getLingerRst().getCasesList();
    LingerCase normal = cases.get(0);
    assertEquals("normal", normal.getClose());
    assertTrue(normal.getFinSent() && !normal.getRstSent() && normal.getTimeWaitSeen(), result.getSummary());
    assertEquals("eof", normal.getPeerEnd());
    LingerCase abort = cases.get(1);
    assertEquals("linger0", abort.getClose());
    assertTrue(abort.getRstSent() && !abort.getFinSent() && !abort.getTimeWaitSeen(), result.getSummary());
    assertEquals("ECONNRESET", abort.getPeerEnd());
    assertEquals("Connection reset by peer", abort.getPeerMessage());
    assertTrue(abort.getPacketsList().stream().anyMatch(p -> p.getDirection().equals("out") && p.getFlags().startsWith("R")));
  }

  @Test
  void closeWaitPilesUpOnTheServerAndOrphanedFinWait2EndsAfterFinTimeout() {
    ScenarioResult result = twlab.run(lab, "close-wait-leak", Map.of("fin-timeout", "5", "port", "8300"));
    CloseWaitLeakResult r = result.getCloseWaitLeak();
    assertEquals(20, r.getCloseWaitOnServer(), result.getSummary());
    assertEquals(20, r.getFinWait2OnClients(), result.getSummary());
    assertTrue(r.getFinWait2Seconds() >= 4.8 && r.getFinWait2Seconds() <= 6.5, result.getSummary());
    assertEquals(20, r.getCloseWaitAtEnd(), "CLOSE_WAIT never times out");
  }

  @Test
  void heldFinWait2HasNoTimerAndAServerOutOfFilesLeavesConnectionsInTheListenQueue() {
    ScenarioResult result = twlab.run(lab, "close-wait-leak",
        Map.of("client-close", "held", "fin-timeout", "3", "nofile", "16", "port", "8310"));
    CloseWaitLeakResult r = result.getCloseWaitLeak();
    assertEquals(20, r.getFinWait2OnClients(), "held FIN_WAIT_2 outlives tcp_fin_timeout: " + result.getSummary());
    assertEquals(20, r.getCloseWaitAtEnd(), result.getSummary());
    assertTrue(r.getAcceptErrorsOrDefault("EMFILE", 0) > 0, result.getSummary());
    assertEquals("Too many open files", r.getAcceptErrorMessage());
    assertTrue(r.getListenQueue() > 0, result.getSummary());
    long serverResets = result.getCountersList().stream().filter(c -> c.getNode().equals("server")).findFirst()
        .map(c -> c.getDeltasOrDefault("TcpOutRsts", 0)).orElse(0L);
    assertTrue(serverResets >= r.getListenQueue(), "closing the listener resets the connections never accepted: "
        + result.getCountersList());
  }

  @Test
  void aRestartedListenerBindsOnlyWhenBothItAndTheOldOneHadSoReuseaddr() {
    ScenarioResult result = twlab.run(lab, "listener-restart", Map.of("port", "8400"));
    List<BindAttempt> attempts = result.getListenerRestart().getAttemptsList();
    assertEquals(8, attempts.size());
    attempts.forEach(a -> assertEquals(3, a.getTimeWaitOnPort(), "the server closed first: TIME_WAIT on its port"));
    for (BindAttempt a : attempts) {
      boolean expected = a.getOldReuseaddr() && a.getReuseaddr();
      assertEquals(expected, a.getBound(), a.getProgram() + " " + a + result.getSummary());
      if (!a.getBound()) {
        assertTrue(a.getError().contains("Address already in use"), a.getError());
      }
    }
  }

  @Test
  void aLostFinalAckIsAnsweredFromTimeWaitAndWithoutTimeWaitTheRetransmittedFinMeetsAnRst() {
    ScenarioResult result = twlab.run(lab, "lost-final-ack", Map.of("observe-seconds", "4", "port", "8500"));
    LostFinalAckCase withTimeWait = result.getLostFinalAck().getCases(0);
    assertTrue(withTimeWait.getClientTimeWait() && !withTimeWait.getClientRst(), result.getSummary());
    assertTrue(withTimeWait.getFinRetransmitsCount() >= 3, result.getSummary());
    assertTrue(withTimeWait.getFinRetransmits(0) > 0.15 && withTimeWait.getFinRetransmits(0) < 0.6, result.getSummary());
    assertTrue(withTimeWait.getClientAcks() >= 3, "TIME_WAIT re-acknowledges each FIN: " + result.getSummary());
    assertTrue(result.getSummary().contains("the client sent " + withTimeWait.getClientAcks() + " ACKs, all dropped (its "
        + "final ACK and " + (withTimeWait.getClientAcks() - 1) + " re-sent"), result.getSummary());
    assertTrue(withTimeWait.getClientTimerAtEnd() > withTimeWait.getTimerWithoutRestart() + 1,
        "each retransmitted FIN restarts the TIME_WAIT timer: " + result.getSummary());
    assertTrue(withTimeWait.getLastAckSeconds() > 4, result.getSummary());

    LostFinalAckCase noTimeWait = result.getLostFinalAck().getCases(1);
    assertEquals(0, noTimeWait.getClientMaxTwBuckets());
    assertTrue(noTimeWait.getClientRst() && !noTimeWait.getClientTimeWait(), result.getSummary());
    assertTrue(noTimeWait.getLastAckSeconds() < 2, result.getSummary());
  }

  @Test
  void finTimeoutBoundsOrphanedFinWait2ButNotTimeWait() {
    ScenarioResult result = twlab.run(lab, "fin-timeout", Map.of("fin-timeout", "3", "port", "8600"));
    FinTimeoutResult r = result.getFinTimeout();
    assertTrue(r.getFinWait2Seconds() >= 2.8 && r.getFinWait2Seconds() <= 4.5, result.getSummary());
    assertTrue(r.getTimeWaitTimerAtEntry() >= 59, result.getSummary());
    assertFalse(r.getTimeWaitSeconds() > 0, "expiry is not awaited by default");
  }
}
