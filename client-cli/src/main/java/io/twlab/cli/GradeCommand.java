package io.twlab.cli;

import com.google.protobuf.util.JsonFormat;
import io.twlab.proto.v1.GradeExperimentRequest;
import io.twlab.proto.v1.GradeReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "grade", description = "Grade an experiment file (YAML or JSON): run it in a fresh lab and check "
    + "every expectation. Exit 0 when all hold, 1 when one fails, 2 when the file is invalid (nothing is started).")
final class GradeCommand extends ServerCommand {
  enum Report { json, junit }

  @Parameters(paramLabel = "FILE", description = "the experiment file; examples/ has one per scenario")
  Path file;
  @Option(names = "--report", description = "also write a report: json or junit (JUnit XML, one test case per "
      + "expectation)")
  Report report;
  @Option(names = "--out", description = "the report's file (default: standard output)")
  Path reportFile;

  @Override
  int call(ServerConnection server) {
    String experiment;
    try {
      experiment = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
    }
    GradeReport graded;
    try (LiveView view = liveView()) {
      view.status("grading " + file + " in a fresh lab");
      graded = server.blocking().gradeExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
    }
    if (report == null || reportFile != null) {
      print(graded, out -> Render.grade(out, graded));
    }
    if (report != null) {
      writeReport(graded);
    }
    return graded.getPassed() ? 0 : 1;
  }

  private void writeReport(GradeReport graded) {
    String text;
    try {
      text = report == Report.junit ? JunitReport.of(graded) : JsonFormat.printer().print(graded) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("cannot print the report", e);
    }
    if (reportFile == null) {
      out().print(text);
      out().flush();
      return;
    }
    try {
      Files.writeString(reportFile, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot write " + reportFile + ": " + e.getMessage());
    }
  }
}
