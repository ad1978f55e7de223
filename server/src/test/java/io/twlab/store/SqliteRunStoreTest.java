package io.twlab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.Caller;
import io.twlab.core.Limits;
import io.twlab.core.TcpState;
import io.twlab.core.Tenant;
import io.twlab.event.LabEvent;
import io.twlab.grading.Comparison;
import io.twlab.grading.Comparison.Op;
import io.twlab.grading.Expectation;
import io.twlab.grading.Expectation.Sequence;
import io.twlab.grading.Expectation.StateCount;
import io.twlab.grading.Verdict;
import io.twlab.scenario.Run;
import io.twlab.scenario.RunState;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.testing.SampleRuns;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history on a real SQLite file: what goes in comes back equal, after the store is reopened. */
class SqliteRunStoreTest {
  private static final Caller ADMIN = Caller.admin("admin");
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123456789Z");

  @TempDir
  Path dataDir;

  @Test
  void aRunItsTimelineAndItsVerdictsComeBackEqualAfterReopening() {
    Run run = SampleRuns.finished("run-1", "lab-a", "port-exhaustion", T0);
    List<LabEvent> timeline = SampleRuns.timeline(run);
    Map<String, Map<String, String>> sysctls = Map.of("client", Map.of("net.ipv4.tcp_tw_reuse", "1"));
    List<Verdict> verdicts = List.of(
        new Verdict(new Expectation.StateCount("narrow-client", TcpState.TIME_WAIT,
            new Comparison(Comparison.Op.AT_LEAST, 100, 0), Expectation.StateCount.When.PEAK), Verdict.Outcome.PASSED, true, "100", ""),
        new Verdict(new Expectation.Sequence("client", List.of(TcpState.FIN_WAIT1, TcpState.TIME_WAIT)),
            Verdict.Outcome.ERROR, false, "no connection", "cannot be judged: a hole"));

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
  void aRunIsKeptFromItsAcceptanceAndTheNextServerFindsItInterrupted() {
    Run accepted = Run.started("run-1", "lab-a", Tenant.NOBODY, "redis-flood",
        BuiltInScenarios.catalog().byName("redis-flood").descriptor().resolve(Map.of()), T0, 7);
    Map<String, Map<String, String>> sysctls = Map.of("client", Map.of("net.ipv4.tcp_tw_reuse", "1"));
    try (SqliteRunStore store = SqliteRunStore.open(dataDir, 10, BuiltInScenarios.catalog().outcomeTypes())) {
      store.accepted(accepted, sysctls);
      store.save(SampleRuns.finished("run-2", "lab-b", "nc-timewait", T0.plusSeconds(1)), Map.of(), List.of());
      assertEquals(List.of("run-2", "run-1"), ids(store.list(ADMIN, new RunQuery("", "", "", 0, 10))));
      assertEquals(RunState.RUNNING, store.find("run-1").orElseThrow().run().state());
    }
    try (SqliteRunStore store = SqliteRunStore.open(dataDir, 10, BuiltInScenarios.catalog().outcomeTypes())) {
      List<Run> interrupted = store.interruptUnfinished("interrupted: the server died", T0.plusSeconds(60));
      assertEquals(List.of("run-1"), interrupted.stream().map(Run::id).toList(), "only the run in progress");
      RecordedRun found = store.find("run-1").orElseThrow();
      assertEquals(RunState.INTERRUPTED, found.run().state());
      assertEquals(Optional.of("interrupted: the server died"), found.run().error());
      assertEquals(Optional.of(T0.plusSeconds(60)), found.run().finishedAt());
      assertEquals(sysctls, found.sysctls());
      assertEquals(List.of(), store.interruptUnfinished("again", T0.plusSeconds(61)), "once");
    }
  }

  @Test
  void listsNewestFirstFilteredAndPagedAndKeepsOnlyTheNewestRuns() {
    try (SqliteRunStore store = SqliteRunStore.open(dataDir, 3, BuiltInScenarios.catalog().outcomeTypes())) {
      for (int i = 1; i <= 4; i++) {
        store.save(SampleRuns.finished("run-" + i, i % 2 == 0 ? "lab-even" : "lab-odd", "nc-timewait", T0.plusSeconds(i)),
            Map.of(), List.of());
      }
      assertEquals(List.of("run-4", "run-3", "run-2"), ids(store.list(ADMIN, new RunQuery("", "", "", 0, 10))));
      assertEquals(List.of("run-3"), ids(store.list(ADMIN, new RunQuery("lab-odd", "", "", 0, 10))));
      assertEquals(List.of("run-3"), ids(store.list(ADMIN, new RunQuery("", "", "", 1, 1))));
      assertTrue(store.list(ADMIN, new RunQuery("", "redis-flood", "", 0, 10)).isEmpty());
      assertEquals(Optional.empty(), store.find("run-1"), "the oldest run beyond the 3 kept is gone");
    }
  }

  @Test
  void listsOnlyWhatTheCallerSees() {
    try (SqliteRunStore store = SqliteRunStore.open(dataDir, 10, BuiltInScenarios.catalog().outcomeTypes())) {
      store.save(SampleRuns.finished("run-a", "lab-a", new Tenant("student-a", "workshop-1"), "nc-timewait",
          T0.plusSeconds(1)), Map.of(), List.of());
      store.save(SampleRuns.finished("run-b", "lab-b", new Tenant("student-b", "workshop-1"), "nc-timewait",
          T0.plusSeconds(2)), Map.of(), List.of());
      store.save(SampleRuns.finished("run-c", "lab-c", new Tenant("student-c", "workshop-2"), "nc-timewait",
          T0.plusSeconds(3)), Map.of(), List.of());
      RunQuery all = new RunQuery("", "", "", 0, 10);

      assertEquals(List.of("run-a"), ids(store.list(
          new Caller(new Tenant("student-a", "workshop-1"), false, Set.of(), Limits.SEAT, Set.of(), false), all)));
      assertEquals(List.of("run-b", "run-a"), ids(store.list(
          new Caller(new Tenant("instructor-1", ""), false, Set.of("workshop-1"), Limits.NONE, Set.of(), false), all)));
      assertEquals(List.of(), ids(store.list(
          new Caller(new Tenant("instructor-3", ""), false, Set.of(), Limits.NONE, Set.of(), false), all)));
      assertEquals(List.of("run-c", "run-b", "run-a"), ids(store.list(ADMIN, all)));
      assertEquals(new Tenant("student-b", "workshop-1"), store.find("run-b").orElseThrow().run().tenant());
    }
  }

  private static List<String> ids(List<RecordedRun> runs) {
    return runs.stream().map(r -> r.run().id()).toList();
  }

}
