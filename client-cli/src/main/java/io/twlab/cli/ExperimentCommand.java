package io.twlab.cli;

import io.twlab.proto.v1.LabEvent;
import io.twlab.proto.v1.RunGrade;
import io.twlab.proto.v1.WatchDetail;
import io.twlab.proto.v1.WatchLabRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** A command that sends an experiment file to the server and may write a report of the outcome. */
abstract class ExperimentCommand extends ServerCommand {
  enum Report { json, junit, html }

  @Parameters(paramLabel = "FILE", description = "the experiment file (YAML or JSON); examples/ has one per scenario")
  Path file;
  @Option(names = "--report", description = "also write a report: json, junit (JUnit XML, one test case per "
      + "expectation) or html (self-contained, with a chart of each run's state counts)")
  Report report;
  @Option(names = "--out", description = "the report's file (default: standard output)")
  Path reportFile;

  String experiment() {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Whether the table goes to standard output too (not when the report does). */
  boolean printsTable() {
    return report == null || reportFile != null;
  }

  void writeReport(String text) {
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

  /** Each run's recorded state counts, replayed from the server's history, for the HTML chart. */
  static Map<String, List<LabEvent>> stateCounts(ServerConnection server, List<RunGrade> runs) {
    Map<String, List<LabEvent>> counts = new LinkedHashMap<>();
    for (RunGrade grade : runs) {
      String runId = grade.getRun().getId();
      List<LabEvent> events = new ArrayList<>();
      EventFeed.follow(server, WatchLabRequest.newBuilder().setRunId(runId)
          .setDetail(WatchDetail.WATCH_DETAIL_AGGREGATED).build(), event -> {
            if (event.hasStateCounts()) {
              events.add(event);
            }
            return true;
          });
      counts.put(runId, events);
    }
    return counts;
  }
}
