package io.twlab.cli;

import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.IssuedCredential;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "admin", description = "The server's admin.", subcommands = {AdminCommand.Instructors.class})
final class AdminCommand {

  @Command(name = "instructors", description = "Instructors' credentials.", subcommands = {Instructors.Add.class})
  static final class Instructors {

    @Command(name = "add", description = "Make an instructor's token (shown this once; give it to them privately).")
    static final class Add extends ServerCommand {
      @Parameters(paramLabel = "NAME")
      String name;

      @Override
      int call(ServerConnection server) {
        IssuedCredential issued = server.workshops().addInstructor(AddInstructorRequest.newBuilder().setName(name).build());
        print(issued, out -> out.printf("instructor %s: token (valid until %s, shown this once):%n%s%n"
            + "they log in with: TWLAB_TOKEN=<token> twlab login%n", WorkshopsCommand.describe(issued.getCaller()),
            Instant.ofEpochSecond(issued.getExpiresAt().getSeconds()), issued.getToken()));
        return 0;
      }
    }
  }
}
