package io.twlab.grading;

import io.twlab.grading.Mark.Visibility;
import io.twlab.grading.Verdict.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * A submission marked: each check with its points, or why the submission could not be marked at
 * all ({@code error}: the job failed, was cancelled, ran out of time). A check that could not be
 * judged (an {@link Outcome#ERROR}) makes the whole card ungradable: never a silent zero.
 */
public record Scorecard(List<Check> checks, double maxScore, String error) {
  /** The name of the one check that stands for every check a student may not see yet. */
  public static final String HIDDEN = "hidden checks";

  public Scorecard {
    checks = List.copyOf(checks);
  }

  /** A check marked: what it expected, what the kernel did, the points it earned of its maximum. */
  public record Check(String name, String kind, double points, double maxPoints, Outcome outcome, String observed,
      String reason, String feedback, Visibility visibility) {}

  /** A submission that could not be marked: nothing is scored, {@code why} says what happened. */
  public static Scorecard unmarked(double maxScore, String why) {
    return new Scorecard(List.of(), maxScore, why);
  }

  /**
   * The card of an experiment made from an assignment and graded: each run's verdicts, in the
   * order of its expectations, with their marks.
   */
  public static Scorecard of(Experiment experiment, GradeReport report) {
    List<Check> checks = new ArrayList<>();
    for (int i = 0; i < experiment.steps().size(); i++) {
      List<Experiment.Expect> expects = experiment.steps().get(i).expects();
      List<Verdict> verdicts = report.steps().get(i).verdicts();
      for (int j = 0; j < expects.size(); j++) {
        Mark mark = expects.get(j).mark();
        Verdict v = verdicts.get(j);
        checks.add(new Check(mark.name().isEmpty() ? v.expectation().describe() : mark.name(), v.expectation().kind(),
            v.passed() ? mark.points() : 0, mark.points(), v.outcome(), v.observed(), v.reason(),
            v.passed() ? "" : mark.feedback(), mark.visibility()));
      }
    }
    return new Scorecard(checks, checks.stream().mapToDouble(Check::maxPoints).sum(), "");
  }

  public double score() {
    return checks.stream().mapToDouble(Check::points).sum();
  }

  /** Every check was judged: the score means something. */
  public boolean gradable() {
    return error.isEmpty() && checks.stream().noneMatch(c -> c.outcome() == Outcome.ERROR);
  }

  /** Why it is not gradable: the job's error, or the first check that could not be judged. */
  public String whyUngradable() {
    return !error.isEmpty() ? error : checks.stream().filter(c -> c.outcome() == Outcome.ERROR)
        .map(c -> c.name() + ": " + c.reason()).findFirst().orElse("");
  }

  /**
   * What a student sees: checks hidden from them (and, before the due date, those shown after it)
   * are folded into one check, {@value #HIDDEN}, that keeps their points and says nothing else.
   */
  public Scorecard forStudent(boolean pastDue) {
    List<Check> shown = new ArrayList<>();
    List<Check> folded = new ArrayList<>();
    for (Check c : checks) {
      boolean hidden = c.visibility() == Visibility.HIDDEN || c.visibility() == Visibility.AFTER_DUE_DATE && !pastDue;
      (hidden ? folded : shown).add(c);
    }
    if (!folded.isEmpty()) {
      Outcome outcome = folded.stream().anyMatch(c -> c.outcome() == Outcome.ERROR) ? Outcome.ERROR
          : folded.stream().allMatch(c -> c.outcome() == Outcome.PASSED) ? Outcome.PASSED : Outcome.FAILED;
      double points = folded.stream().mapToDouble(Check::points).sum();
      double max = folded.stream().mapToDouble(Check::maxPoints).sum();
      shown.add(new Check(HIDDEN, "hidden", points, max, outcome, folded.size() + " check(s) you see "
          + (folded.stream().allMatch(c -> c.visibility() == Visibility.HIDDEN) ? "only as this total" : "after the due date"),
          outcome == Outcome.ERROR ? "cannot be judged: observation missed something; submit again" : "", "",
          Visibility.HIDDEN));
    }
    return new Scorecard(shown, maxScore, error);
  }
}
