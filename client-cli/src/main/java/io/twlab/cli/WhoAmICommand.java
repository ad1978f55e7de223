package io.twlab.cli;

import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.WhoAmIRequest;
import picocli.CommandLine.Command;

@Command(name = "whoami", description = "Who the token sent to --server speaks for.")
final class WhoAmICommand extends ServerCommand {
  @Override
  int call(ServerConnection server) {
    Caller caller = server.workshops().whoAmI(WhoAmIRequest.getDefaultInstance());
    print(caller, out -> out.println(WorkshopsCommand.describe(caller)
        + (caller.getWorkshopId().isEmpty() ? "" : " in workshop " + caller.getWorkshopId())));
    return 0;
  }
}
