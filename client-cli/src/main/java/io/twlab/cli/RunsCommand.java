package io.twlab.cli;

import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.ListRunsResponse;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.WatchLabRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "runs", description = "The run history: every finished run, kept by the server across restarts.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Diff.class})
final class RunsCommand {

  @Command(name = "list", description = "List runs, newest first (runs in progress first).")
  static final class ListRuns extends ServerCommand {
    @Option(names = "--lab", description = "only runs of this lab")
    String lab = "";
    @Option(names = "--scenario", description = "only runs of this scenario")
    String scenario = "";
    @Option(names = "--experiment", description = "only runs graded by this experiment")
    String experiment = "";
    @Option(names = "--limit", defaultValue = "50", description = "at most this many runs (default ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--page", description = "the page token a previous list printed")
    String page = "";

    @Override
    int call(ServerConnection server) {
      ListRunsResponse runs = server.blocking().listRuns(ListRunsRequest.newBuilder().setLabId(lab)
          .setScenario(scenario).setExperiment(experiment).setPageSize(limit).setPageToken(page).build());
      print(runs, out -> Render.runs(out, runs));
      return 0;
    }
  }

  @Command(name = "show", description = "Show a run: parameters, sysctls, result and verdicts; --events replays its "
      + "recorded transitions.")
  static final class Show extends ServerCommand {
    @Parameters(paramLabel = "RUN")
    String runId;
    @Option(names = "--events", description = "replay the run's recorded events (the lab may be long gone)")
    boolean events;
    @Option(names = "--speed", defaultValue = "0",
        description = "with --events: 0 at once (default), 1 at the pace they happened, 10 ten times faster")
    double speed;

    @Override
    int call(ServerConnection server) {
      if (!events) {
        Run run = server.blocking().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
        print(run, out -> Render.recordedRun(out, run));
        return 0;
      }
      WatchLabRequest request = WatchLabRequest.newBuilder().setRunId(runId).setReplaySpeed(speed)
          .setDetail(V1.WatchDetail.WATCH_DETAIL_CONNECTIONS).build();
      var out = out();
      if (!json()) {
        out.println(Render.transitionHeader());
      }
      EventFeed.follow(server, request, (LabEvent event) -> {
        if (json()) {
          Render.jsonLine(out, event);
        } else {
          String line = Render.eventLine(event);
          if (line != null) {
            out.println(line);
            out.flush();
          }
        }
        return true;
      });
      return 0;
    }
  }

  @Command(name = "diff", description = "Compare two recorded runs' timelines (an A/B test of sysctls or parameters): "
      + "per node, transitions by kind, peak and final state counts, the first TIME_WAIT, kernel counters.")
  static final class Diff extends ServerCommand {
    @Parameters(index = "0", paramLabel = "RUN_A")
    String runA;
    @Parameters(index = "1", paramLabel = "RUN_B")
    String runB;
    @Option(names = "--all", description = "also the metrics that are the same in both runs")
    boolean all;

    @Override
    int call(ServerConnection server) {
      Table table = TimelineDiff.table(timeline(server, runA), timeline(server, runB), "A " + runA, "B " + runB, all);
      table.print(out());
      return 0;
    }

    private static java.util.List<LabEvent> timeline(ServerConnection server, String runId) {
      java.util.List<LabEvent> events = new java.util.ArrayList<>();
      EventFeed.follow(server, WatchLabRequest.newBuilder().setRunId(runId)
          .setDetail(V1.WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), events::add);
      return events;
    }
  }
}
