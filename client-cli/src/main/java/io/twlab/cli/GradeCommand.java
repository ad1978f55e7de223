package io.twlab.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.twlab.proto.v1.GradeExperimentRequest;
import io.twlab.proto.v1.GradeReport;
import picocli.CommandLine.Command;

@Command(name = "grade", description = "Grade an experiment file (YAML or JSON): run it in a fresh lab and check "
    + "every expectation. Exit 0 when all hold, 1 when one fails, 2 when the file is invalid (nothing is started).")
final class GradeCommand extends ExperimentCommand {

  @Override
  int call(ServerConnection server) {
    String experiment = experiment();
    GradeReport graded;
    try (LiveView view = liveView()) {
      view.status("grading " + file + " in a fresh lab");
      graded = server.blocking().gradeExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
    }
    if (printsTable()) {
      print(graded, out -> Render.grade(out, graded));
    }
    if (report != null) {
      writeReport(switch (report) {
        case junit -> JunitReport.of(graded);
        case html -> HtmlReport.grade(graded, stateCounts(server, graded.getRunsList()));
        case json -> json(graded);
      });
    }
    return graded.getPassed() ? 0 : 1;
  }

  static String json(com.google.protobuf.MessageOrBuilder message) {
    try {
      return JsonFormat.printer().print(message) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the report", e);
    }
  }
}
