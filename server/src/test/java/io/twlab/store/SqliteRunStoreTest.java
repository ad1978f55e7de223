package io.twlab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.KernelCounters;
import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.ConnectionTransition;
import io.twlab.event.EventPayload.LabStatusChanged;
import io.twlab.event.EventPayload.RunFinished;
import io.twlab.event.EventPayload.RunProgress;
import io.twlab.event.EventPayload.StateCounts;
import io.twlab.event.LabEvent;
import io.twlab.grading.Comparison;
import io.twlab.grading.Comparison.Op;
import io.twlab.grading.Expectation;
import io.twlab.grading.Expectation.Sequence;
import io.twlab.grading.Expectation.StateCount;
import io.twlab.grading.Verdict;
import io.twlab.lab.LabStatus;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.LoadReport.Latency;
import io.twlab.scenario.Run;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.scenario.builtin.PortExhaustion;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history on a real SQLite file: what goes in comes back equal, after the store is reopened. */
class SqliteRunStoreTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123456789Z");

  @TempDir
  Path dataDir;

  @Test
  void aRunItsTimelineAndItsVerdictsComeBackEqualAfterReopening() {
    Run run = finished("run-1", "lab-a", "port-exhaustion", T0);
    List<LabEvent> timeline = List.of(
        new LabEvent(7, "lab-a", T0, new EventPayload.RunProgress("run-1", "port-exhaustion", "load", "go", 0, 10)),
        new LabEvent(8, "lab-a", T0.plusMillis(5), new EventPayload.ConnectionTransition(new SocketChange("client",
            T0.plusMillis(5), new SocketKey("10.0.0.2:40000", "10.0.0.3:6379"), TcpState.FIN_WAIT2, TcpState.TIME_WAIT,
            Optional.of(Duration.ofMillis(59_750)), true))),
        new LabEvent(9, "lab-a", T0.plusMillis(6), new EventPayload.StateCounts("client", Map.of(TcpState.TIME_WAIT, 1))),
        new LabEvent(10, "lab-a", T0.plusMillis(7), new EventPayload.LabStatusChanged(LabStatus.READY, "ready")),
        new LabEvent(11, "lab-a", T0.plusSeconds(1), new EventPayload.RunFinished(run)));
    Map<String, Map<String, String>> sysctls = Map.of("client", Map.of("net.ipv4.tcp_tw_reuse", "1"));
    List<Verdict> verdicts = List.of(
        new Verdict(new Expectation.StateCount("narrow-client", TcpState.TIME_WAIT,
            new Comparison(Comparison.Op.AT_LEAST, 100, 0), Expectation.StateCount.When.PEAK), true, "100", ""),
        new Verdict(new Expectation.Sequence("client", List.of(TcpState.FIN_WAIT1, TcpState.TIME_WAIT)), false,
            "no connection", "expected one"));

    try (SqliteRunStore store = SqliteRunStore.open(dataDir, 10, BuiltInScenarios.catalog().outcomeTypes())) {
      store.save(run, sysctls, timeline);
      store.grade("run-1", "exhaust", verdicts);
    }
    try (SqliteRunStore store = SqliteRunStore.open(dataDir, 10, BuiltInScenarios.catalog().outcomeTypes())) {
      assertEquals(Optional.of(new RecordedRun(run, sysctls, "exhaust", verdicts)), store.find("run-1"));
      assertEquals(timeline, store.timeline("run-1"));
      assertEquals(Optional.empty(), store.find("run-2"));
      assertEquals(List.of(), store.timeline("run-2"));
    }
  }

  @Test
  void listsNewestFirstFilteredAndPagedAndKeepsOnlyTheNewestRuns() {
    try (SqliteRunStore store = SqliteRunStore.open(dataDir, 3, BuiltInScenarios.catalog().outcomeTypes())) {
      for (int i = 1; i <= 4; i++) {
        store.save(finished("run-" + i, i % 2 == 0 ? "lab-even" : "lab-odd", "nc-timewait", T0.plusSeconds(i)),
            Map.of(), List.of());
      }
      assertEquals(List.of("run-4", "run-3", "run-2"), ids(store.list(new RunQuery("", "", "", 0, 10))));
      assertEquals(List.of("run-3"), ids(store.list(new RunQuery("lab-odd", "", "", 0, 10))));
      assertEquals(List.of("run-3"), ids(store.list(new RunQuery("", "", "", 1, 1))));
      assertTrue(store.list(new RunQuery("", "redis-flood", "", 0, 10)).isEmpty());
      assertEquals(Optional.empty(), store.find("run-1"), "the oldest run beyond the 3 kept is gone");
    }
  }

  private static List<String> ids(List<RecordedRun> runs) {
    return runs.stream().map(r -> r.run().id()).toList();
  }

  private static Run finished(String id, String lab, String scenario, Instant started) {
    LoadReport load = new LoadReport("narrow-client", "twlab-conn", 300, 100, 200, 1.5,
        Map.of("EADDRNOTAVAIL", 200L), Map.of("EADDRNOTAVAIL", "Cannot assign requested address"), 101,
        new LoadReport.Latency(0.1, 0.2, 0.3, 0.4, 0.5), Map.of("lt1ms", 100L), Optional.empty());
    ScenarioOutcome outcome = new PortExhaustion.Outcome("40000-40099", 100, load, "EADDRNOTAVAIL",
        "Cannot assign requested address", 100, "nc: x", "redis: y", Optional.of(61.2));
    ScenarioResult result = new ScenarioResult("100 worked", outcome,
        Map.of("narrow-client", new KernelCounters(Map.of("TcpExtTWRecycled", 0L))),
        Map.of("narrow-client", Map.of("net.ipv4.ip_local_port_range", "40000 40099")));
    return Run.started(id, lab, scenario, new ScenarioParams(Map.of("ports", "100")), started, 6)
        .succeeded(result, started.plusSeconds(1));
  }
}
