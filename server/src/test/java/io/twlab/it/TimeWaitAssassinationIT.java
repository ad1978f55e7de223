package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.ConnectionTransition;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.NcTimeWaitResult;
import io.twlab.proto.v1.V1.NodeConfig;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.TimeWaitEnd;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TIME_WAIT assassination (RFC 1337) on the real kernel: S1 with a late SYN from the server's old
 * port. The client's TIME_WAIT answers with an ACK, the server's kernel answers that with an RST,
 * and the RST kills the TIME_WAIT; the stream says so, with the cause. With tcp_rfc1337=1 on the
 * client the same RST is ignored and the TIME_WAIT stays.
 */
class TimeWaitAssassinationIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void anRstFromThePeerKillsTheTimeWaitUnlessRfc1337IsOn() throws Exception {
    CompletableFuture<Lab> protectedLab = CompletableFuture.supplyAsync(() -> twlab.createLab(LabSpec.newBuilder()
        .setTopology("direct")
        .putNodes("client", NodeConfig.newBuilder().putSysctls("net.ipv4.tcp_rfc1337", "1").build()).build()));
    Lab defaults = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());

    Run killed = lateSyn(defaults);
    NcTimeWaitResult result = killed.getResult().getNcTimeWait();
    assertEquals(TimeWaitEnd.TIME_WAIT_END_RESET, result.getTimeWaitEnd(), killed.getResult().getSummary());
    assertTrue(killed.getResult().getSummary().contains("the RST killed the TIME_WAIT"), killed.getResult().getSummary());
    List<ConnectionTransition> client = clientSide(killed, result.getClientConnection());
    assertEquals(List.of(TcpState.TCP_STATE_FIN_WAIT2, TcpState.TCP_STATE_TIME_WAIT, TcpState.TCP_STATE_CLOSED),
        client.subList(client.size() - 3, client.size()).stream().map(ConnectionTransition::getTo).toList(),
        "the client's close: " + client);
    ConnectionTransition end = client.get(client.size() - 1);
    assertEquals(TimeWaitEnd.TIME_WAIT_END_RESET, end.getTimeWaitEnd(), end.toString());
    assertTrue(end.getTraced(), "the end carries the traced RST's time");

    Run survived = lateSyn(protectedLab.get());
    NcTimeWaitResult kept = survived.getResult().getNcTimeWait();
    assertEquals(TimeWaitEnd.TIME_WAIT_END_UNSPECIFIED, kept.getTimeWaitEnd(), survived.getResult().getSummary());
    assertTrue(survived.getResult().getSummary().contains("survived"), survived.getResult().getSummary());
    assertFalse(clientSide(survived, kept.getClientConnection()).stream()
        .anyMatch(t -> t.getFrom() == TcpState.TCP_STATE_TIME_WAIT), "tcp_rfc1337=1 ignored the RST");
  }

  private static Run lateSyn(Lab lab) {
    Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("nc-timewait").putParams("late-syn", "true").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    return run;
  }

  /** The client's transitions of the run's connection, from the run's timeline. */
  private static List<ConnectionTransition> clientSide(Run run, String connection) {
    String local = connection.substring(0, connection.indexOf(" -> "));
    Iterator<LabEvent> timeline = twlab.grpc().watchLab(WatchLabRequest.newBuilder().setRunId(run.getId()).build());
    List<ConnectionTransition> client = new ArrayList<>();
    while (timeline.hasNext()) {
      LabEvent event = timeline.next();
      if (event.hasTransition() && event.getTransition().getNode().equals("client")
          && event.getTransition().getLocal().equals(local)) {
        client.add(event.getTransition());
      }
    }
    return client;
  }
}
