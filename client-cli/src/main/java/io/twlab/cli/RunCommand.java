package io.twlab.cli;

import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.ListScenariosRequest;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = {
    "Run a scenario. Without --lab, a temporary lab is made for it and removed afterwards (--keep keeps it).",
    "Exit code: 0 the run succeeded, 1 it failed, 2 invalid input, 3 server unreachable."})
final class RunCommand extends ServerCommand {
  private static final long TEMPORARY_LAB_TTL_SECONDS = 1800;

  @Parameters(paramLabel = "SCENARIO", description = "e.g. nc-timewait (`twlab scenarios` lists them)")
  String scenario;
  @Option(names = "--lab", description = "run in this existing lab")
  String labId;
  @Mixin
  LabSpecOptions labOptions;
  @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE", description = "a scenario parameter (repeatable)")
  List<String> params = List.of();
  @Option(names = {"-w", "--watch"}, description = "stream connection states while the scenario runs")
  boolean watch;
  @Option(names = "--keep", description = "keep the temporary lab after the run")
  boolean keep;

  @Override
  int call(ServerConnection server) {
    Map<String, String> parameters = parameters();
    PrintWriter out = out();
    try (LiveView view = liveView()) {
      String lab = labId;
      Thread cleanup = null;
      if (lab == null) {
        String topology = labOptions.topology(topologyOf(server, scenario));
        view.status("creating a " + topology + " lab");
        var spec = labOptions.toSpec(topology);
        if (!keep && !spec.hasTtl()) {
          // If this process is killed before it can remove the lab, the server does it soon anyway.
          spec = spec.toBuilder().setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(TEMPORARY_LAB_TTL_SECONDS)).build();
        }
        Lab created = server.blocking().createLab(CreateLabRequest.newBuilder().setSpec(spec).build());
        lab = created.getId();
        if (!json()) {
          view.row("lab " + lab + " (" + created.getSpec().getTopology() + ", " + created.getNodesCount()
              + " nodes)" + (keep ? "" : ": temporary, removed after the run"));
        }
        if (!keep) {
          String temporary = lab;
          cleanup = new Thread(() -> deleteQuietly(server, temporary), "twlab-cleanup");
          Runtime.getRuntime().addShutdownHook(cleanup);
        }
      }
      try {
        Run run = execute(server, view, lab, parameters);
        view.close();
        print(run, table -> Render.run(table, run));
        return run.getState() == RunState.RUN_STATE_SUCCEEDED ? 0 : Twlab.RUN_FAILED;
      } finally {
        if (cleanup != null) {
          Runtime.getRuntime().removeShutdownHook(cleanup);
          view.status("removing temporary lab " + lab);
          deleteQuietly(server, lab);
        }
      }
    }
  }

  /** The first topology {@code name} runs on; "direct" for a name the server does not know (it says so). */
  private static String topologyOf(ServerConnection server, String name) {
    return server.blocking().listScenarios(ListScenariosRequest.getDefaultInstance()).getScenariosList().stream()
        .filter(s -> s.getName().equals(name) && s.getTopologiesCount() > 0).map(s -> s.getTopologies(0))
        .findFirst().orElse("direct");
  }

  private Run execute(ServerConnection server, LiveView view, String lab, Map<String, String> parameters) {
    RunScenarioRequest.Builder request = RunScenarioRequest.newBuilder()
        .setLabId(lab).setScenario(scenario).putAllParams(parameters);
    Run started = server.blocking().runScenario(request.build());
    view.status("running " + scenario + " (" + started.getId() + ")");
    if (watch && !json()) {
      view.row(Render.transitionHeader());
    }
    TimeWaitTracker timeWaits = new TimeWaitTracker();
    view.detail(() -> timeWaits.describe(System.currentTimeMillis()));
    // Without --watch the events still drive the status line: the run's phase and its counts.
    LabEvent last = EventFeed.follow(server, lab, started.getStartSequence(), event -> {
      timeWaits.accept(event);
      if (event.hasRunProgress()) {
        view.status("running " + scenario + ": " + Render.progress(event.getRunProgress()));
      }
      if (watch && json()) {
        Render.jsonLine(out(), event);
      } else if (watch) {
        String line = Render.eventLine(event);
        if (line != null) {
          view.row(line);
        }
      }
      return !(event.hasRunFinished() && event.getRunFinished().getRun().getId().equals(started.getId()));
    });
    if (last != null && last.hasRunFinished()) {
      return last.getRunFinished().getRun();
    }
    throw new IllegalStateException("the event stream of lab " + lab + " ended before run " + started.getId()
        + " finished; `twlab labs get " + lab + "` tells whether the lab still exists");
  }

  private Map<String, String> parameters() {
    Map<String, String> values = new LinkedHashMap<>();
    for (String param : params) {
      int eq = param.indexOf('=');
      if (eq <= 0) {
        throw new ParameterException(spec.commandLine(), "--param '" + param + "' must be NAME=VALUE, e.g. closer=server");
      }
      values.put(param.substring(0, eq), param.substring(eq + 1));
    }
    return values;
  }

  private static void deleteQuietly(ServerConnection server, String lab) {
    try {
      server.blocking().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab).build());
    } catch (RuntimeException e) {
      System.err.println("twlab: could not remove temporary lab " + lab + ": " + e.getMessage()
          + " (it expires by itself; `twlab labs delete " + lab + "` removes it now)");
    }
  }
}
