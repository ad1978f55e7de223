package io.twlab.cli;

import com.google.protobuf.Duration;
import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.Classroom;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.EndWorkshopLabsRequest;
import io.twlab.proto.v1.V1.EndWorkshopRequest;
import io.twlab.proto.v1.V1.ExportGradesRequest;
import io.twlab.proto.v1.V1.ExtendWorkshopLabsRequest;
import io.twlab.proto.v1.V1.ExtendWorkshopRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.ListWorkshopsRequest;
import io.twlab.proto.v1.V1.ListWorkshopsResponse;
import io.twlab.proto.v1.V1.RunBrief;
import io.twlab.proto.v1.V1.Seat;
import io.twlab.proto.v1.V1.SeatLimits;
import io.twlab.proto.v1.V1.WatchClassroomRequest;
import io.twlab.proto.v1.V1.Workshop;
import io.twlab.proto.v1.V1.WorkshopLabsResponse;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "workshops", description = "Instructors: open workshops, see who joined and what each seat does, end a "
    + "workshop.", subcommands = {WorkshopsCommand.Create.class, WorkshopsCommand.ListWorkshops.class,
        WorkshopsCommand.Show.class, WorkshopsCommand.Extend.class, WorkshopsCommand.End.class,
        WorkshopsCommand.ExtendLabs.class, WorkshopsCommand.EndLabs.class, WorkshopsCommand.Grades.class})
final class WorkshopsCommand {

  @Command(name = "create", description = "Open a workshop and print its join code (shown this once).")
  static final class Create extends ServerCommand {
    @Parameters(paramLabel = "NAME")
    String name;
    @Option(names = "--seats", required = true, description = "how many students may join (1-500)")
    int seats;
    @Option(names = "--hours", defaultValue = "3", description = "how long it lasts from now (default ${DEFAULT-VALUE})")
    double hours;
    @Option(names = "--labs", description = "labs a seat may hold at once (default 2)")
    int labs;
    @Option(names = "--nodes", description = "nodes of all a seat's labs together (default 16)")
    int nodes;
    @Option(names = "--runs", description = "runs a seat may have in progress (default 1)")
    int runs;
    @Option(names = "--watchers", description = "event streams a seat may have open (default 8)")
    int watchers;
    @Option(names = "--shells", description = "shells a seat may have open at once (default 2)")
    int shells;
    @Option(names = "--shells-while-graded", description = "a lab being graded accepts its student's shell "
        + "(default: refused, so that nothing typed by hand can change a grade)")
    boolean shellsWhileGraded;
    @Option(names = "--scenarios", split = ",", paramLabel = "NAME", description = "the only scenarios its students "
        + "may run (default: all)")
    List<String> scenarios = List.of();

    @Override
    int call(ServerConnection server) {
      Workshop w = server.workshops().createWorkshop(CreateWorkshopRequest.newBuilder().setName(name).setSeats(seats)
          .setDuration(Duration.newBuilder().setSeconds(Math.round(hours * 3600)))
          .setSeatLimits(SeatLimits.newBuilder().setLabs(labs).setNodes(nodes).setRuns(runs).setWatchers(watchers)
              .setShells(shells))
          .setShellsWhileGraded(shellsWhileGraded).addAllScenarios(scenarios).build());
      print(w, out -> out.printf("workshop %s \"%s\": %d seats until %s%njoin code: %s   (students: twlab login "
          + "--join %s --name NAME)%n", w.getId(), w.getName(), w.getSeats(), Instant.ofEpochSecond(w.getEndsAt()
          .getSeconds()), w.getJoinCode(), w.getJoinCode()));
      return 0;
    }
  }

  @Command(name = "list", description = "Your workshops and who joined them.")
  static final class ListWorkshops extends ServerCommand {
    @Override
    int call(ServerConnection server) {
      ListWorkshopsResponse all = server.workshops().listWorkshops(ListWorkshopsRequest.getDefaultInstance());
      print(all, out -> {
        Table t = new Table("WORKSHOP", "NAME", "SEATS", "ENDS", "STUDENTS");
        for (Workshop w : all.getWorkshopsList()) {
          t.row(w.getId(), w.getName(), w.getStudentsCount() + "/" + w.getSeats(), w.getEnded() ? "ended"
              : Instant.ofEpochSecond(w.getEndsAt().getSeconds()).toString(), String.join(", ",
              w.getStudentsList().stream().map(s -> s.getName() + " (" + s.getId() + ")").toList()));
        }
        t.print(out);
      });
      return 0;
    }
  }

  @Command(name = "extend", description = "Move a workshop's end later: its students keep working until then.")
  static final class Extend extends ServerCommand {
    @Parameters(paramLabel = "WORKSHOP")
    String id;
    @Option(names = "--hours", required = true, description = "how much later it ends")
    double hours;

    @Override
    int call(ServerConnection server) {
      Workshop w = server.workshops().extendWorkshop(ExtendWorkshopRequest.newBuilder().setWorkshopId(id)
          .setBy(Duration.newBuilder().setSeconds(Math.round(hours * 3600))).build());
      print(w, out -> out.println("workshop " + w.getId() + " now ends at "
          + Instant.ofEpochSecond(w.getEndsAt().getSeconds())));
      return 0;
    }
  }

  @Command(name = "end", description = "End a workshop now: its students' tokens stop working, their labs are deleted.")
  static final class End extends ServerCommand {
    @Parameters(paramLabel = "WORKSHOP")
    String id;

    @Override
    int call(ServerConnection server) {
      Workshop w = server.workshops().endWorkshop(EndWorkshopRequest.newBuilder().setWorkshopId(id).build());
      print(w, out -> out.println("workshop " + w.getId() + " ended; " + w.getStudentsCount() + " students logged out"));
      return 0;
    }
  }

  @Command(name = "extend-labs", description = "Every lab of the workshop's seats lives longer (never past the "
      + "workshop's end).")
  static final class ExtendLabs extends ServerCommand {
    @Parameters(paramLabel = "WORKSHOP")
    String id;
    @Option(names = "--minutes", required = true, description = "how much longer, 1 to 720")
    int minutes;

    @Override
    int call(ServerConnection server) {
      WorkshopLabsResponse labs = server.workshops().extendWorkshopLabs(ExtendWorkshopLabsRequest.newBuilder()
          .setWorkshopId(id).setBy(Duration.newBuilder().setSeconds(minutes * 60L)).build());
      print(labs, out -> labs.getLabsList().forEach(l -> out.println(l.getId() + " now expires at "
          + Instant.ofEpochSecond(l.getExpiresAt().getSeconds()))));
      return 0;
    }
  }

  @Command(name = "end-labs", description = "Delete every lab of the workshop's seats; the workshop and its students' "
      + "tokens stay.")
  static final class EndLabs extends ServerCommand {
    @Parameters(paramLabel = "WORKSHOP")
    String id;

    @Override
    int call(ServerConnection server) {
      WorkshopLabsResponse labs = server.workshops().endWorkshopLabs(EndWorkshopLabsRequest.newBuilder()
          .setWorkshopId(id).build());
      print(labs, out -> out.println(labs.getLabsCount() + " lab(s) ended"));
      return 0;
    }
  }

  @Command(name = "grades", description = "The room's grades: each seat's latest graded attempt of each experiment, "
      + "as CSV or a gradebook's import (canvas, moodle) or JUnit XML.")
  static final class Grades extends ServerCommand {
    @Parameters(paramLabel = "WORKSHOP")
    String id;
    @Option(names = "--format", defaultValue = "csv", description = "csv, canvas, moodle or junit (default csv)")
    String format;
    @Option(names = "--out", paramLabel = "FILE", description = "write it there (default: standard output)")
    java.nio.file.Path file;

    @Override
    int call(ServerConnection server) {
      writeReport(file, server.workshops().exportGrades(ExportGradesRequest.newBuilder().setWorkshopId(id)
          .setFormat(format).build()).getBody());
      return 0;
    }
  }

  @Command(name = "show", description = "Every seat of a workshop: its labs, its run now, its latest runs.")
  static final class Show extends ServerCommand {
    @Parameters(paramLabel = "WORKSHOP")
    String id;
    @Option(names = "--watch", description = "print it again whenever it changes, until Ctrl-C or the workshop ends")
    boolean watch;

    @Override
    int call(ServerConnection server) {
      WatchClassroomRequest request = WatchClassroomRequest.newBuilder().setWorkshopId(id).build();
      Iterator<Classroom> views = server.workshops().watchClassroom(request);
      while (views.hasNext()) {
        Classroom c = views.next();
        print(c, out -> classroom(out, c));
        if (!watch) {
          return 0;
        }
      }
      return 0;
    }

    private static void classroom(PrintWriter out, Classroom c) {
      out.printf("workshop %s \"%s\": %d of %d seats taken%n", c.getWorkshop().getId(), c.getWorkshop().getName(),
          c.getSeatsCount(), c.getWorkshop().getSeats());
      Table t = new Table("STUDENT", "LABS", "RUN NOW", "LATEST RUNS");
      for (Seat seat : c.getSeatsList()) {
        t.row(seat.getStudent().getName() + " (" + seat.getStudent().getId() + ")",
            String.join(", ", seat.getLabsList().stream().map(Lab::getId).toList()),
            seat.hasCurrentRun() ? seat.getCurrentRun().getScenario() + " in " + seat.getCurrentRun().getLabId() : "",
            String.join(", ", seat.getLatestRunsList().stream().map(Show::brief).toList()));
      }
      t.print(out);
    }

    private static String brief(RunBrief r) {
      String state = r.getState().name().substring("RUN_STATE_".length()).toLowerCase(Locale.ROOT);
      return r.getScenario() + " " + state + (r.getPassed() + r.getFailed() > 0
          ? " " + r.getPassed() + "/" + (r.getPassed() + r.getFailed()) + " passed" : "");
    }
  }

  static String describe(Caller c) {
    return c.getName() + " (" + c.getRole().name().substring("ROLE_".length()).toLowerCase(Locale.ROOT) + ", " + c.getId() + ")";
  }
}
