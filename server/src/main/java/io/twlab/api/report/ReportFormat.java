package io.twlab.api.report;

import io.twlab.core.Bounded;
import io.twlab.core.InvalidArgumentException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The forms a graded job is reported in, each the one a grading platform reads natively. */
public enum ReportFormat {
  /** Gradescope's results.json. */
  GRADESCOPE("application/json"),
  /** PrairieLearn's external grader results.json. */
  PRAIRIELEARN("application/json"),
  /** The result JSON of GitHub Classroom's autograding runners (base64 it into the step's `result` output). */
  GITHUB_CLASSROOM("application/json"),
  /** Autolab's autograder output: feedback lines, then the scores JSON on the last line. */
  AUTOLAB("text/plain"),
  /** JUnit XML, as CodeGrade and CI systems read it. */
  JUNIT("application/xml");

  public final String contentType;

  ReportFormat(String contentType) {
    this.contentType = contentType;
  }

  /** As requests spell it: gradescope, prairielearn, github-classroom, autolab, junit. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static ReportFormat of(String field, String id) {
    String asked = id == null ? "" : id.trim();
    return Arrays.stream(values()).filter(f -> f.id().equals(asked.toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new InvalidArgumentException(field, Bounded.quote(asked) + " is not one of " + ids()));
  }

  public static String ids() {
    return Arrays.stream(values()).map(ReportFormat::id).collect(Collectors.joining(", "));
  }
}
