package io.twlab.cli;

import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.SweepReport;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

@Command(name = "sweep", description = "Run an experiment with a `sweep` once per cell of its matrix of sysctls and "
    + "parameters, each cell in a fresh lab, and print the table that compares the cells. Exit 0 when every cell "
    + "passes, 1 when one fails, 2 when the file is invalid (nothing is started), 4 when none failed but one could "
    + "not be judged.")
final class SweepCommand extends ExperimentCommand<SweepReport> {

  SweepCommand() {
    super(new Outcome<>(Render::sweep, JunitReport::of, HtmlReport::sweep,
        swept -> swept.getCellsList().stream().flatMap(c -> c.getReport().getRunsList().stream()).toList()));
  }

  @Override
  SweepReport submit(ServerConnection server, String experiment) {
    try (LiveView view = liveView()) {
      view.status("sweeping " + file + ": one fresh lab per cell");
      return server.blocking().withDeadlineAfter(2, TimeUnit.HOURS)
          .sweepExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
    }
  }
}
