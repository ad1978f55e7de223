package io.twlab.grading;

import io.twlab.scenario.Run;
import java.time.Instant;
import java.util.List;

/** An experiment graded: each run with its verdicts; it passed when every run succeeded and every verdict held. */
public record GradeReport(String experiment, String labId, Instant startedAt, Instant finishedAt, List<StepGrade> steps) {

  public GradeReport {
    steps = List.copyOf(steps);
  }

  public boolean passed() {
    return steps.stream().allMatch(StepGrade::passed);
  }

  /** One run of the experiment and its verdicts. */
  public record StepGrade(Run run, List<Verdict> verdicts) {
    public StepGrade {
      verdicts = List.copyOf(verdicts);
    }

    public boolean passed() {
      return run.error().isEmpty() && verdicts.stream().allMatch(Verdict::passed);
    }
  }
}
