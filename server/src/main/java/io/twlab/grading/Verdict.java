package io.twlab.grading;

/** An expectation graded: whether it held, what was observed, and if it failed, why. */
public record Verdict(Expectation expectation, boolean passed, String observed, String reason) {

  static Verdict pass(Expectation e, String observed) {
    return new Verdict(e, true, observed, "");
  }

  static Verdict fail(Expectation e, String observed, String reason) {
    return new Verdict(e, false, observed, reason);
  }
}
