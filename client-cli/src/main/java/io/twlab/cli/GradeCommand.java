package io.twlab.cli;

import io.twlab.proto.v1.GradeExperimentRequest;
import io.twlab.proto.v1.GradeReport;
import io.twlab.proto.v1.LabEvent;
import io.twlab.proto.v1.RunGrade;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "grade", description = "Grade an experiment file (YAML or JSON): run it in a fresh lab and check "
    + "every expectation. Exit 0 when all hold, 1 when one fails, 2 when the file is invalid (nothing is started).")
final class GradeCommand extends ExperimentCommand<GradeReport> {

  @Override
  GradeReport submit(ServerConnection server, String experiment) {
    try (LiveView view = liveView()) {
      view.status("grading " + file + " in a fresh lab");
      return server.blocking().gradeExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
    }
  }

  @Override
  void table(PrintWriter out, GradeReport graded) {
    Render.grade(out, graded);
  }

  @Override
  boolean passed(GradeReport graded) {
    return graded.getPassed();
  }

  @Override
  String junit(GradeReport graded) {
    return JunitReport.of(graded);
  }

  @Override
  String html(GradeReport graded, Map<String, List<LabEvent>> stateCounts) {
    return HtmlReport.grade(graded, stateCounts);
  }

  @Override
  List<RunGrade> runs(GradeReport graded) {
    return graded.getRunsList();
  }
}
