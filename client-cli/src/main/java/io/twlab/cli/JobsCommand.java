package io.twlab.cli;

import io.twlab.proto.v1.V1.CancelJobRequest;
import io.twlab.proto.v1.V1.GetJobRequest;
import io.twlab.proto.v1.V1.Job;
import io.twlab.proto.v1.V1.ListJobsRequest;
import io.twlab.proto.v1.V1.ListJobsResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "jobs", description = "Grading jobs: yours, or every student's of your assignments (instructors).",
    subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class, JobsCommand.Cancel.class})
final class JobsCommand {

  @Command(name = "list", description = "Jobs, newest first.")
  static final class ListJobs extends ServerCommand {
    @Option(names = "--assignment", paramLabel = "ASSIGNMENT")
    String assignment = "";
    @Option(names = "--limit", defaultValue = "50", description = "1 to 500 (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    int call(ServerConnection server) {
      ListJobsResponse jobs = server.courses().listJobs(ListJobsRequest.newBuilder().setAssignmentId(assignment)
          .setLimit(limit).build());
      print(jobs, out -> {
        Table t = new Table("JOB", "ASSIGNMENT", "STUDENT", "STATE", "SCORE", "SUBMITTED");
        for (Job j : jobs.getJobsList()) {
          t.row(j.getId(), j.getAssignmentId() + " v" + j.getAssignmentVersion(), j.getStudent(), JobCommand.state(j)
              + (j.getPosition() > 0 ? " #" + j.getPosition() : ""), !j.hasScorecard() ? "-"
              : j.getScorecard().getGradable() ? Render.points(j.getScorecard().getScore()) + "/"
              + Render.points(j.getScorecard().getMaxScore()) : "not gradable", Render.timestamp(j.getSubmittedAt()));
        }
        t.print(out);
      });
      return 0;
    }
  }

  @Command(name = "show", description = "A job and its scorecard; --wait follows it until it is graded.")
  static final class Show extends JobCommand {
    @Parameters(paramLabel = "JOB")
    String id;

    @Override
    int call(ServerConnection server) {
      format();
      return finish(server, server.courses().getJob(GetJobRequest.newBuilder().setJobId(id).build()));
    }
  }

  @Command(name = "cancel", description = "Cancel a job: a queued one leaves the queue, a running one stops.")
  static final class Cancel extends ServerCommand {
    @Parameters(paramLabel = "JOB")
    String id;

    @Override
    int call(ServerConnection server) {
      Job job = server.courses().cancelJob(CancelJobRequest.newBuilder().setJobId(id).build());
      print(job, out -> JobCommand.table(out, job));
      return 0;
    }
  }
}
