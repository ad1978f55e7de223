package io.twlab.cli;

import io.twlab.proto.v1.V1.Assignment;
import io.twlab.proto.v1.V1.AssignmentCheck;
import io.twlab.proto.v1.V1.CreatePlatformCredentialRequest;
import io.twlab.proto.v1.V1.GetAssignmentRequest;
import io.twlab.proto.v1.V1.IssuedCredential;
import io.twlab.proto.v1.V1.ListAssignmentsRequest;
import io.twlab.proto.v1.V1.ListAssignmentsResponse;
import io.twlab.proto.v1.V1.PredictionSlot;
import io.twlab.proto.v1.V1.ProgramContract;
import io.twlab.proto.v1.V1.ProgramSlot;
import io.twlab.proto.v1.V1.PublishAssignmentRequest;
import io.twlab.proto.v1.V1.SettingSlot;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "assignments", description = "Course grading: publish assignments (instructors), read them, and mint "
    + "credentials for grading platforms.",
    subcommands = {AssignmentsCommand.Publish.class, AssignmentsCommand.ListAssignments.class,
        AssignmentsCommand.Show.class, AssignmentsCommand.Credential.class})
final class AssignmentsCommand {

  @Command(name = "publish", description = "Publish an assignment file (examples/course/), or a new version of one.")
  static final class Publish extends ServerCommand {
    @Parameters(paramLabel = "FILE")
    Path file;
    @Option(names = "--workshop", paramLabel = "WORKSHOP", description = "its students may read it and submit")
    String workshop = "";
    @Option(names = "--replaces", paramLabel = "ASSIGNMENT", description = "publish a new version of this assignment")
    String replaces = "";

    @Override
    int call(ServerConnection server) {
      Assignment a = server.courses().publishAssignment(PublishAssignmentRequest.newBuilder()
          .setAssignment(readFile(file)).setWorkshopId(workshop).setReplaces(replaces).build());
      print(a, out -> {
        out.println("published " + a.getId() + " version " + a.getVersion() + ": " + a.getName());
        describe(out, a);
      });
      return 0;
    }
  }

  @Command(name = "list", description = "The assignments you may read.")
  static final class ListAssignments extends ServerCommand {
    @Override
    int call(ServerConnection server) {
      ListAssignmentsResponse all = server.courses().listAssignments(ListAssignmentsRequest.getDefaultInstance());
      print(all, out -> {
        Table t = new Table("ASSIGNMENT", "VERSION", "NAME", "DUE", "POINTS", "WORKSHOP");
        for (Assignment a : all.getAssignmentsList()) {
          t.row(a.getId(), a.getVersion(), a.getName(), Render.timestamp(a.getDueAt()), Render.points(a.getMaxPoints()),
              a.getWorkshopId().isEmpty() ? "-" : a.getWorkshopId());
        }
        t.print(out);
      });
      return 0;
    }
  }

  @Command(name = "show", description = "An assignment: what to submit, and the checks you may see.")
  static final class Show extends ServerCommand {
    @Parameters(paramLabel = "ASSIGNMENT")
    String id;

    @Override
    int call(ServerConnection server) {
      Assignment a = server.courses().getAssignment(GetAssignmentRequest.newBuilder().setAssignmentId(id).build());
      print(a, out -> {
        out.println(a.getName() + " (" + a.getId() + ", version " + a.getVersion() + "), due "
            + Render.timestamp(a.getDueAt()));
        describe(out, a);
      });
      return 0;
    }
  }

  @Command(name = "credential", description = "Instructors: a submit-only token for a grading platform, for one "
      + "assignment (shown once; `twlab students revoke ID` ends it).")
  static final class Credential extends ServerCommand {
    @Parameters(paramLabel = "ASSIGNMENT")
    String id;
    @Option(names = "--name", required = true, description = "the platform, e.g. gradescope")
    String name;

    @Override
    int call(ServerConnection server) {
      IssuedCredential c = server.courses().createPlatformCredential(CreatePlatformCredentialRequest.newBuilder()
          .setAssignmentId(id).setName(name).build());
      print(c, out -> {
        out.println("platform credential " + c.getCaller().getId() + " (" + c.getCaller().getName() + ") for " + id
            + ", until " + Render.timestamp(c.getExpiresAt()));
        out.println("token (shown once; keep it in the platform's secrets): " + c.getToken());
      });
      return 0;
    }
  }

  static void describe(PrintWriter out, Assignment a) {
    if (a.getSettingsCount() > 0) {
      Table t = new Table("SETTING", "SETS", "ALLOWED", "WHAT");
      for (SettingSlot s : a.getSettingsList()) {
        t.row(s.getName(), s.getTarget(), s.getValuesCount() > 0 ? String.join("|", s.getValuesList())
            : s.getMin() + ".." + s.getMax(), s.getDescription());
      }
      t.print(out);
    }
    if (a.getPredictionsCount() > 0) {
      Table t = new Table("PREDICTION", "POINTS", "ANSWER", "QUESTION");
      for (PredictionSlot p : a.getPredictionsList()) {
        t.row(p.getName(), Render.points(p.getPoints()), p.getAnswer(), p.getQuestion());
      }
      t.print(out);
    }
    for (ProgramSlot p : a.getProgramsList()) {
      ProgramContract c = p.getContract();
      out.println("program " + p.getName() + " (--program " + p.getName() + "=FILE): " + String.join(" or ",
          p.getLanguagesList()) + ", at most " + p.getMaxBytes() + " bytes, " + Render.seconds(p.getTimeLimit())
          + "; replaces " + c.getReplaces() + " in run " + p.getRun() + " (" + p.getScenario() + ") on " + c.getRunsOn());
      out.println("  started as: PROGRAM " + String.join(" ", c.getArgsList())
          + (c.getReadiness().isEmpty() ? "; the run waits for it to end" : "; ready at " + c.getReadiness()));
      out.println("  " + c.getContract() + (p.getDescription().isEmpty() ? "" : "; " + p.getDescription()));
    }
    Table t = new Table("CHECK", "POINTS", "VISIBILITY");
    for (AssignmentCheck c : a.getChecksList()) {
      t.row(c.getName(), Render.points(c.getPoints()), c.getVisibility());
    }
    t.print(out);
    out.println("max points " + Render.points(a.getMaxPoints()) + "; each submission may take "
        + Render.seconds(a.getTimeLimit()));
  }
}
