package io.twlab.cli;

import com.google.protobuf.Duration;
import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.EndWorkshopRequest;
import io.twlab.proto.v1.V1.ListWorkshopsRequest;
import io.twlab.proto.v1.V1.ListWorkshopsResponse;
import io.twlab.proto.v1.V1.RevokeCredentialRequest;
import io.twlab.proto.v1.V1.RevokeCredentialResponse;
import io.twlab.proto.v1.V1.Workshop;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "workshops", description = "Instructors: open workshops, see who joined, revoke a student, end a workshop.",
    subcommands = {WorkshopsCommand.Create.class, WorkshopsCommand.ListWorkshops.class, WorkshopsCommand.End.class,
        WorkshopsCommand.Revoke.class})
final class WorkshopsCommand {

  @Command(name = "create", description = "Open a workshop and print its join code (shown this once).")
  static final class Create extends ServerCommand {
    @Parameters(paramLabel = "NAME")
    String name;
    @Option(names = "--seats", required = true, description = "how many students may join (1-500)")
    int seats;
    @Option(names = "--hours", defaultValue = "3", description = "how long it lasts from now (default ${DEFAULT-VALUE})")
    double hours;

    @Override
    int call(ServerConnection server) {
      Workshop w = server.workshops().createWorkshop(CreateWorkshopRequest.newBuilder().setName(name).setSeats(seats)
          .setDuration(Duration.newBuilder().setSeconds(Math.round(hours * 3600))).build());
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

  @Command(name = "end", description = "End a workshop now: its students' tokens stop working.")
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

  @Command(name = "revoke", description = "Revoke a student's token (the id `workshops list` shows).")
  static final class Revoke extends ServerCommand {
    @Parameters(paramLabel = "STUDENT")
    String id;

    @Override
    int call(ServerConnection server) {
      RevokeCredentialResponse r = server.workshops().revokeCredential(RevokeCredentialRequest.newBuilder()
          .setPrincipalId(id).build());
      print(r, out -> out.println("revoked " + r.getPrincipalId()));
      return 0;
    }
  }

  static String describe(Caller c) {
    return c.getName() + " (" + c.getRole().name().substring("ROLE_".length()).toLowerCase(Locale.ROOT) + ", " + c.getId() + ")";
  }
}
