package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LoadReport;
import io.twlab.proto.v1.V1.NodeCounters;
import io.twlab.proto.v1.V1.PortExhaustionResult;
import io.twlab.proto.v1.V1.RedisFloodResult;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.V1.TwBucketsResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** S2, S3 and S5 (docs/kernel-facts.md §3): short connections, the TIME_WAIT they leave, and the limits they hit. */
class ShortConnectionsIT {
  private static final String OVERFLOW_LOG_LINE = "time wait bucket table overflow";
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void redisFloodLeavesThousandsOfTimeWaitOnTheClientAndNoneOnRedis() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());

    ScenarioResult result = twlab.run(lab, "redis-flood", Map.of("connections", "10000"));
    RedisFloodResult flood = result.getRedisFlood();
    assertEquals(10_000, flood.getLoad().getSucceeded(), result.getSummary());
    assertTrue(flood.getTimeWaitPeakOrDefault("client", 0) >= 8_000, result.getSummary());
    assertEquals(0, flood.getTimeWaitPeakOrDefault("server", -1), result.getSummary());
    assertTrue(flood.getSeriesCount() >= 4, "TIME_WAIT sampled over time");
    assertTrue(counter(result, "client", "TcpExtTW") >= 10_000, result.getCountersList().toString());

    ScenarioResult nc = twlab.runOverHttp(lab, "redis-flood", Map.of("generator", "nc", "connections", "300"));
    assertEquals("nc", nc.getRedisFlood().getLoad().getGenerator());
    assertEquals(300, nc.getRedisFlood().getLoad().getSucceeded(), nc.getSummary());

    ScenarioResult benchmark = twlab.run(lab, "redis-flood", Map.of("generator", "redis-benchmark", "connections", "3000"));
    LoadReport load = benchmark.getRedisFlood().getLoad();
    assertEquals(3_000, load.getSucceeded(), benchmark.getSummary());
    // One connection per request (-k 0): one TIME_WAIT each. (Its rate is a benchmark figure, not a test's.)
    assertTrue(counter(benchmark, "client", "TcpExtTW") >= 3_000, benchmark.getCountersList().toString());
  }

  @Test
  void aNarrowPortRangeFailsWithCannotAssignRequestedAddressOnceEveryPortIsInTimeWait() {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());

    ScenarioResult result = twlab.run(lab, "port-exhaustion", Map.of("ports", "100", "connections", "200"));
    PortExhaustionResult r = result.getPortExhaustion();
    assertEquals(101, r.getLoad().getFirstFailure(), result.getSummary());
    assertEquals(100, r.getLoad().getSucceeded());
    assertEquals(Map.of("EADDRNOTAVAIL", 100L), r.getLoad().getErrorsMap());
    assertEquals("Cannot assign requested address", r.getFirstErrorMessage());
    // Read from the kernel at the moment of the failure: every port is held, nearly all in TIME_WAIT;
    // the last connection closed may still wait for redis' FIN.
    Map<String, Integer> held = r.getLoad().getSocketsAtFirstFailureMap();
    assertEquals(100, held.values().stream().mapToInt(Integer::intValue).sum(), held.toString());
    assertTrue(r.getTimeWaitAtFirstFailure() >= 99, held.toString());
    assertTrue(Set.of("TIME_WAIT", "FIN_WAIT1", "FIN_WAIT2", "CLOSING").containsAll(held.keySet()), held.toString());
    assertTrue(result.getSummary().contains("at that moment 100 of the client's sockets held a port ("
        + r.getTimeWaitAtFirstFailure() + " in TIME_WAIT"), result.getSummary());
    assertTrue(r.getNcMessage().endsWith("Cannot assign requested address"), r.getNcMessage());
    assertTrue(r.getRedisCliMessage().startsWith("Could not connect to Redis at ")
        && r.getRedisCliMessage().endsWith("Cannot assign requested address"), r.getRedisCliMessage());
  }

  @Test
  void maxTwBucketsCapsTimeWaitAndConnectionsStillSucceed() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());

    long loggedBefore = kernelLogLines(OVERFLOW_LOG_LINE);
    ScenarioResult result = twlab.run(lab, "tw-buckets", Map.of("buckets", "10", "connections", "300"));
    TwBucketsResult r = result.getTwBuckets();
    assertEquals(loggedBefore, kernelLogLines(OVERFLOW_LOG_LINE),
        "the articles' log line: Linux 6.18 logs no overflow, only the counter moves (the scenario says so)");
    assertEquals(300, r.getLoad().getSucceeded(), result.getSummary());
    assertTrue(r.getTimeWaitPeak() > 0 && r.getTimeWaitPeak() <= 10, result.getSummary());
    assertEquals(290, r.getTimeWaitOverflow(), result.getSummary());
    assertEquals(Map.of(), r.getLoad().getErrorsMap(), "the capped client's 100 ports were enough");
    // The control: the same 100 ports without the cap run out once TIME_WAIT holds them all.
    assertEquals("40000-40099", r.getPortRange());
    assertEquals("control-client", r.getControl().getNode());
    assertEquals(100, r.getControl().getSucceeded(), result.getSummary());
    assertEquals(101, r.getControl().getFirstFailure(), result.getSummary());
    assertEquals(Map.of("EADDRNOTAVAIL", 200L), r.getControl().getErrorsMap(), result.getSummary());
    assertTrue(result.getSummary().contains("the control client without the cap connected 100 of 300, then connection "
        + "101 failed: EADDRNOTAVAIL"), result.getSummary());
    for (String node : List.of("bucket-client", "control-client")) {
      assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.lab=" + lab.getId(),
          "--filter", "label=io.twlab.node=" + node), "the run's own node " + node + " is removed when it ends");
    }
  }

  /** The host kernel's log lines holding {@code text} (the lab's kernel is the host's). */
  private static long kernelLogLines(String text) throws IOException, InterruptedException {
    Process dmesg = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
    String log = new String(dmesg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, dmesg.waitFor(), "dmesg must be readable (run the tests as root): " + log);
    return log.lines().filter(l -> l.contains(text)).count();
  }

  static long counter(ScenarioResult result, String node, String name) {
    return result.getCountersList().stream().filter(c -> c.getNode().equals(node)).findFirst()
        .map(NodeCounters::getDeltasMap).map(m -> m.getOrDefault(name, 0L)).orElse(0L);
  }
}
