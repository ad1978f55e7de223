package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.twlab.app.ServerLimits;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.Assignment;
import io.twlab.proto.v1.V1.CheckResult;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetAssignmentRequest;
import io.twlab.proto.v1.V1.GetJobRequest;
import io.twlab.proto.v1.V1.Job;
import io.twlab.proto.v1.V1.JobState;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListJobsRequest;
import io.twlab.proto.v1.V1.ProgramFile;
import io.twlab.proto.v1.V1.PublishAssignmentRequest;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.V1.SubmitRequest;
import io.twlab.proto.v1.V1.VerdictOutcome;
import io.twlab.proto.v1.V1.WhoAmIRequest;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Course grading of student programs on the real engine and kernel: the reference programs of
 * examples/course (a Python server, a static C client, a shell client) graded by what the kernel
 * did, and malicious programs contained in their own containers and graded as failed.
 */
class ProgramGradingIT {
  private static final Path COURSE = Path.of("..", "examples", "course");
  private static final Path PROGRAMS = COURSE.resolve("programs");
  /** A slot's time limit short enough that a program which never ends costs the test little. */
  private static final String SHORT = "10s";

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated().limits(ServerLimits.DEFAULT.withGrading(2));

  private static String instructor;

  @BeforeAll
  static void instructor() {
    instructor = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder().setName("Radia")
        .build()).getToken();
  }

  private static Assignment publish(String text) {
    return twlab.courses(instructor).publishAssignment(PublishAssignmentRequest.newBuilder().setAssignment(text).build());
  }

  private static Job submit(Assignment assignment, String student, String slot, String fileName, byte[] program) {
    return twlab.courses(instructor).submit(SubmitRequest.newBuilder().setAssignmentId(assignment.getId())
        .setStudent(student).addPrograms(ProgramFile.newBuilder().setName(slot).setFileName(fileName)
            .setContent(ByteString.copyFrom(program))).build());
  }

  private static Job finished(Job job) throws InterruptedException {
    for (int i = 0; i < 1500; i++) {
      Job now = twlab.courses(instructor).getJob(GetJobRequest.newBuilder().setJobId(job.getId()).build());
      if (Set.of(JobState.JOB_STATE_GRADED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED).contains(now.getState())) {
        return now;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("job " + job.getId() + " did not finish in 5 minutes");
  }

  private static Map<String, CheckResult> checks(Job job) {
    Map<String, CheckResult> byName = new LinkedHashMap<>();
    job.getScorecard().getChecksList().forEach(c -> byName.put(c.getName(), c));
    return byName;
  }

  private static Set<String> failed(Job job) {
    return job.getScorecard().getChecksList().stream().filter(c -> c.getOutcome() != VerdictOutcome.VERDICT_OUTCOME_PASSED)
        .map(CheckResult::getName).collect(Collectors.toSet());
  }

  private static byte[] read(String name) throws IOException {
    return Files.readAllBytes(PROGRAMS.resolve(name));
  }

  /** A reference C program built statically, as a student would (gcc -static). */
  private static byte[] compiled(String source) throws IOException, InterruptedException {
    Path binary = Files.createTempFile("twlab-" + source, "");
    Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", binary.toString(), PROGRAMS.resolve(source).toString())
        .redirectErrorStream(true).start();
    String output = new String(gcc.getInputStream().readAllBytes());
    assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc -static " + source + ": " + output);
    try {
      return Files.readAllBytes(binary);
    } finally {
      Files.delete(binary);
    }
  }

  private static String testAssignment(String file, String programs) throws IOException {
    String text = Files.readString(COURSE.resolve(file));
    return text.substring(0, text.indexOf("  programs:")) + programs;
  }

  @Test
  void referenceProgramsGetFullPointsAndBuggyOnesLoseExactlyWhatTheirBugBreaks() throws Exception {
    Assignment leak = publish(Files.readString(COURSE.resolve("leak-fix.assignment.yaml")));
    Assignment linger = publish(Files.readString(COURSE.resolve("linger.assignment.yaml")));
    Assignment exhaust = publish(Files.readString(COURSE.resolve("exhaust.assignment.yaml")));
    Assignment seen = twlab.courses(instructor).getAssignment(GetAssignmentRequest.newBuilder()
        .setAssignmentId(leak.getId()).build());
    assertEquals("server", seen.getPrograms(0).getName());
    assertEquals(List.of("PORT"), seen.getPrograms(0).getContract().getArgsList());
    assertEquals(List.of("python"), seen.getPrograms(0).getLanguagesList());

    Map<String, Job> jobs = new LinkedHashMap<>();
    jobs.put("leak correct", submit(leak, "s1", "server", "server.py", read("leak-fix.correct.py")));
    jobs.put("leak buggy", submit(leak, "s2", "server", "server.py", read("leak-fix.buggy.py")));
    jobs.put("linger correct", submit(linger, "s1", "client", "linger", compiled("linger.correct.c")));
    jobs.put("linger buggy", submit(linger, "s2", "client", "linger", compiled("linger.buggy.c")));
    jobs.put("exhaust correct", submit(exhaust, "s1", "client", "client.sh", read("exhaust.correct.sh")));
    jobs.put("exhaust buggy", submit(exhaust, "s2", "client", "client.sh", read("exhaust.buggy.sh")));
    Map<String, Job> graded = new LinkedHashMap<>();
    for (Map.Entry<String, Job> job : jobs.entrySet()) {
      graded.put(job.getKey(), finished(job.getValue()));
    }
    graded.forEach((what, job) -> {
      assertEquals(JobState.JOB_STATE_GRADED, job.getState(), what + ": " + job.getError());
      assertTrue(job.getScorecard().getGradable(), what + ": " + job.getScorecard());
    });
    for (String correct : List.of("leak correct", "linger correct", "exhaust correct")) {
      Job job = graded.get(correct);
      assertEquals(Set.of(), failed(job), correct + ": " + job.getScorecard());
      assertEquals(job.getScorecard().getMaxScore(), job.getScorecard().getScore(), correct);
    }
    assertEquals(Set.of("no CLOSE_WAIT is left on the server"), failed(graded.get("leak buggy")));
    assertEquals(1.0, graded.get("leak buggy").getScorecard().getScore());
    assertTrue(checks(graded.get("leak buggy")).get("no CLOSE_WAIT is left on the server").getFeedback()
        .contains("never called close()"));
    assertEquals(Set.of("the client keeps no TIME_WAIT", "the client aborts with an RST"), failed(graded.get("linger buggy")));
    assertTrue(checks(graded.get("linger buggy")).get("the client keeps no TIME_WAIT").getFeedback().contains("SO_LINGER"));
    assertEquals(Set.of("all 100 connections reach redis", "the client leaves no TIME_WAIT behind"),
        failed(graded.get("exhaust buggy")));
    assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.owner=" + twlab.owner,
        "--filter", "label=io.twlab.lab"));
  }

  /**
   * Five programs that misbehave, each graded as failed with what it did, while another lab runs
   * S1 beside them: a fork bomb (64 processes), a memory hog (64 MiB), one that reaches for the
   * control plane and the internet, one that writes outside its directory, one that never ends.
   */
  @Test
  void maliciousProgramsAreContainedAndGradedAsFailed() throws Exception {
    String any = """
          programs:
            - name: server
              slot: server
              time_limit: %s
        """.formatted(SHORT);
    Assignment server = publish(testAssignment("leak-fix.assignment.yaml", any));
    Assignment client = publish(testAssignment("linger.assignment.yaml", any.replace("server", "client")));
    Lab bystander = twlab.grpc().createLab(CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder()
        .setTopology("direct")).build());
    CompletableFuture<ScenarioResult> bystanderRun = CompletableFuture.supplyAsync(() -> twlab.run(bystander, "nc-timewait",
        Map.of()));

    String forkBomb = """
        #!/bin/bash
        echo "forking"
        bomb() { bomb | bomb & }
        bomb
        sleep 60
        """;
    String memoryHog = """
        hog = []
        while True:
            hog.append(bytearray(8 * 1024 * 1024))
            print("holding", 8 * len(hog), "MiB", flush=True)
        """;
    List<String> targets = new ArrayList<>();
    for (String address : hostAddresses()) {
      targets.add(address + ":" + twlab.grpcPort());
    }
    targets.addAll(List.of("172.17.0.1:" + twlab.grpcPort(), "1.1.1.1:443", "8.8.8.8:53"));
    String escape = """
        import socket, sys
        for target in %s:
            host, port = target.rsplit(":", 1)
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect((host, int(port)))
                print("REACHED", target, flush=True)
            except OSError as e:
                print("blocked", target, type(e).__name__, e, flush=True)
        sys.exit(3)
        """.formatted(targets.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ", "[", "]")));
    String writer = """
        import sys
        for path in ["/etc/passwd", "/program/main.py", "/usr/local/bin/twlab-conn", "/proc/sys/net/ipv4/tcp_fin_timeout",
                     "/root/x", "/x"]:
            try:
                with open(path, "a") as f:
                    f.write("owned")
                print("WROTE", path, flush=True)
            except OSError as e:
                print("refused", path, e.strerror, flush=True)
        with open("/tmp/scratch", "w") as f:
            f.write("its own scratch space")
        print("wrote /tmp/scratch", flush=True)
        sys.exit(4)
        """;
    String sleeper = "#!/bin/sh\nexec sleep 600\n";

    Map<String, Job> jobs = new LinkedHashMap<>();
    jobs.put("fork bomb", submit(server, "m1", "server", "bomb.sh", forkBomb.getBytes()));
    jobs.put("memory hog", submit(server, "m2", "server", "hog.py", memoryHog.getBytes()));
    jobs.put("escape", submit(server, "m3", "server", "escape.py", escape.getBytes()));
    jobs.put("writer", submit(server, "m4", "server", "writer.py", writer.getBytes()));
    jobs.put("sleeper", submit(client, "m5", "client", "sleeper.sh", sleeper.getBytes()));
    Map<String, String> why = new LinkedHashMap<>();
    for (Map.Entry<String, Job> job : jobs.entrySet()) {
      Job done = finished(job.getValue());
      assertEquals(JobState.JOB_STATE_GRADED, done.getState(), job.getKey() + ": " + done.getError());
      assertTrue(done.getScorecard().getGradable(), job.getKey() + " is graded, not ungradable: " + done.getScorecard());
      assertEquals(0.0, done.getScorecard().getScore(), job.getKey());
      done.getScorecard().getChecksList().forEach(c -> assertEquals(VerdictOutcome.VERDICT_OUTCOME_FAILED,
          c.getOutcome(), job.getKey() + ": " + c));
      why.put(job.getKey(), done.getScorecard().getChecks(0).getReason());
    }
    assertTrue(why.get("fork bomb").contains("ran past its time limit of 10 s")
        && why.get("fork bomb").contains("Resource temporarily unavailable"), why.get("fork bomb"));
    assertTrue(why.get("memory hog").contains("64 MiB of memory"), why.get("memory hog"));
    String escaped = why.get("escape");
    assertTrue(escaped.contains("exited with status 3 before it listened"), escaped);
    assertFalse(escaped.contains("REACHED"), escaped);
    targets.forEach(t -> assertTrue(escaped.contains("blocked " + t), t + " in " + escaped));
    String wrote = why.get("writer");
    assertFalse(wrote.contains("WROTE"), wrote);
    assertTrue(wrote.contains("refused /etc/passwd Permission denied") && wrote.contains("refused /program/main.py")
        && wrote.contains("refused /x Read-only file system") && wrote.contains("wrote /tmp/scratch"), wrote);
    assertTrue(why.get("sleeper").contains("ran past its time limit of 10 s and was killed"), why.get("sleeper"));

    // It ran to its end beside them: run() checks that it succeeded.
    assertTrue(bystanderRun.get(5, TimeUnit.MINUTES).hasNcTimeWait());
    twlab.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(bystander.getId()).build());
    assertFalse(twlab.workshops(Optional.of(instructor)).whoAmI(WhoAmIRequest.getDefaultInstance()).getId().isEmpty());
    assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.program"));
  }

  @Test
  void programsComeOverHttpAsJsonAndBadOnesAreRefusedByField() throws Exception {
    Assignment linger = publish(Files.readString(COURSE.resolve("linger.assignment.yaml")));
    String path = "/api/v1/assignments/" + linger.getId() + "/submissions?student=h1";
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put(body("client", "", "a.out", "\u007fELF-not-really".getBytes()), "programs[client]");
    bad.put(body("client", "cobol", "x.cob", "DISPLAY 'HI'.".getBytes()), "programs[client].language");
    bad.put(body("server", "", "s.py", "print(1)".getBytes()), "programs[server]");
    bad.put(body("client", "", "notes.txt", "hello".getBytes()), "programs[client].language");
    bad.put(body("client", "binary", "dyn", dynamicBinary()), "programs[client]");
    for (Map.Entry<String, String> request : bad.entrySet()) {
      HttpResponse<String> response = twlab.send(Optional.of(instructor), HttpRequest.newBuilder(
          URI.create(twlab.httpBase() + path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(request.getKey())));
      assertEquals(400, response.statusCode(), response.body());
      assertTrue(response.body().contains("\"" + request.getValue()), request.getValue() + " in " + response.body());
    }
    assertEquals(0, twlab.courses(instructor).listJobs(ListJobsRequest.newBuilder().setAssignmentId(linger.getId())
        .build()).getJobsCount(), "a refused submission queues nothing");
    HttpResponse<String> accepted = twlab.send(Optional.of(instructor), HttpRequest.newBuilder(URI.create(twlab.httpBase()
        + path)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
        body("client", "python", "client.py", """
            import socket, struct, sys
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
            s.sendall(b"hello\\n")
            s.recv(64)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            """.getBytes()))));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String jobId = accepted.body().replaceAll("(?s).*\"id\": ?\"(job-[^\"]+)\".*", "$1");
    Job job = finished(Job.newBuilder().setId(jobId).build());
    assertEquals(Set.of(), failed(job), job.getScorecard().toString());
  }

  private static String body(String name, String language, String fileName, byte[] content) {
    return "{\"programs\": [{\"name\": \"" + name + "\", \"language\": \"" + language + "\", \"fileName\": \""
        + fileName + "\", \"content\": \"" + Base64.getEncoder().encodeToString(content) + "\"}]}";
  }

  /** A program linked dynamically, which a slot refuses: the one the test runs with. */
  private static byte[] dynamicBinary() throws IOException {
    return Files.readAllBytes(Path.of("/bin/true"));
  }

  /** The host's own addresses: a program must reach none of them. */
  private static List<String> hostAddresses() throws IOException {
    List<String> addresses = new ArrayList<>();
    for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
      nic.inetAddresses().filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
          .forEach(a -> addresses.add(a.getHostAddress()));
    }
    return addresses;
  }
}
