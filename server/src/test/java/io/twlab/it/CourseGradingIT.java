package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Duration;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.api.report.PlatformReportsTest;
import io.twlab.app.ServerLimits;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.Assignment;
import io.twlab.proto.v1.V1.AssignmentCheck;
import io.twlab.proto.v1.V1.CancelJobRequest;
import io.twlab.proto.v1.V1.CheckResult;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreatePlatformCredentialRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.GetAssignmentRequest;
import io.twlab.proto.v1.V1.GetJobReportRequest;
import io.twlab.proto.v1.V1.GetJobRequest;
import io.twlab.proto.v1.V1.Job;
import io.twlab.proto.v1.V1.JobState;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListAssignmentsRequest;
import io.twlab.proto.v1.V1.ListJobsRequest;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.PublishAssignmentRequest;
import io.twlab.proto.v1.V1.RevokeCredentialRequest;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.SubmitRequest;
import io.twlab.proto.v1.V1.VerdictOutcome;
import io.twlab.proto.v1.V1.WhoAmIRequest;
import io.twlab.proto.v1.V1.Workshop;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Course grading on the real engine and kernel, through both APIs with authentication on: the
 * reference assignments of examples/course graded end to end, what students, platforms and the
 * instructor each see, every report format, a queue of 30 at two at a time, cancel and restart.
 */
class CourseGradingIT {
  private static final Path COURSE = Path.of("..", "examples", "course");
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated().limits(ServerLimits.DEFAULT.withGrading(2));

  private static String instructor;
  private static Workshop workshop;
  private static Assignment closer;
  private static Assignment buckets;

  @BeforeAll
  static void publish() throws IOException {
    instructor = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder().setName("Ada")
        .build()).getToken();
    workshop = twlab.workshops(Optional.of(instructor)).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("networks 101").setSeats(5).setDuration(Duration.newBuilder().setSeconds(7200)).build());
    closer = twlab.courses(instructor).publishAssignment(PublishAssignmentRequest.newBuilder()
        .setAssignment(file("closer.assignment.yaml")).setWorkshopId(workshop.getId()).build());
    buckets = twlab.courses(instructor).publishAssignment(PublishAssignmentRequest.newBuilder()
        .setAssignment(file("buckets.assignment.yaml")).setWorkshopId(workshop.getId()).build());
  }

  private static String file(String name) throws IOException {
    return Files.readString(COURSE.resolve(name));
  }

  private static String join(String name) {
    return twlab.workshops(Optional.empty()).joinWorkshop(JoinWorkshopRequest.newBuilder()
        .setJoinCode(workshop.getJoinCode()).setName(name).build()).getToken();
  }

  private static Job submit(String token, String assignmentId, String file, String student) throws IOException {
    return twlab.courses(token).submit(SubmitRequest.newBuilder().setAssignmentId(assignmentId)
        .setSubmission(file(file)).setStudent(student).build());
  }

  /** Follows a job over WatchJob until it is finished; the states it went through are checked by the caller. */
  private static List<Job> follow(String token, String jobId) {
    List<Job> seen = new ArrayList<>();
    Iterator<Job> changes = twlab.courses(token).withDeadlineAfter(5, TimeUnit.MINUTES)
        .watchJob(GetJobRequest.newBuilder().setJobId(jobId).build());
    while (changes.hasNext()) {
      seen.add(changes.next());
    }
    return seen;
  }

  private static Job finished(String token, String jobId) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      Job job = twlab.courses(token).getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
      if (Set.of(JobState.JOB_STATE_GRADED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED).contains(job.getState())) {
        return job;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("job " + jobId + " did not finish in 2 minutes");
  }

  private static Set<String> failed(Job job) {
    return job.getScorecard().getChecksList().stream().filter(c -> c.getOutcome() != VerdictOutcome.VERDICT_OUTCOME_PASSED)
        .map(CheckResult::getName).collect(Collectors.toSet());
  }

  private static Job asInstructor(Job job) {
    return twlab.courses(instructor).getJob(GetJobRequest.newBuilder().setJobId(job.getId()).build());
  }

  @Test
  void referenceSubmissionsGetExactlyTheirPointsAndHiddenChecksReachOnlyTheInstructor() throws Exception {
    String alice = join("Alice");

    Assignment seen = twlab.courses(alice).getAssignment(GetAssignmentRequest.newBuilder().setAssignmentId(closer.getId())
        .build());
    assertEquals(List.of("the server holds one TIME_WAIT", "the client holds none", "hidden checks"),
        seen.getChecksList().stream().map(AssignmentCheck::getName).toList());
    assertEquals(3, seen.getChecks(2).getPoints(), "the hidden and the after-due-date checks show as one total");
    assertEquals("", seen.getText(), "a student never gets the file with its hidden checks");
    assertEquals(7, seen.getMaxPoints());
    assertEquals(2, seen.getSettingsCount());
    Assignment whole = twlab.courses(instructor).getAssignment(GetAssignmentRequest.newBuilder()
        .setAssignmentId(closer.getId()).build());
    assertEquals(4, whole.getChecksCount());
    assertTrue(whole.getText().contains("visibility: hidden"));

    Job correct = submit(alice, closer.getId(), "closer.correct.yaml", "");
    assertEquals(JobState.JOB_STATE_QUEUED, correct.getState());
    HttpResponse<String> overHttp = twlab.send(Optional.of(alice), HttpRequest.newBuilder(URI.create(twlab.httpBase()
        + "/api/v1/assignments/" + closer.getId() + "/submissions")).header("Content-Type", "application/yaml")
        .POST(HttpRequest.BodyPublishers.ofString(file("closer.buggy.yaml"))));
    assertEquals(202, overHttp.statusCode(), overHttp.body());
    Job.Builder buggyBuilder = Job.newBuilder();
    JsonFormat.parser().merge(overHttp.body(), buggyBuilder);
    Job predictedWell = submit(alice, buckets.getId(), "buckets.correct.yaml", "");
    Job predictedBadly = submit(alice, buckets.getId(), "buckets.buggy.yaml", "");

    List<Job> states = follow(alice, correct.getId());
    assertEquals(JobState.JOB_STATE_GRADED, states.get(states.size() - 1).getState());
    assertTrue(states.stream().anyMatch(j -> j.getState() == JobState.JOB_STATE_RUNNING), "the watch saw it run");
    Job full = states.get(states.size() - 1);
    assertTrue(full.getScorecard().getGradable());
    assertEquals(7, full.getScorecard().getScore(), full.toString());

    Job buggy = finished(alice, buggyBuilder.getId());
    assertEquals(3, buggy.getScorecard().getScore(), buggy.toString());
    assertEquals(Set.of("the server holds one TIME_WAIT", "hidden checks"), failed(buggy));
    CheckResult lost = buggy.getScorecard().getChecks(0);
    assertTrue(lost.getFeedback().startsWith("The side that sends the first FIN"), lost.toString());
    assertFalse(buggy.getScorecard().getChecksList().stream().anyMatch(c -> c.getName().equals("no TIME_WAIT was skipped")));
    Job buggyInFull = asInstructor(buggy);
    assertEquals(Set.of("the server holds one TIME_WAIT", "no TIME_WAIT was skipped"), failed(buggyInFull));
    assertEquals(4, buggyInFull.getScorecard().getChecksCount());

    assertEquals(8, finished(alice, predictedWell.getId()).getScorecard().getScore());
    Job badly = asInstructor(finished(alice, predictedBadly.getId()));
    assertEquals(4, badly.getScorecard().getScore(), badly.toString());
    assertEquals(Set.of("time-wait-peak", "closer-states"), failed(badly));

    // Another student sees none of it; the grading runs are the instructor's, not the student's.
    String bob = join("Bob");
    assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> twlab.courses(bob)
        .getJob(GetJobRequest.newBuilder().setJobId(correct.getId()).build())).getStatus().getCode());
    List<String> alicesRuns = twlab.as(Optional.of(alice)).listRuns(ListRunsRequest.getDefaultInstance()).getRunsList()
        .stream().map(Run::getId).toList();
    assertTrue(full.getRunIdsList().stream().noneMatch(alicesRuns::contains), "runs with hidden verdicts stay the instructor's");
    assertTrue(twlab.as(Optional.of(instructor)).listRuns(ListRunsRequest.getDefaultInstance()).getRunsList().stream()
        .anyMatch(r -> r.getId().equals(full.getRunIds(0))));
  }

  @Test
  void aPlatformSubmitsForItsStudentsAndReadsItsOwnFormat() throws Exception {
    String platform = twlab.courses(instructor).createPlatformCredential(CreatePlatformCredentialRequest.newBuilder()
        .setAssignmentId(closer.getId()).setName("gradescope").build()).getToken();
    assertEquals(List.of(closer.getId()), twlab.courses(platform).listAssignments(ListAssignmentsRequest
        .getDefaultInstance()).getAssignmentsList().stream().map(Assignment::getId).toList());
    assertEquals(Status.Code.NOT_FOUND, code(() -> submit(platform, buckets.getId(), "buckets.correct.yaml", "gs-1")));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> submit(platform, closer.getId(), "closer.correct.yaml", "")),
        "a platform names its student");
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> twlab.as(Optional.of(platform)).createLab(
        CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("direct")).build())),
        "a platform credential submits only");
    HttpResponse<String> refused = twlab.send(Optional.of(platform), HttpRequest.newBuilder(URI.create(twlab.httpBase()
        + "/api/v1/assignments/" + closer.getId() + "/submissions?student=gs-1")).header("Content-Type",
        "application/yaml").POST(HttpRequest.BodyPublishers.ofString("settings: {closer: both}")));
    assertEquals(400, refused.statusCode());
    assertEquals(Set.of("settings.closer", "settings.server-tw-buckets"), fields(refused.body()));

    Job job = finished(platform, submit(platform, closer.getId(), "closer.buggy.yaml", "gs-1001").getId());
    assertEquals("gs-1001", job.getStudent());
    HttpResponse<String> events = twlab.send(Optional.of(platform), HttpRequest.newBuilder(URI.create(twlab.httpBase()
        + "/api/v1/jobs/" + job.getId() + "/events")).header("Accept", "text/event-stream").GET());
    assertTrue(events.body().startsWith("event: graded\n"), "a finished job's stream says so and ends: " + events.body());
    for (String[] format : new String[][] {{"gradescope", "gradescope.results.schema.json"},
        {"prairielearn", "prairielearn.results.schema.json"}, {"github-classroom", "github-classroom.result.schema.json"}}) {
      HttpResponse<String> report = twlab.send(Optional.of(platform), HttpRequest.newBuilder(URI.create(twlab.httpBase()
          + "/api/v1/jobs/" + job.getId() + "/report?format=" + format[0])).GET());
      assertEquals(200, report.statusCode(), report.body());
      PlatformReportsTest.assertValid(format[1], JSON.readTree(report.body()));
      assertFalse(report.body().contains("no TIME_WAIT was skipped"), "a platform's report holds no hidden check");
    }
    String autolab = twlab.courses(platform).getJobReport(GetJobReportRequest.newBuilder().setJobId(job.getId())
        .setFormat("autolab").build()).getBody();
    String[] lines = autolab.strip().split("\n");
    PlatformReportsTest.assertValid("autolab.scores.schema.json", JSON.readTree(lines[lines.length - 1]));
    JsonNode gradescope = JSON.readTree(twlab.courses(platform).getJobReport(GetJobReportRequest.newBuilder()
        .setJobId(job.getId()).setFormat("gradescope").build()).getBody());
    assertEquals(3.0, gradescope.path("score").asDouble());
    assertTrue(twlab.courses(platform).getJobReport(GetJobReportRequest.newBuilder().setJobId(job.getId())
        .setFormat("junit").build()).getBody().contains("<failure"));

    twlab.workshops(Optional.of(instructor)).revokeCredential(RevokeCredentialRequest.newBuilder()
        .setPrincipalId(platformId(platform)).build());
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> twlab.courses(platform).getJob(GetJobRequest.newBuilder()
        .setJobId(job.getId()).build())));
  }

  @Test
  void thirtyQueuedSubmissionsTwoAtATimeAllFinishAndLeaveNothingBehind() throws Exception {
    String platform = twlab.courses(instructor).createPlatformCredential(CreatePlatformCredentialRequest.newBuilder()
        .setAssignmentId(closer.getId()).setName("prairielearn").build()).getToken();
    List<Job> queued = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      queued.add(submit(platform, closer.getId(), "closer.correct.yaml", "pl-" + i));
    }
    assertTrue(queued.stream().mapToInt(Job::getPosition).max().orElse(0) >= 20, "they waited in line: " + queued.stream()
        .map(Job::getPosition).toList());
    int unjudged = 0;
    for (Job job : queued) {
      Job done = finished(platform, job.getId());
      assertEquals(JobState.JOB_STATE_GRADED, done.getState(), done.getError());
      if (!done.getScorecard().getGradable()) {
        // Under load the observer may miss a transition and say so: the check is "cannot be judged",
        // never a wrong score, and the card tells the student to submit again, which they do.
        assertTrue(done.getScorecard().getUngradable().contains("cannot be judged"), done.toString());
        done = finished(platform, submit(platform, closer.getId(), "closer.correct.yaml", done.getStudent()).getId());
        unjudged++;
      }
      assertEquals(7, done.getScorecard().getScore(), done.toString());
    }
    assertTrue(unjudged <= 2, unjudged + " of 30 could not be judged at first");
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + twlab.owner), "no lab outlived its job");
  }

  @Test
  void cancelStopsAJobAndARestartFailsTheRunningOnesAndResumesTheQueued() throws Exception {
    String platform = twlab.courses(instructor).createPlatformCredential(CreatePlatformCredentialRequest.newBuilder()
        .setAssignmentId(closer.getId()).setName("autolab").build()).getToken();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ids.add(submit(platform, closer.getId(), "closer.correct.yaml", "al-" + i).getId());
    }
    Job cancelledWaiting = twlab.courses(platform).cancelJob(CancelJobRequest.newBuilder().setJobId(ids.get(6)).build());
    assertEquals(JobState.JOB_STATE_CANCELLED, cancelledWaiting.getState());
    Job running = awaitRunning(platform, ids.get(0));
    twlab.courses(instructor).cancelJob(CancelJobRequest.newBuilder().setJobId(running.getId()).build());
    Job cancelled = finished(platform, running.getId());
    assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState(), cancelled.toString());
    assertTrue(cancelled.getError().startsWith("cancelled by Ada"), cancelled.getError());
    assertFalse(cancelled.hasScorecard());

    // Two grade at a time: when the third starts, the sixth is certainly still waiting.
    Job interrupted = awaitRunning(platform, ids.get(2));
    twlab.stopServer();
    twlab.start();
    Job failed = finished(platform, interrupted.getId());
    assertEquals(JobState.JOB_STATE_FAILED, failed.getState());
    assertTrue(failed.getError().contains("the server stopped while this job ran; submit it again"), failed.getError());
    Job resumed = finished(platform, ids.get(5));
    assertEquals(JobState.JOB_STATE_GRADED, resumed.getState(), resumed.getError());
    assertEquals(7, resumed.getScorecard().getScore());
    for (String id : ids) {
      finished(platform, id);
    }
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + twlab.owner), "no lab outlived its job");
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndNothingIsMade() throws Exception {
    int assignments = twlab.courses(instructor).listAssignments(ListAssignmentsRequest.getDefaultInstance())
        .getAssignmentsCount();
    HttpResponse<String> bad = twlab.send(Optional.of(instructor), HttpRequest.newBuilder(URI.create(twlab.httpBase()
        + "/api/v1/assignments")).header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(
        "name: bad\nlab: {topology: direct}\nruns: [{scenario: nc-timewait, expect: [{count: x, points: many}]}]\n"
            + "assignment: {due: soon, settings: [{name: s, param: {run: 0, name: closer}}]}\n")));
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals(Set.of("runs[0].expect[0].count", "runs[0].expect[0].points", "assignment.due", "assignment.settings[0]"),
        fields(bad.body()));
    assertEquals(assignments, twlab.courses(instructor).listAssignments(ListAssignmentsRequest.getDefaultInstance())
        .getAssignmentsCount(), "nothing was stored");

    String carol = join("Carol");
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> twlab.courses(carol).publishAssignment(
        PublishAssignmentRequest.newBuilder().setAssignment(file("closer.assignment.yaml")).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> twlab.courses(instructor).submit(SubmitRequest.newBuilder()
        .setAssignmentId(closer.getId()).setSubmission(file("closer.correct.yaml")).setStudent("x".repeat(101)).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> twlab.courses(carol).submit(SubmitRequest.newBuilder()
        .setAssignmentId(closer.getId()).setSubmission("# " + "x".repeat(70_000)).build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> twlab.courses(carol).getJob(GetJobRequest.newBuilder()
        .setJobId("job-0000000000").build())));
    assertEquals(0, twlab.courses(carol).listJobs(ListJobsRequest.getDefaultInstance())
        .getJobsCount(), "no refused submission left a job");
    HttpResponse<String> format = twlab.send(Optional.of(instructor), HttpRequest.newBuilder(URI.create(twlab.httpBase()
        + "/api/v1/jobs/job-0000000000/report?format=moodle")).GET());
    assertEquals(400, format.statusCode(), format.body());
    assertEquals(Set.of("format"), fields(format.body()));
  }

  private static Job awaitRunning(String token, String jobId) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      Job job = twlab.courses(token).getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
      if (job.getState() == JobState.JOB_STATE_RUNNING && !job.getProgress().equals("starting")) {
        return job;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + jobId + " did not start in a minute");
  }

  private static String platformId(String token) {
    return twlab.workshops(Optional.of(token)).whoAmI(WhoAmIRequest.getDefaultInstance()).getId();
  }

  private static Set<String> fields(String problem) throws IOException {
    Set<String> fields = new TreeSet<>();
    JSON.readTree(problem).path("errors").forEach(e -> fields.add(e.path("field").asText()));
    return fields;
  }

  private interface Call {
    void run() throws Exception;
  }

  private static Status.Code code(Call call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call was not refused");
  }
}
