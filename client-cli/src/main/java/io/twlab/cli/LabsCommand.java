package io.twlab.cli;

import io.twlab.proto.v1.CreateLabRequest;
import io.twlab.proto.v1.DeleteLabRequest;
import io.twlab.proto.v1.GetLabRequest;
import io.twlab.proto.v1.Lab;
import io.twlab.proto.v1.ListLabsRequest;
import io.twlab.proto.v1.ListLabsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "labs", description = "Create, list, show and delete labs.",
    subcommands = {LabsCommand.Create.class, LabsCommand.ListLabs.class, LabsCommand.Get.class, LabsCommand.Delete.class})
final class LabsCommand {
  @ParentCommand
  Twlab twlab;

  @Command(name = "create", description = "Create a lab and print it once its nodes run.")
  static final class Create implements Callable<Integer> {
    @ParentCommand
    LabsCommand labs;
    @Spec
    CommandSpec spec;
    @Mixin
    LabSpecOptions options;

    @Override
    public Integer call() {
      try (ServerConnection server = new ServerConnection(labs.twlab.server);
           LiveView view = new LiveView(spec.commandLine().getOut(), spec.commandLine().getErr())) {
        view.status("creating " + options.topology + " lab");
        Lab lab = server.blocking().createLab(CreateLabRequest.newBuilder().setSpec(options.toSpec()).build());
        view.close();
        show(spec, labs.twlab, lab);
        return 0;
      }
    }
  }

  @Command(name = "list", description = "List the labs.")
  static final class ListLabs implements Callable<Integer> {
    @ParentCommand
    LabsCommand labs;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      try (ServerConnection server = new ServerConnection(labs.twlab.server)) {
        ListLabsResponse response = server.blocking().listLabs(ListLabsRequest.getDefaultInstance());
        if (labs.twlab.output == Twlab.Output.json) {
          Render.json(spec.commandLine().getOut(), response);
        } else {
          Render.labs(spec.commandLine().getOut(), response.getLabsList());
        }
        return 0;
      }
    }
  }

  @Command(name = "get", description = "Show a lab: nodes, addresses, effective sysctls.")
  static final class Get implements Callable<Integer> {
    @ParentCommand
    LabsCommand labs;
    @Spec
    CommandSpec spec;
    @Parameters(paramLabel = "LAB")
    String labId;

    @Override
    public Integer call() {
      try (ServerConnection server = new ServerConnection(labs.twlab.server)) {
        show(spec, labs.twlab, server.blocking().getLab(GetLabRequest.newBuilder().setLabId(labId).build()));
        return 0;
      }
    }
  }

  @Command(name = "delete", description = "Delete a lab and everything it made.")
  static final class Delete implements Callable<Integer> {
    @ParentCommand
    LabsCommand labs;
    @Spec
    CommandSpec spec;
    @Parameters(paramLabel = "LAB")
    String labId;

    @Override
    public Integer call() {
      try (ServerConnection server = new ServerConnection(labs.twlab.server)) {
        var response = server.blocking().deleteLab(DeleteLabRequest.newBuilder().setLabId(labId).build());
        if (labs.twlab.output == Twlab.Output.json) {
          Render.json(spec.commandLine().getOut(), response);
        } else {
          spec.commandLine().getOut().println("deleted " + labId);
          spec.commandLine().getOut().flush();
        }
        return 0;
      }
    }
  }

  static void show(CommandSpec spec, Twlab twlab, Lab lab) {
    if (twlab.output == Twlab.Output.json) {
      Render.json(spec.commandLine().getOut(), lab);
    } else {
      Render.lab(spec.commandLine().getOut(), lab);
    }
  }
}
