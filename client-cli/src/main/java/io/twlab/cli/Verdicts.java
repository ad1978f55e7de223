package io.twlab.cli;

import io.twlab.proto.v1.V1.RunGrade;
import io.twlab.proto.v1.V1.Verdict;
import io.twlab.proto.v1.V1.VerdictOutcome;
import java.util.List;

/** How the CLI shows and counts verdicts: passed, failed, or could not be judged (error). */
final class Verdicts {
  /** Exit code of a grade or sweep in which some expectation could not be judged, but none failed. */
  static final int UNJUDGED = 4;

  private Verdicts() {}

  /** A verdict from a server older than outcomes carries only {@code passed}. */
  static VerdictOutcome outcome(Verdict v) {
    if (v.getOutcome() != VerdictOutcome.VERDICT_OUTCOME_UNSPECIFIED) {
      return v.getOutcome();
    }
    return v.getPassed() ? VerdictOutcome.VERDICT_OUTCOME_PASSED : VerdictOutcome.VERDICT_OUTCOME_FAILED;
  }

  static boolean failed(Verdict v) {
    return outcome(v) == VerdictOutcome.VERDICT_OUTCOME_FAILED;
  }

  static boolean error(Verdict v) {
    return outcome(v) == VerdictOutcome.VERDICT_OUTCOME_ERROR;
  }

  /** pass, FAIL or ERROR. */
  static String label(Verdict v) {
    return switch (outcome(v)) {
      case VERDICT_OUTCOME_FAILED -> "FAIL";
      case VERDICT_OUTCOME_ERROR -> "ERROR";
      default -> "pass";
    };
  }

  /** 0: every expectation held; 1: one failed; {@link #UNJUDGED}: none failed but one could not be judged. */
  static int exitCode(List<RunGrade> runs) {
    List<Verdict> all = runs.stream().flatMap(r -> r.getVerdictsList().stream()).toList();
    if (all.stream().anyMatch(Verdicts::failed)) {
      return 1;
    }
    return all.stream().anyMatch(Verdicts::error) ? UNJUDGED : 0;
  }

  /** "2 failed, 1 could not be judged", or "none failed". */
  static String tally(List<RunGrade> runs) {
    List<Verdict> all = runs.stream().flatMap(r -> r.getVerdictsList().stream()).toList();
    long failed = all.stream().filter(Verdicts::failed).count();
    long errors = all.stream().filter(Verdicts::error).count();
    return (failed == 0 && errors == 0) ? "none failed"
        : failed + " failed" + (errors > 0 ? ", " + errors + " could not be judged (run again)" : "");
  }
}
