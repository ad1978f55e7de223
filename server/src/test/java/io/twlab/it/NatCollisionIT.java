package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LoadReport;
import io.twlab.proto.v1.V1.NatCollisionCase;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * S9 (docs/kernel-facts.md §3) and the NAT path of the others. NAT collisions vary from run to run, so only
 * what is stable is asserted: PAWS rejections need timestamps, every attempt is accounted for.
 */
class NatCollisionIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void pawsRejectionsOnlyWithTimestampsAndTheResultSaysTwRecycleIsGone() {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("nat").setClients(1).build());

    ScenarioResult result = twlab.run(lab, "nat-collision", Map.of("clients", "2", "connections", "40"));
    NatCollisionCase on = result.getNatCollision().getCases(0);
    NatCollisionCase off = result.getNatCollision().getCases(1);
    assertTrue(on.getTimestamps() && !off.getTimestamps());
    assertTrue(on.getPawsTimewait() > 0, "redis' TIME_WAIT rejects older timestamps: " + result.getSummary());
    assertEquals(0, off.getPawsTimewait(), "no timestamps, no PAWS: " + result.getSummary());
    // The capture on redis shows what PAWS does to a connect: it is delayed, not failed.
    assertTrue(on.getChallengedConnects() > 0, result.getSummary());
    assertEquals(List.of("in S", "out .", "in R", "in S", "out S."), on.getChallengeExampleList().stream()
        .map(p -> p.getDirection() + " " + p.getFlags()).toList());
    assertTrue(on.getChallengeExample(3).getAtSeconds() < 1.0,
        "a typical challenged connect sends its SYN again at once, not after the 1 s SYN timeout: "
            + on.getChallengeExampleList());
    assertTrue(result.getSummary().contains("timestamps on: " + on.getLoadsList().stream()
        .mapToLong(LoadReport::getSucceeded).sum() + "/80 connected, " + on.getTimeouts() + " timeouts, "
        + on.getChallengedConnects() + " connects met redis' TIME_WAIT"), result.getSummary());
    for (NatCollisionCase c : result.getNatCollision().getCasesList()) {
      assertEquals(2, c.getLoadsCount());
      for (LoadReport load : c.getLoadsList()) {
        assertEquals(40, load.getAttempted());
        assertEquals(load.getAttempted(), load.getSucceeded() + load.getFailed());
      }
      assertTrue(c.getInsertFailed() >= 0 && c.getTimeouts() >= 0);
    }
    assertTrue(result.getNatCollision().getExplanation().contains("removed in Linux 4.12"));
    assertTrue(result.getSummary().contains("tcp_tw_recycle no longer exists"));

    long insertFailed = result.getNatCollision().getCasesList().stream().mapToLong(NatCollisionCase::getInsertFailed).sum();
    assertEquals(insertFailed > 0, gatewayStreamedInsertFailures(lab), "the gateway streams conntrack statistics");

    ScenarioResult linger = twlab.run(lab, "linger-rst", Map.of("close", "linger0", "port", "8700"));
    assertEquals("ECONNRESET", linger.getLingerRst().getCases(0).getPeerEnd(), "RST crosses the NAT too");
  }

  private static boolean gatewayStreamedInsertFailures(Lab lab) {
    Iterator<LabEvent> events = twlab.grpc().withDeadlineAfter(5, TimeUnit.SECONDS).watchLab(WatchLabRequest.newBuilder()
        .setLabId(lab.getId()).addNodes("gateway").setDetail(WatchDetail.WATCH_DETAIL_AGGREGATED).build());
    try {
      while (events.hasNext()) {
        LabEvent e = events.next();
        if (e.hasCounters() && e.getCounters().getDeltasOrDefault("conntrack.insert_failed", 0) > 0) {
          return true;
        }
      }
    } catch (StatusRuntimeException deadline) {
      // the retained events hold none
    }
    return false;
  }
}
