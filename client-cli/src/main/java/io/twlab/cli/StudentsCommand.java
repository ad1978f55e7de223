package io.twlab.cli;

import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.ListWorkshopsRequest;
import io.twlab.proto.v1.V1.RevokeCredentialRequest;
import io.twlab.proto.v1.V1.RevokeCredentialResponse;
import io.twlab.proto.v1.V1.Workshop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "students", description = "Instructors: the students of a workshop, and revoking one.",
    subcommands = {StudentsCommand.ListStudents.class, StudentsCommand.Revoke.class})
final class StudentsCommand {

  @Command(name = "list", description = "Who joined a workshop, with the id `students revoke` takes.")
  static final class ListStudents extends ServerCommand {
    @Parameters(paramLabel = "WORKSHOP")
    String workshop;

    @Override
    int call(ServerConnection server) {
      Workshop w = server.workshops().listWorkshops(ListWorkshopsRequest.getDefaultInstance()).getWorkshopsList()
          .stream().filter(x -> x.getId().equals(workshop)).findFirst()
          .orElseThrow(() -> new CliException("no workshop " + workshop + " of yours; `twlab workshops list` shows "
              + "them", Twlab.INVALID_INPUT));
      print(w, out -> {
        Table t = new Table("STUDENT", "NAME");
        for (Caller s : w.getStudentsList()) {
          t.row(s.getId(), s.getName());
        }
        t.print(out);
      });
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a student's token at once (the id `students list` shows).")
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
}
