package io.twlab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.scenario.Run;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.testing.SampleRuns;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's packets are kept with it, and only the newest captured runs keep theirs. */
class RunCapturesStoreTest {
  private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");

  @Test
  void theNewestHundredCapturedRunsKeepTheirPackets(@TempDir Path dir) {
    try (SqliteRunStore store = SqliteRunStore.open(dir, 1_000, BuiltInScenarios.catalog().outcomeTypes())) {
      for (int i = 0; i < 101; i++) {
        Run run = SampleRuns.finished("run-" + i, "lab-1", "port-exhaustion", T0.plusSeconds(i));
        store.save(run, Map.of(), SampleRuns.timeline(run));
        store.saveCapture(run.id(), "client", new byte[] {(byte) i});
        store.saveCapture(run.id(), "server", new byte[] {(byte) -i});
      }
      assertTrue(store.capture("run-0", "client").isEmpty(), "the oldest captured run lost its packets");
      assertEquals(List.of(), store.capturedNodes("run-0"));
      assertTrue(store.find("run-0").isPresent(), "the run itself stays in the history");
      assertArrayEquals(new byte[] {1}, store.capture("run-1", "client").orElseThrow());
      assertEquals(List.of("client", "server"), store.capturedNodes("run-100"));
    }
  }
}
