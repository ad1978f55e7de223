package io.twlab.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.RunGrade;
import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * A command that sends an experiment file to the server, prints the outcome as a table and may
 * write a report of it; each subclass says how to submit it and, by its {@link Outcome}, how to
 * tabulate, judge and report what comes back.
 */
abstract class ExperimentCommand<T extends Message> extends ServerCommand {
  enum Report { json, junit, html }

  @Parameters(paramLabel = "FILE", description = "the experiment file (YAML or JSON); examples/ has one per scenario")
  Path file;
  @Option(names = "--report", description = "also write a report: json, junit (JUnit XML, one test case per "
      + "expectation) or html (self-contained, with a chart of each run's state counts)")
  Report report;
  @Option(names = "--out", description = "the report's file (default: standard output)")
  Path reportFile;

  /** How an outcome is tabulated and reported, and its runs, whose verdicts give the exit code. */
  record Outcome<R>(BiConsumer<PrintWriter, R> table, Function<R, String> junit,
      BiFunction<R, Map<String, List<LabEvent>>, String> html, Function<R, List<RunGrade>> runs) {}

  private final Outcome<T> outcome;

  ExperimentCommand(Outcome<T> outcome) {
    this.outcome = outcome;
  }

  /** Sends the experiment to the server and waits for its outcome. */
  abstract T submit(ServerConnection server, String experiment);

  @Override
  final int call(ServerConnection server) {
    T result = submit(server, readFile(file));
    if (printsTable()) {
      print(result, out -> outcome.table().accept(out, result));
    }
    if (report != null) {
      writeReport(reportFile, switch (report) {
        case junit -> outcome.junit().apply(result);
        case html -> outcome.html().apply(result, stateCounts(server, outcome.runs().apply(result)));
        case json -> json(result);
      });
    }
    return Verdicts.exitCode(outcome.runs().apply(result));
  }

  /** Whether the table goes to standard output too (not when the report does). */
  private boolean printsTable() {
    return report == null || reportFile != null;
  }


  /** Each run's recorded state counts, replayed from the server's history, for the HTML chart. */
  private static Map<String, List<LabEvent>> stateCounts(ServerConnection server, List<RunGrade> runs) {
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

  private static String json(Message message) {
    try {
      return JsonFormat.printer().print(message) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the report", e);
    }
  }
}
