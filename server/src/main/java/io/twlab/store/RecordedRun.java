package io.twlab.store;

import io.twlab.grading.Verdict;
import io.twlab.scenario.Run;
import java.util.List;
import java.util.Map;

/**
 * A run as the history keeps it: the run (parameters, state, result), the sysctls its lab's nodes
 * had, and when an experiment graded it, the experiment's name and the verdicts.
 */
public record RecordedRun(Run run, Map<String, Map<String, String>> sysctls, String experiment, List<Verdict> verdicts) {
  public RecordedRun {
    sysctls = Map.copyOf(sysctls);
    verdicts = List.copyOf(verdicts);
  }

  /** A run that is not (yet) in the history. */
  public static RecordedRun of(Run run) {
    return new RecordedRun(run, Map.of(), "", List.of());
  }

  public boolean graded() {
    return !experiment.isEmpty();
  }
}
