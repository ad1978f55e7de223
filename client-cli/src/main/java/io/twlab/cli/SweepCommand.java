package io.twlab.cli;

import io.twlab.proto.v1.GradeExperimentRequest;
import io.twlab.proto.v1.RunGrade;
import io.twlab.proto.v1.SweepReport;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

@Command(name = "sweep", description = "Run an experiment with a `sweep` once per cell of its matrix of sysctls and "
    + "parameters, each cell in a fresh lab, and print the table that compares the cells. Exit 0 when every cell "
    + "passes, 1 when one fails, 2 when the file is invalid (nothing is started).")
final class SweepCommand extends ExperimentCommand {

  @Override
  int call(ServerConnection server) {
    String experiment = experiment();
    SweepReport swept;
    try (LiveView view = liveView()) {
      view.status("sweeping " + file + ": one fresh lab per cell");
      swept = server.blocking().withDeadlineAfter(2, TimeUnit.HOURS)
          .sweepExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
    }
    SweepReport report = swept;
    if (printsTable()) {
      print(report, out -> Render.sweep(out, report));
    }
    if (this.report != null) {
      List<RunGrade> runs = report.getCellsList().stream().flatMap(c -> c.getReport().getRunsList().stream()).toList();
      writeReport(switch (this.report) {
        case junit -> JunitReport.of(report);
        case html -> HtmlReport.sweep(report, stateCounts(server, runs));
        case json -> GradeCommand.json(report);
      });
    }
    return report.getPassed() ? 0 : 1;
  }
}
