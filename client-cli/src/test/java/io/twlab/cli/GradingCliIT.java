package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.twlab.it.TwlabFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The course workflow from the command line, and the grader image's glue (lab-images/grader/
 * twlab-grade) as Gradescope and GitHub Classroom run it, against a real server: each writes its
 * platform's result, valid by that platform's schema.
 */
class GradingCliIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final Path SCHEMAS = EXAMPLES.resolve("platforms").resolve("schemas");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static String assignment;

  @TempDir
  static Path dir;

  private static CommandRun twlab(String... args) {
    List<String> all = new ArrayList<>(List.of("--server", twlab.grpcTarget()));
    all.addAll(List.of(args));
    return CommandRun.twlab(all.toArray(String[]::new));
  }

  private static void assertValid(String schema, JsonNode document) throws IOException {
    var errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(JSON.readTree(SCHEMAS.resolve(schema).toFile())).validate(document);
    assertTrue(errors.isEmpty(), schema + ": " + errors + " in " + document);
  }

  @BeforeAll
  static void publish() {
    CommandRun published = twlab("assignments", "publish", EXAMPLES.resolve("course/closer.assignment.yaml").toString());
    assertEquals(0, published.exitCode(), published.err());
    Matcher id = Pattern.compile("published (assignment-\\w+) version 1").matcher(published.out());
    assertTrue(id.find(), published.out());
    assignment = id.group(1);
  }

  @Test
  void submitWaitsForTheGradeAndWritesThePlatformsReport() throws IOException {
    Path junit = dir.resolve("buggy.xml");
    CommandRun buggy = twlab("submit", assignment, EXAMPLES.resolve("course/closer.buggy.yaml").toString(), "--wait",
        "--report", "junit", "--out", junit.toString());
    assertEquals(0, buggy.exitCode(), buggy.err());
    assertTrue(buggy.out().contains("score 3 of 7"), buggy.out());
    assertTrue(buggy.out().contains("The side that sends the first FIN holds TIME_WAIT"), "the feedback: " + buggy.out());
    assertTrue(Files.readString(junit).contains("<failure"));

    CommandRun jobs = twlab("jobs", "list", "--assignment", assignment);
    assertEquals(0, jobs.exitCode(), jobs.err());
    assertTrue(jobs.out().contains("3/7"), jobs.out());
  }

  @Test
  void aRefusedSubmissionStillWritesAReportThatSaysWhatToFix() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "settings:\n  closer: both\n");
    Path results = dir.resolve("refused.json");
    CommandRun refused = twlab("submit", assignment, bad.toString(), "--report", "prairielearn", "--out", results.toString());
    assertEquals(Twlab.INVALID_INPUT, refused.exitCode());
    assertTrue(refused.err().contains("settings.closer"), refused.err());
    JsonNode report = JSON.readTree(results.toFile());
    assertValid("prairielearn.results.schema.json", report);
    assertFalse(report.path("gradable").asBoolean());
    for (PlatformFormat format : List.of(PlatformFormat.GRADESCOPE, PlatformFormat.PRAIRIELEARN,
        PlatformFormat.GITHUB_CLASSROOM)) {
      assertValid(switch (format) {
        case GRADESCOPE -> "gradescope.results.schema.json";
        case PRAIRIELEARN -> "prairielearn.results.schema.json";
        default -> "github-classroom.result.schema.json";
      }, JSON.readTree(format.refused(List.of("settings.closer: 'both' is not allowed"))));
    }
    String autolab = PlatformFormat.AUTOLAB.refused(List.of("x"));
    String[] lines = autolab.strip().split("\n");
    assertValid("autolab.scores.schema.json", JSON.readTree(lines[lines.length - 1]));
  }

  @Test
  void theGraderImagesGlueWritesGradescopesAndGithubClassroomsResults() throws Exception {
    Path gradescope = Files.createDirectories(dir.resolve("autograder"));
    Files.createDirectories(gradescope.resolve("submission"));
    Files.copy(EXAMPLES.resolve("course/closer.correct.yaml"), gradescope.resolve("submission/submission.yaml"));
    Files.writeString(gradescope.resolve("submission_metadata.json"), "{\"id\": 77, \"users\": [{\"id\": 1001, "
        + "\"name\": \"Ada\", \"email\": \"ada@example.org\"}]}");
    assertEquals(0, grade("gradescope", Map.of("TWLAB_GRADE_ROOT", gradescope.toString())));
    JsonNode results = JSON.readTree(gradescope.resolve("results/results.json").toFile());
    assertValid("gradescope.results.schema.json", results);
    assertEquals(7.0, results.path("score").asDouble(), results.toString());

    Path workspace = Files.createDirectories(dir.resolve("repo/submission"));
    Files.copy(EXAMPLES.resolve("course/closer.buggy.yaml"), workspace.resolve("answers.yaml"));
    Path output = dir.resolve("github-output");
    assertEquals(0, grade("github-classroom", Map.of("TWLAB_GRADE_ROOT", dir.resolve("repo").toString(),
        "GITHUB_OUTPUT", output.toString(), "GITHUB_REPOSITORY_OWNER", "ada")));
    String line = Files.readString(output).strip();
    assertTrue(line.startsWith("result="), line);
    JsonNode result = JSON.readTree(Base64.getDecoder().decode(line.substring("result=".length())));
    assertValid("github-classroom.result.schema.json", result);
    assertEquals(7.0, result.path("max_score").asDouble());
    assertEquals("fail", result.path("status").asText());
  }

  @Test
  void aProgramIsSubmittedFromItsFileAndByTheGlue() throws Exception {
    CommandRun published = twlab("assignments", "publish", EXAMPLES.resolve("course/leak-fix.assignment.yaml").toString());
    Matcher id = Pattern.compile("published (assignment-\\w+) version 1").matcher(published.out());
    assertTrue(id.find(), published.out() + published.err());
    String leak = id.group(1);
    CommandRun shown = twlab("assignments", "show", leak);
    assertTrue(shown.out().contains("program server (--program server=FILE): python"), shown.out());

    CommandRun buggy = twlab("submit", leak, "--program", "server=" + EXAMPLES.resolve("course/programs/leak-fix.buggy.py"),
        "--wait");
    assertEquals(0, buggy.exitCode(), buggy.err());
    assertTrue(buggy.out().contains("score 1 of 5"), buggy.out());
    assertTrue(buggy.out().contains("never called close()"), "the feedback: " + buggy.out());
    CommandRun undetected = twlab("submit", leak, "--program", "server=" + EXAMPLES.resolve("course/closer.correct.yaml"));
    assertEquals(Twlab.INVALID_INPUT, undetected.exitCode());
    assertTrue(undetected.err().contains("programs[server].language"), undetected.err());

    Path gradescope = Files.createDirectories(dir.resolve("programs/autograder/submission"));
    Files.copy(EXAMPLES.resolve("course/programs/leak-fix.correct.py"), gradescope.resolve("server.py"));
    Files.writeString(gradescope.resolveSibling("submission_metadata.json"), "{\"users\": [{\"id\": 1002}]}");
    assertEquals(0, grade("gradescope", leak, Map.of("TWLAB_GRADE_ROOT", gradescope.getParent().toString(),
        "TWLAB_PROGRAMS", "server=server.py")));
    JsonNode results = JSON.readTree(gradescope.resolveSibling("results/results.json").toFile());
    assertValid("gradescope.results.schema.json", results);
    assertEquals(5.0, results.path("score").asDouble(), results.toString());
  }

  private static int grade(String platform, Map<String, String> env) throws IOException, InterruptedException {
    return grade(platform, assignment, env);
  }

  /** Runs twlab-grade as a platform would, with this checkout's CLI as `twlab`. */
  private static int grade(String platform, String assignment, Map<String, String> env)
      throws IOException, InterruptedException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path cli = bin.resolve("twlab");
    Files.writeString(cli, "#!/bin/sh\nexec java -jar " + Path.of("target", "twlab.jar").toAbsolutePath() + " \"$@\"\n");
    cli.toFile().setExecutable(true);
    ProcessBuilder process = new ProcessBuilder("sh", Path.of("..", "lab-images", "grader", "twlab-grade")
        .toAbsolutePath().toString(), platform).redirectErrorStream(true);
    process.environment().putAll(env);
    process.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    process.environment().put("TWLAB_SERVER", twlab.grpcTarget());
    process.environment().put("TWLAB_ASSIGNMENT", assignment);
    Process running = process.start();
    String output = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(running.waitFor(3, TimeUnit.MINUTES), output);
    assertEquals(0, running.exitValue(), output);
    return running.exitValue();
  }
}
