package io.twlab.cli;

import io.twlab.proto.v1.V1.ListScenariosRequest;
import io.twlab.proto.v1.V1.ListScenariosResponse;
import picocli.CommandLine.Command;

@Command(name = "scenarios", description = "List the scenarios with what they teach and their parameters.")
final class ScenariosCommand extends ServerCommand {

  @Override
  int call(ServerConnection server) {
    ListScenariosResponse scenarios = server.blocking().listScenarios(ListScenariosRequest.getDefaultInstance());
    print(scenarios, out -> Render.scenarios(out, scenarios.getScenariosList()));
    return 0;
  }
}
