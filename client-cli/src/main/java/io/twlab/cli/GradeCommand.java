package io.twlab.cli;

import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.GradeReport;
import picocli.CommandLine.Command;

@Command(name = "grade", description = "Grade an experiment file (YAML or JSON): run it in a fresh lab and check "
    + "every expectation. Exit 0 when all hold, 1 when one fails, 2 when the file is invalid (nothing is started), "
    + "4 when none failed but one could not be judged (the run failed or its observation had a hole: run it again).")
final class GradeCommand extends ExperimentCommand<GradeReport> {

  GradeCommand() {
    super(new Outcome<>(Render::grade, JunitReport::of, HtmlReport::grade,
        GradeReport::getRunsList));
  }

  @Override
  GradeReport submit(ServerConnection server, String experiment) {
    try (LiveView view = liveView()) {
      view.status("grading " + file + " in a fresh lab");
      return server.blocking().gradeExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
    }
  }
}
