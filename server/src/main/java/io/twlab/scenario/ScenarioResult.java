package io.twlab.scenario;

import io.twlab.core.KernelCounters;
import java.util.Map;

/**
 * What a run measured: one human sentence, the typed figures, the kernel counters that moved on
 * each node during the run, and the sysctls read back from the nodes the run added to the lab.
 */
public record ScenarioResult(String summary, ScenarioOutcome outcome, Map<String, KernelCounters> counters,
    Map<String, Map<String, String>> runNodeSysctls) {
  public ScenarioResult {
    counters = Map.copyOf(counters);
    runNodeSysctls = Map.copyOf(runNodeSysctls);
  }

  public ScenarioResult(String summary, ScenarioOutcome outcome) {
    this(summary, outcome, Map.of(), Map.of());
  }
}
