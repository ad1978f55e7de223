package io.twlab.api.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twlab.app.Courses.JobView;
import io.twlab.grading.Job;
import io.twlab.grading.Mark.Visibility;
import io.twlab.grading.Scorecard;
import io.twlab.grading.Scorecard.Check;
import io.twlab.grading.Verdict.Outcome;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A job's result in each grading platform's own format. A check that could not be judged, or a job
 * that could not be graded at all, is said to be so in every format (PrairieLearn: not gradable;
 * GitHub Classroom: error; Autolab: no score for it; JUnit: an error; Gradescope, which has no
 * such state: "NOT GRADED" in the output): never a silent zero.
 */
public final class PlatformReports {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String NOT_GRADED = "NOT GRADED: twlab could not judge this submission, so this is not a grade: ";

  private PlatformReports() {
  }

  /** A report: its media type and its text. */
  public record Report(ReportFormat format, String contentType, String body) {}

  /** The job's report; a job not finished yet is refused by the caller before this. */
  public static Report render(ReportFormat format, JobView view) {
    Scorecard card = view.card().orElseGet(() -> Scorecard.unmarked(view.assignment().assignment().maxPoints(),
        view.job().error().isEmpty() ? "the job did not finish" : view.job().error()));
    String body = switch (format) {
      case GRADESCOPE -> gradescope(view, card);
      case PRAIRIELEARN -> prairielearn(card);
      case GITHUB_CLASSROOM -> githubClassroom(card);
      case AUTOLAB -> autolab(card);
      case JUNIT -> junit(view, card);
    };
    return new Report(format, format.contentType, body);
  }

  private static String gradescope(JobView view, Scorecard card) {
    ObjectNode root = JSON.createObjectNode();
    root.put("score", card.gradable() ? card.score() : 0);
    seconds(view.job()).ifPresent(s -> root.put("execution_time", s));
    root.put("output", card.gradable() ? summary(card) : NOT_GRADED + card.whyUngradable());
    root.put("visibility", "visible");
    root.put("stdout_visibility", "hidden");
    ArrayNode tests = root.putArray("tests");
    for (Check c : card.checks()) {
      ObjectNode t = tests.addObject();
      t.put("name", c.name());
      t.put("score", c.points());
      t.put("max_score", c.maxPoints());
      t.put("status", c.outcome() == Outcome.PASSED ? "passed" : "failed");
      t.put("output", text(c));
      t.put("visibility", c.visibility() == Visibility.VISIBLE ? "visible" : c.visibility().id());
    }
    root.putObject("extra_data").put("twlab_job", view.job().id()).put("gradable", card.gradable());
    return write(root);
  }

  private static String prairielearn(Scorecard card) {
    ObjectNode root = JSON.createObjectNode();
    root.put("gradable", card.gradable());
    if (!card.gradable()) {
      root.putArray("format_errors").add(NOT_GRADED + card.whyUngradable() + "; submit again (this attempt does not count)");
    }
    root.put("score", card.gradable() && card.maxScore() > 0 ? card.score() / card.maxScore() : 0);
    root.put("message", card.gradable() ? summary(card) : NOT_GRADED + card.whyUngradable());
    ArrayNode tests = root.putArray("tests");
    for (Check c : card.checks()) {
      tests.addObject().put("name", c.name()).put("points", c.points()).put("max_points", c.maxPoints())
          .put("message", c.outcome() == Outcome.PASSED ? "passed" : c.feedback().isEmpty() ? c.reason() : c.feedback())
          .put("output", text(c));
    }
    return write(root);
  }

  private static String githubClassroom(Scorecard card) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("status", !card.gradable() ? "error" : card.score() == card.maxScore() ? "pass" : "fail");
    root.put("max_score", card.maxScore());
    ArrayNode tests = root.putArray("tests");
    for (Check c : card.checks()) {
      tests.addObject().put("name", c.name()).put("status", switch (c.outcome()) {
        case PASSED -> "pass";
        case FAILED -> "fail";
        case ERROR -> "error";
      }).put("score", c.points()).put("message", text(c)).put("test_code", c.kind()).put("filename", "")
          .put("line_no", 0);
    }
    if (card.checks().isEmpty()) {
      tests.addObject().put("name", "twlab grading").put("status", "error").put("score", 0)
          .put("message", NOT_GRADED + card.whyUngradable()).put("test_code", "").put("filename", "").put("line_no", 0);
    }
    return write(root);
  }

  /** Autolab reads the last line: {"scores": {problem: points}}; a check not judged gets no score at all. */
  private static String autolab(Scorecard card) {
    StringBuilder out = new StringBuilder();
    if (!card.gradable()) {
      out.append(NOT_GRADED).append(card.whyUngradable()).append('\n');
    }
    ObjectNode scores = JSON.createObjectNode();
    for (Check c : card.checks()) {
      out.append(c.outcome() == Outcome.PASSED ? "PASS  " : c.outcome() == Outcome.FAILED ? "FAIL  " : "NOT JUDGED  ")
          .append(c.name()).append(": ").append(text(c).replace('\n', ' ')).append('\n');
      if (c.outcome() != Outcome.ERROR) {
        scores.put(c.name(), c.points());
      }
    }
    ObjectNode last = JSON.createObjectNode();
    last.set("scores", scores);
    last.putArray("scoreboard").add(card.gradable() ? card.score() : 0);
    return out.append(last.toString()).append('\n').toString();
  }

  private static String junit(JobView view, Scorecard card) {
    long failures = card.checks().stream().filter(c -> c.outcome() == Outcome.FAILED).count();
    long errors = card.checks().stream().filter(c -> c.outcome() == Outcome.ERROR).count() + (card.error().isEmpty() ? 0 : 1);
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.append("<testsuites>\n  <testsuite name=\"").append(xml(view.assignment().assignment().name()))
        .append("\" tests=\"").append(card.checks().size() + (card.error().isEmpty() ? 0 : 1))
        .append("\" failures=\"").append(failures).append("\" errors=\"").append(errors).append("\" time=\"")
        .append(String.format(Locale.ROOT, "%.3f", seconds(view.job()).orElse(0.0))).append("\">\n");
    x.append("    <properties>\n      <property name=\"twlab.job\" value=\"").append(xml(view.job().id())).append("\"/>\n")
        .append("      <property name=\"score\" value=\"").append(number(card.score())).append("\"/>\n")
        .append("      <property name=\"max_score\" value=\"").append(number(card.maxScore())).append("\"/>\n    </properties>\n");
    for (Check c : card.checks()) {
      x.append("    <testcase classname=\"twlab.").append(xml(c.kind())).append("\" name=\"").append(xml(c.name())).append("\">");
      if (c.outcome() == Outcome.FAILED) {
        x.append("<failure message=\"").append(xml(c.reason())).append("\">").append(xml(text(c))).append("</failure>");
      } else if (c.outcome() == Outcome.ERROR) {
        x.append("<error message=\"").append(xml(c.reason())).append("\">").append(xml(text(c))).append("</error>");
      }
      x.append("<system-out>").append(number(c.points())).append(" of ").append(number(c.maxPoints()))
          .append(" points</system-out></testcase>\n");
    }
    if (!card.error().isEmpty()) {
      x.append("    <testcase classname=\"twlab\" name=\"grading\"><error message=\"").append(xml(card.error()))
          .append("\"/></testcase>\n");
    }
    return x.append("  </testsuite>\n</testsuites>\n").toString();
  }

  /** What a student reads about a check: what the kernel did, why it failed and the instructor's feedback. */
  private static String text(Check c) {
    StringBuilder s = new StringBuilder(c.observed());
    if (!c.reason().isEmpty()) {
      s.append(s.isEmpty() ? "" : "; ").append(c.reason());
    }
    if (!c.feedback().isEmpty()) {
      s.append(s.isEmpty() ? "" : "\n").append(c.feedback());
    }
    return s.toString();
  }

  private static String summary(Scorecard card) {
    long passed = card.checks().stream().filter(c -> c.outcome() == Outcome.PASSED).count();
    return number(card.score()) + " of " + number(card.maxScore()) + " points; " + passed + " of " + card.checks().size()
        + " checks passed, as the kernel showed it (twlab)";
  }

  private static Optional<Double> seconds(Job job) {
    return job.startedAt().flatMap(s -> job.finishedAt().map(f -> Duration.between(s, f).toMillis() / 1000.0));
  }

  private static String number(double n) {
    return n == Math.rint(n) ? String.valueOf((long) n) : String.valueOf(n);
  }

  static String xml(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(c -> {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> {
          if (c >= 0x20 || c == '\n' || c == '\t') {
            out.appendCodePoint(c);
          }
        }
      }
    });
    return out.toString();
  }

  private static String write(ObjectNode root) {
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values always writes", e);
    }
  }
}
