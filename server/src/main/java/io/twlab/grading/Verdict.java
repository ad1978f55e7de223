package io.twlab.grading;

/**
 * An expectation graded: whether it held, failed, or could not be judged (ERROR: observation of the
 * run had a hole where the expectation looks, so the kernel may have done what was expected
 * unseen), what was observed, and why it did not pass. {@code passed} repeats {@code outcome ==
 * PASSED} because verdicts recorded before outcomes existed carry only it.
 */
public record Verdict(Expectation expectation, Outcome outcome, boolean passed, String observed, String reason) {

  public enum Outcome { PASSED, FAILED, ERROR }

  public Verdict {
    if (outcome == null) {
      outcome = passed ? Outcome.PASSED : Outcome.FAILED;
    }
    passed = outcome == Outcome.PASSED;
  }

  static Verdict pass(Expectation e, String observed) {
    return new Verdict(e, Outcome.PASSED, true, observed, "");
  }

  static Verdict fail(Expectation e, String observed, String reason) {
    return new Verdict(e, Outcome.FAILED, false, observed, reason);
  }

  /** This failure cannot be judged: {@code hole} says what observation missed. */
  Verdict unjudgeable(String hole) {
    return new Verdict(expectation, Outcome.ERROR, false, observed, "cannot be judged: " + hole
        + " (the observer missed something, not the kernel; run it again)");
  }
}
