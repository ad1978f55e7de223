package io.twlab.cli;

import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.ListLabsRequest;
import io.twlab.proto.v1.V1.ListLabsResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "labs", description = "Create, list, show and delete labs.",
    subcommands = {LabsCommand.Create.class, LabsCommand.ListLabs.class, LabsCommand.Get.class, LabsCommand.Delete.class})
final class LabsCommand {

  @Command(name = "create", description = "Create a lab and print it once its nodes run and are observed.")
  static final class Create extends ServerCommand {
    @Mixin
    LabSpecOptions options;

    @Override
    int call(ServerConnection server) {
      Lab lab;
      try (LiveView view = liveView()) {
        view.status("creating " + options.topology("direct") + " lab");
        lab = server.blocking().createLab(CreateLabRequest.newBuilder().setSpec(options.toSpec("direct")).build());
      }
      print(lab, out -> Render.lab(out, lab));
      return 0;
    }
  }

  @Command(name = "list", description = "List the labs.")
  static final class ListLabs extends ServerCommand {
    @Override
    int call(ServerConnection server) {
      ListLabsResponse labs = server.blocking().listLabs(ListLabsRequest.getDefaultInstance());
      print(labs, out -> Render.labs(out, labs.getLabsList()));
      return 0;
    }
  }

  @Command(name = "get", description = "Show a lab: nodes, addresses, effective sysctls.")
  static final class Get extends ServerCommand {
    @Parameters(paramLabel = "LAB")
    String labId;

    @Override
    int call(ServerConnection server) {
      Lab lab = server.blocking().getLab(GetLabRequest.newBuilder().setLabId(labId).build());
      print(lab, out -> Render.lab(out, lab));
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a lab and everything it made.")
  static final class Delete extends ServerCommand {
    @Parameters(paramLabel = "LAB")
    String labId;

    @Override
    int call(ServerConnection server) {
      var deleted = server.blocking().deleteLab(DeleteLabRequest.newBuilder().setLabId(labId).build());
      print(deleted, out -> out.println("deleted " + labId));
      return 0;
    }
  }
}
