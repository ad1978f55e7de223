package io.twlab.cli;

import io.grpc.StatusRuntimeException;
import io.twlab.proto.v1.V1.CheckResult;
import io.twlab.proto.v1.V1.GetJobReportRequest;
import io.twlab.proto.v1.V1.GetJobRequest;
import io.twlab.proto.v1.V1.Job;
import io.twlab.proto.v1.V1.JobState;
import io.twlab.proto.v1.V1.Scorecard;
import io.twlab.proto.v1.V1.VerdictOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * A command about one grading job: waits for it when asked (following it as it moves up the queue
 * and runs), prints its scorecard, and writes its report in a grading platform's format. Exit code:
 * 0 graded, 1 not graded (failed or cancelled), 4 graded but a check could not be judged.
 */
abstract class JobCommand extends ServerCommand {
  static final int UNGRADABLE = 4;

  @Option(names = "--wait", description = "wait until the job is graded, showing its place in the queue and its runs")
  boolean wait;
  @Option(names = "--report", paramLabel = "FORMAT", description = "also write its report once graded: gradescope, "
      + "prairielearn, github-classroom, autolab or junit")
  String report;
  @Option(names = "--out", paramLabel = "FILE", description = "the report's file (default: standard output)")
  Path reportFile;

  PlatformFormat format() {
    return report == null ? null : PlatformFormat.of(report);
  }

  /** Waits for the job if asked, prints it, writes its report when it is finished; the exit code. */
  int finish(ServerConnection server, Job job) {
    PlatformFormat format = format();
    if (wait && !finished(job)) {
      job = follow(server, job);
    }
    Job shown = job;
    if (printsTable()) {
      print(job, out -> table(out, shown));
    }
    if (format != null && finished(job)) {
      writeReport(reportFile, server.courses().getJobReport(GetJobReportRequest.newBuilder().setJobId(job.getId())
          .setFormat(format.id()).build()).getBody());
    }
    if (!finished(job)) {
      return 0;
    }
    if (job.getState() != JobState.JOB_STATE_GRADED) {
      return Twlab.RUN_FAILED;
    }
    return job.getScorecard().getGradable() ? 0 : UNGRADABLE;
  }

  /** Writes a refused submission's report, so that a platform shows the student what to fix. */
  void writeRefused(StatusRuntimeException refused, List<String> problems) {
    PlatformFormat format = format();
    if (format != null) {
      writeReport(reportFile, format.refused(problems.isEmpty() ? List.of(String.valueOf(refused.getStatus()
          .getDescription())) : problems));
    }
  }

  private Job follow(ServerConnection server, Job job) {
    try (LiveView view = liveView()) {
      Iterator<Job> changes = server.courses().watchJob(GetJobRequest.newBuilder().setJobId(job.getId()).build());
      while (changes.hasNext()) {
        job = changes.next();
        view.status(job.getId() + ": " + switch (job.getState()) {
          case JOB_STATE_QUEUED -> "queued, " + (job.getPosition() == 1 ? "next" : "number " + job.getPosition() + " in line");
          case JOB_STATE_RUNNING -> "grading: " + job.getProgress();
          default -> state(job);
        });
        if (finished(job)) {
          break;
        }
      }
    }
    return job;
  }

  private static boolean finished(Job job) {
    return job.getState() == JobState.JOB_STATE_GRADED || job.getState() == JobState.JOB_STATE_FAILED
        || job.getState() == JobState.JOB_STATE_CANCELLED;
  }

  static String state(Job job) {
    return job.getState().name().replace("JOB_STATE_", "").toLowerCase(Locale.ROOT);
  }

  static void table(PrintWriter out, Job job) {
    out.println("job " + job.getId() + "  " + job.getAssignmentName() + " (" + job.getAssignmentId() + " v"
        + job.getAssignmentVersion() + ")  student " + job.getStudent() + "  " + state(job).toUpperCase(Locale.ROOT)
        + (job.getState() == JobState.JOB_STATE_QUEUED ? " (number " + job.getPosition() + " in line)" : "")
        + (job.getState() == JobState.JOB_STATE_RUNNING ? " (" + job.getProgress() + ")" : ""));
    if (!job.getError().isEmpty()) {
      out.println(job.getError());
    }
    if (!job.hasScorecard()) {
      out.flush();
      return;
    }
    Scorecard card = job.getScorecard();
    Table t = new Table("CHECK", "POINTS", "RESULT", "OBSERVED");
    for (CheckResult c : card.getChecksList()) {
      t.row(c.getName(), Render.points(c.getPoints()) + "/" + Render.points(c.getMaxPoints()), result(c.getOutcome()),
          c.getObserved());
    }
    t.print(out);
    for (CheckResult c : card.getChecksList()) {
      if (!c.getFeedback().isEmpty() || c.getOutcome() != VerdictOutcome.VERDICT_OUTCOME_PASSED && !c.getReason().isEmpty()) {
        out.println("✗ " + c.getName() + ": " + c.getReason() + (c.getFeedback().isEmpty() ? "" : "\n    " + c.getFeedback()));
      }
    }
    out.println(card.getGradable() ? "score " + Render.points(card.getScore()) + " of " + Render.points(card.getMaxScore())
        : "NOT GRADED: " + card.getUngradable() + " (submit again)");
    out.flush();
  }

  private static String result(VerdictOutcome outcome) {
    return switch (outcome) {
      case VERDICT_OUTCOME_PASSED -> "pass";
      case VERDICT_OUTCOME_FAILED -> "FAIL";
      default -> "NOT JUDGED";
    };
  }

  private boolean printsTable() {
    return report == null || reportFile != null;
  }

}
