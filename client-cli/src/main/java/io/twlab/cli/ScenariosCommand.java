package io.twlab.cli;

import io.twlab.proto.v1.ListScenariosRequest;
import io.twlab.proto.v1.ListScenariosResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "scenarios", description = "List the scenarios with what they teach and their parameters.")
final class ScenariosCommand implements Callable<Integer> {
  @ParentCommand
  Twlab twlab;
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    try (ServerConnection server = new ServerConnection(twlab.server)) {
      ListScenariosResponse response = server.blocking().listScenarios(ListScenariosRequest.getDefaultInstance());
      if (twlab.output == Twlab.Output.json) {
        Render.json(spec.commandLine().getOut(), response);
      } else {
        Render.scenarios(spec.commandLine().getOut(), response.getScenariosList());
      }
      return 0;
    }
  }
}
