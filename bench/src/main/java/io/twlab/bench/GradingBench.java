package io.twlab.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.twlab.app.ServerLimits;
import io.twlab.proto.v1.CourseServiceGrpc;
import io.twlab.proto.v1.V1.GetJobRequest;
import io.twlab.proto.v1.V1.Job;
import io.twlab.proto.v1.V1.JobState;
import io.twlab.proto.v1.V1.PublishAssignmentRequest;
import io.twlab.proto.v1.V1.SubmitRequest;
import io.twlab.server.ServerConfig;
import io.twlab.server.TwlabServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Issue 16: the grading queue's throughput on this host. {@value #SUBMISSIONS} submissions of the
 * reference settings assignment (examples/course/closer.assignment.yaml: one lab, one S1 run),
 * from as many students at once, graded with the server's default concurrency (one per core, or
 * the argument); the baseline, measured in the same run: {@value #BASELINE} graded one at a time.
 * Run with {@code bench/run.sh grading [JOBS]}.
 */
public final class GradingBench {
  private static final int SUBMISSIONS = 40;
  private static final int BASELINE = 8;
  private static final Path COURSE = Path.of("examples", "course");

  private record Measured(double perMinute, long medianWaitMs, long medianGradeMs, long allMs) {}

  public static void main(String[] args) throws Exception {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : ServerLimits.gradingFittedToHost();
    Measured baseline = measure(1, BASELINE);
    Measured twlab = measure(jobs, SUBMISSIONS);
    System.out.printf(Locale.ROOT, "%n## Grading queue: %d submissions of %s from %d students at once%n", SUBMISSIONS,
        "closer.assignment.yaml", SUBMISSIONS);
    System.out.printf(Locale.ROOT, "twlab, %d graded at once: %.1f submissions/min; in the queue median %d ms; "
        + "grading median %d ms; all done in %d ms%n", jobs, twlab.perMinute(), twlab.medianWaitMs(),
        twlab.medianGradeMs(), twlab.allMs());
    System.out.printf(Locale.ROOT, "baseline, one at a time (%d submissions): %.1f submissions/min; grading median %d ms%n",
        BASELINE, baseline.perMinute(), baseline.medianGradeMs());
    System.out.printf(Locale.ROOT, "ratio: %.2f%n", twlab.perMinute() / baseline.perMinute());
  }

  private static Measured measure(int jobs, int submissions) throws Exception {
    String owner = "twlab-bench-" + UUID.randomUUID().toString().substring(0, 8);
    Path data = Files.createTempDirectory(owner);
    try (TwlabServer server = TwlabServer.start(new ServerConfig(0, 0, owner).withDataDir(data)
        .withLimits(ServerLimits.DEFAULT.withGrading(jobs)))) {
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.grpcPort(),
          InsecureChannelCredentials.create()).build();
      try {
        CourseServiceGrpc.CourseServiceBlockingStub courses = CourseServiceGrpc.newBlockingStub(channel);
        String assignment = courses.publishAssignment(PublishAssignmentRequest.newBuilder()
            .setAssignment(Files.readString(COURSE.resolve("closer.assignment.yaml"))).build()).getId();
        String submission = Files.readString(COURSE.resolve("closer.correct.yaml"));
        long started = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < submissions; i++) {
          ids.add(courses.submit(SubmitRequest.newBuilder().setAssignmentId(assignment).setSubmission(submission)
              .setStudent("student-" + i).build()).getId());
        }
        List<Long> waits = new ArrayList<>();
        List<Long> grades = new ArrayList<>();
        for (String id : ids) {
          Job job = finished(courses, id);
          if (job.getState() != JobState.JOB_STATE_GRADED || job.getScorecard().getScore() != 7) {
            throw new IllegalStateException("job " + id + " was not graded 7 of 7: " + job);
          }
          waits.add(millis(job.getSubmittedAt(), job.getStartedAt()));
          grades.add(millis(job.getStartedAt(), job.getFinishedAt()));
        }
        long all = (System.nanoTime() - started) / 1_000_000;
        return new Measured(submissions * 60_000.0 / all, median(waits), median(grades), all);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static Job finished(CourseServiceGrpc.CourseServiceBlockingStub courses, String id) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    while (System.nanoTime() < until) {
      Job job = courses.getJob(GetJobRequest.newBuilder().setJobId(id).build());
      if (job.getState() != JobState.JOB_STATE_QUEUED && job.getState() != JobState.JOB_STATE_RUNNING) {
        return job;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("job " + id + " did not finish in 20 minutes");
  }

  private static long millis(com.google.protobuf.Timestamp from, com.google.protobuf.Timestamp to) {
    return (to.getSeconds() - from.getSeconds()) * 1000 + (to.getNanos() - from.getNanos()) / 1_000_000;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
