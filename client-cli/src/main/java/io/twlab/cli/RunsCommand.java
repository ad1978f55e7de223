package io.twlab.cli;

import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.ListRunsResponse;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "runs", description = "The run history: every finished run, kept by the server across restarts.",
    subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Ladders.class,
        RunsCommand.Diff.class})
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
    @Option(names = "--pcap", paramLabel = "FILE", description = "write the packets the run kept of --node (a run "
        + "with --param capture=true keeps every node's) to FILE, for Wireshark or tcpdump -r")
    Path pcap;
    @Option(names = "--node", description = "with --pcap: the node whose packets to write")
    String node = "";

    @Override
    int call(ServerConnection server) {
      if (pcap != null) {
        return writePcap(server);
      }
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

    private int writePcap(ServerConnection server) {
      if (node.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--pcap needs --node: the node whose "
            + "packets to write");
      }
      var chunks = server.blocking().getRunCapture(V1.GetRunCaptureRequest.newBuilder().setRunId(runId).setNode(node)
          .build());
      long written;
      try (var file = Files.newOutputStream(pcap)) {
        written = CaptureCommand.write(chunks, file);
      } catch (IOException e) {
        throw new ParameterException(spec.commandLine(), "cannot write " + pcap + ": " + e.getMessage());
      }
      out().println("wrote " + written + " bytes of pcap (" + node + " in run " + runId + ") to " + pcap);
      return 0;
    }
  }

  @Command(name = "ladder", description = "Draw the connections of a run as the packets one node captured, each with "
      + "the states both ends entered with it (the four-way close diagram). The run needs --param capture=true.")
  static final class Ladders extends ServerCommand {
    @Parameters(paramLabel = "RUN")
    String runId;
    @Option(names = "--node", required = true, description = "the node whose capture to draw, e.g. client")
    String node;
    @Option(names = "--max", defaultValue = "3", description = "at most this many connections (default ${DEFAULT-VALUE})")
    int max;

    @Override
    int call(ServerConnection server) {
      V1.RunLadders ladders = server.blocking().getRunLadders(V1.GetRunLaddersRequest.newBuilder().setRunId(runId)
          .setNode(node).setMax(max).build());
      print(ladders, out -> {
        if (ladders.getLaddersCount() == 0) {
          out.println("the capture of " + node + " saw no TCP connection");
        }
        ladders.getLaddersList().forEach(l -> {
          LadderDiagram.print(out, l);
          out.println();
        });
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
