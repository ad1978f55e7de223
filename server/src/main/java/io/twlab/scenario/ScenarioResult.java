package io.twlab.scenario;

import io.twlab.observe.KernelCounters;
import java.util.Map;

/**
 * What a run measured: one human sentence, the typed figures, and the kernel counters that moved
 * on each node during the run.
 */
public record ScenarioResult(String summary, ScenarioOutcome outcome, Map<String, KernelCounters> counters) {
  public ScenarioResult {
    counters = Map.copyOf(counters);
  }

  public ScenarioResult(String summary, ScenarioOutcome outcome) {
    this(summary, outcome, Map.of());
  }
}
