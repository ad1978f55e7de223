package io.twlab.cli;

import io.twlab.proto.v1.GradeExperimentRequest;
import io.twlab.proto.v1.LabEvent;
import io.twlab.proto.v1.RunGrade;
import io.twlab.proto.v1.SweepReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

@Command(name = "sweep", description = "Run an experiment with a `sweep` once per cell of its matrix of sysctls and "
    + "parameters, each cell in a fresh lab, and print the table that compares the cells. Exit 0 when every cell "
    + "passes, 1 when one fails, 2 when the file is invalid (nothing is started).")
final class SweepCommand extends ExperimentCommand<SweepReport> {

  @Override
  SweepReport submit(ServerConnection server, String experiment) {
    try (LiveView view = liveView()) {
      view.status("sweeping " + file + ": one fresh lab per cell");
      return server.blocking().withDeadlineAfter(2, TimeUnit.HOURS)
          .sweepExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
    }
  }

  @Override
  void table(PrintWriter out, SweepReport swept) {
    Render.sweep(out, swept);
  }

  @Override
  boolean passed(SweepReport swept) {
    return swept.getPassed();
  }

  @Override
  String junit(SweepReport swept) {
    return JunitReport.of(swept);
  }

  @Override
  String html(SweepReport swept, Map<String, List<LabEvent>> stateCounts) {
    return HtmlReport.sweep(swept, stateCounts);
  }

  @Override
  List<RunGrade> runs(SweepReport swept) {
    return swept.getCellsList().stream().flatMap(c -> c.getReport().getRunsList().stream()).toList();
  }
}
