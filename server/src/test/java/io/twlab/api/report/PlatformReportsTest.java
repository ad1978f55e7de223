package io.twlab.api.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.twlab.app.Courses;
import io.twlab.grading.Assignment;
import io.twlab.grading.AssignmentReader;
import io.twlab.grading.Job;
import io.twlab.grading.Mark.Visibility;
import io.twlab.grading.Scorecard;
import io.twlab.grading.Scorecard.Check;
import io.twlab.grading.Verdict.Outcome;
import io.twlab.store.CourseStore.StoredAssignment;
import io.twlab.sysctl.SysctlPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * Every report format, for a graded job, one with a check that could not be judged, and one that
 * could not be graded at all, is valid by the schema written from its platform's specification
 * (examples/platforms/schemas/), and says "not graded" where it must.
 */
public class PlatformReportsTest {
  private static final Path SCHEMAS = Path.of("..", "examples", "platforms", "schemas");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  private static final List<Check> CHECKS = List.of(
      new Check("the server holds one TIME_WAIT", "count", 0, 3, Outcome.FAILED, "server TIME_WAIT peaked at 0",
          "expected == 1", "The side that sends the first FIN holds TIME_WAIT.", Visibility.VISIBLE),
      new Check("the client holds none", "count", 1, 1, Outcome.PASSED, "client TIME_WAIT peaked at 0", "", "",
          Visibility.VISIBLE),
      new Check("the server closes actively", "sequence", 2, 2, Outcome.PASSED, "one went ... FIN_WAIT2", "", "",
          Visibility.HIDDEN),
      new Check("no TIME_WAIT was skipped", "counter", 0, 1, Outcome.FAILED, "moved by 1", "expected == 0", "skipped",
          Visibility.AFTER_DUE_DATE));

  static JsonSchema schema(String file) throws IOException {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(JSON.readTree(SCHEMAS.resolve(file).toFile()));
  }

  public static void assertValid(String file, JsonNode document) throws IOException {
    var errors = schema(file).validate(document);
    assertTrue(errors.isEmpty(), file + ": " + errors + " in " + document);
  }

  private static Courses.JobView view(Optional<Scorecard> card, Job.State state, String error) throws IOException {
    String text = Files.readString(Path.of("..", "examples", "course", "closer.assignment.yaml"));
    Assignment assignment = AssignmentReader.read(text, new SysctlPolicy());
    StoredAssignment stored = new StoredAssignment("assignment-1", 1, assignment.name(), "instructor-1", "",
        assignment.dueAt(), NOW, text);
    Job job = Job.queued("job-1", "assignment-1", 1, "platform-1", "s-42", NOW, "settings: {}").running(NOW.plusSeconds(1));
    job = card.map(c -> Job.State.GRADED).orElse(state) == Job.State.GRADED
        ? job.graded(card.orElseThrow(), List.of("run-1"), NOW.plusSeconds(5)) : job.ended(state, error, NOW.plusSeconds(5));
    return new Courses.JobView(job, 0, "", card, new Courses.Published(stored, assignment, false, Map.of()));
  }

  private static List<Courses.JobView> views() throws IOException {
    Scorecard graded = new Scorecard(CHECKS, 7, "").forStudent(false);
    Scorecard unjudged = new Scorecard(List.of(CHECKS.get(1), new Check("the server closes actively", "sequence", 0, 2,
        Outcome.ERROR, "the run failed", "cannot be judged: observation missed changes", "", Visibility.VISIBLE)), 3, "");
    return List.of(view(Optional.of(graded), Job.State.GRADED, ""), view(Optional.of(unjudged), Job.State.GRADED, ""),
        view(Optional.empty(), Job.State.FAILED, "not graded: it ran out of its time limit of 5 minutes"));
  }

  @Test
  void aStudentSeesHiddenChecksOnlyAsOneTotalUntilTheDueDateShowsTheRest() {
    Scorecard card = new Scorecard(CHECKS, 7, "");
    Scorecard before = card.forStudent(false);
    assertEquals(List.of("the server holds one TIME_WAIT", "the client holds none", Scorecard.HIDDEN),
        before.checks().stream().map(Check::name).toList());
    Check hidden = before.checks().get(2);
    assertEquals(2, hidden.points());
    assertEquals(3, hidden.maxPoints());
    assertEquals(Outcome.FAILED, hidden.outcome());
    assertEquals("", hidden.feedback(), "nothing of a hidden check's feedback shows");
    assertEquals(card.score(), before.score());
    assertEquals(List.of("the server holds one TIME_WAIT", "the client holds none", "no TIME_WAIT was skipped",
        Scorecard.HIDDEN), card.forStudent(true).checks().stream().map(Check::name).toList(),
        "after the due date only the hidden one stays folded");
  }

  @Test
  void gradescopeResultsAreValidAndSayNotGradedWhenTheyAreNot() throws IOException {
    List<Courses.JobView> views = views();
    for (Courses.JobView v : views) {
      assertValid("gradescope.results.schema.json", JSON.readTree(PlatformReports.render(ReportFormat.GRADESCOPE, v).body()));
    }
    JsonNode graded = JSON.readTree(PlatformReports.render(ReportFormat.GRADESCOPE, views.get(0)).body());
    assertEquals(3.0, graded.path("score").asDouble());
    assertEquals("hidden", graded.path("tests").get(2).path("visibility").asText());
    JsonNode failed = JSON.readTree(PlatformReports.render(ReportFormat.GRADESCOPE, views.get(2)).body());
    assertTrue(failed.path("output").asText().startsWith(PlatformReports.NOT_GRADED), failed.toString());
    assertFalse(failed.path("extra_data").path("gradable").asBoolean());
  }

  @Test
  void prairielearnResultsAreNotGradableWhenACheckCouldNotBeJudged() throws IOException {
    List<Courses.JobView> views = views();
    for (Courses.JobView v : views) {
      assertValid("prairielearn.results.schema.json", JSON.readTree(PlatformReports.render(ReportFormat.PRAIRIELEARN, v).body()));
    }
    JsonNode graded = JSON.readTree(PlatformReports.render(ReportFormat.PRAIRIELEARN, views.get(0)).body());
    assertEquals(3.0 / 7, graded.path("score").asDouble(), 1e-9);
    assertEquals("The side that sends the first FIN holds TIME_WAIT.", graded.path("tests").get(0).path("message").asText());
    JsonNode unjudged = JSON.readTree(PlatformReports.render(ReportFormat.PRAIRIELEARN, views.get(1)).body());
    assertFalse(unjudged.path("gradable").asBoolean());
    assertTrue(unjudged.path("format_errors").get(0).asText().contains("cannot be judged"));
  }

  @Test
  void githubClassroomResultsSayErrorWhenNotJudged() throws IOException {
    List<Courses.JobView> views = views();
    for (Courses.JobView v : views) {
      assertValid("github-classroom.result.schema.json",
          JSON.readTree(PlatformReports.render(ReportFormat.GITHUB_CLASSROOM, v).body()));
    }
    assertEquals("fail", JSON.readTree(PlatformReports.render(ReportFormat.GITHUB_CLASSROOM, views.get(0)).body())
        .path("status").asText());
    JsonNode unjudged = JSON.readTree(PlatformReports.render(ReportFormat.GITHUB_CLASSROOM, views.get(1)).body());
    assertEquals("error", unjudged.path("status").asText());
    assertEquals("error", unjudged.path("tests").get(1).path("status").asText());
    assertEquals("error", JSON.readTree(PlatformReports.render(ReportFormat.GITHUB_CLASSROOM, views.get(2)).body())
        .path("tests").get(0).path("status").asText());
  }

  @Test
  void autolabsLastLineScoresOnlyWhatWasJudged() throws IOException {
    List<Courses.JobView> views = views();
    for (Courses.JobView v : views) {
      assertValid("autolab.scores.schema.json", lastLine(PlatformReports.render(ReportFormat.AUTOLAB, v).body()));
    }
    assertEquals(3.0, lastLine(PlatformReports.render(ReportFormat.AUTOLAB, views.get(0)).body()).path("scoreboard")
        .get(0).asDouble());
    JsonNode unjudged = lastLine(PlatformReports.render(ReportFormat.AUTOLAB, views.get(1)).body());
    assertFalse(unjudged.path("scores").has("the server closes actively"), "a check not judged gets no score, not 0");
    assertTrue(PlatformReports.render(ReportFormat.AUTOLAB, views.get(2)).body().startsWith(PlatformReports.NOT_GRADED));
  }

  @Test
  void junitHasAFailurePerFailedCheckAndAnErrorPerUnjudgedOne() throws Exception {
    List<Courses.JobView> views = views();
    Document graded = xml(PlatformReports.render(ReportFormat.JUNIT, views.get(0)).body());
    assertEquals(2, graded.getElementsByTagName("failure").getLength());
    assertEquals(0, graded.getElementsByTagName("error").getLength());
    assertEquals(1, xml(PlatformReports.render(ReportFormat.JUNIT, views.get(1)).body()).getElementsByTagName("error")
        .getLength());
    assertEquals(1, xml(PlatformReports.render(ReportFormat.JUNIT, views.get(2)).body()).getElementsByTagName("error")
        .getLength());
  }

  private static JsonNode lastLine(String text) throws IOException {
    String[] lines = text.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  private static Document xml(String text) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(
        text.getBytes(StandardCharsets.UTF_8)));
  }
}
