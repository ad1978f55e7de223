package io.twlab.scenario.builtin;

import io.twlab.core.ExecResult;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.ConnServer;
import io.twlab.scenario.kit.LabNodes;
import io.twlab.scenario.kit.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * S8: the server closes its connections first, so TIME_WAIT sits on its listening port; then the
 * listener is restarted. Linux lets bind() through only if both the new socket and the sockets in
 * TIME_WAIT (which inherit it from their listener) have SO_REUSEADDR.
 */
public final class ListenerRestart extends Scenario {
  private static final IntParam CONNECTIONS =
      new IntParam("connections", "connections the old listener closes first", 3, 1, 1_000);
  private static final IntParam PORT =
      new IntParam("port", "the first port (the second case uses port + 1)", 7400, 1024, 65000);
  /** A program still running after this long is listening: the port was free for it. */
  private static final String LISTEN_PROBE_SECONDS = "1";
  private static final int TIMEOUT_EXIT = 124;

  public ListenerRestart() {
    super(define("listener-restart")
        .parameters(CONNECTIONS, PORT)
        .title("Restarting a server whose port is in TIME_WAIT")
        .teaches("""
            A listener closes its connections first (so the server holds TIME_WAIT on its own port), \
            then is stopped and started again, once for an old listener with SO_REUSEADDR and once \
            without (one port each). Restarts tried: our program with and without SO_REUSEADDR, `nc \
            -l` and redis-server. Linux allows the bind only when the new socket and the TIME_WAIT \
            sockets (which inherit the old listener's option) both have SO_REUSEADDR; otherwise \
            "Address already in use" until TIME_WAIT expires, 60 s.""")
        .checksClaim("""
            A restarted server fails with "Address already in use" while its port is in TIME_WAIT, \
            unless it sets SO_REUSEADDR."""));
  }


  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int port = params.get(PORT);
    List<BindAttempt> attempts = new ArrayList<>();
    for (boolean oldReuse : List.of(true, false)) {
      attempts.addAll(restartCase(ctx, params.get(CONNECTIONS), oldReuse, oldReuse ? port : port + 1));
    }
    var figures = new Outcome(port, attempts);
    return new ScenarioResult(summary(attempts), figures);
  }

  private static List<BindAttempt> restartCase(ScenarioContext ctx, int connections, boolean oldReuse, int port)
      throws InterruptedException {
    ConnServer old = ConnServer.on(port).mode("close-first").reuseAddr(oldReuse);
    old.start(ctx, "server").ifPresent(error -> {
      throw new ScenarioFailure("port " + port + " is not free on the server (" + error + "); is an earlier run's "
          + "TIME_WAIT still there? Choose another port or wait 60 s");
    });
    ctx.progress("old", "listener " + (oldReuse ? "with" : "without") + " SO_REUSEADDR on " + port
        + " closes " + connections + " connections first");
    LoadReport load = ConnLoad.to(LabNodes.target(ctx.lab()), port).count(connections).close("after-peer")
        .run(ctx, ctx.lab().firstClient(), "old");
    old.stop(ctx, "server");
    if (load.succeeded() == 0) {
      throw new ScenarioFailure("no client could connect to the old listener: " + load.errorMessages());
    }
    int timeWait = timeWaitOn(ctx, port);
    ctx.progress("restart", timeWait + " TIME_WAIT on port " + port + "; restarting the listener four ways");
    List<BindAttempt> attempts = new ArrayList<>();
    for (boolean reuse : List.of(false, true)) {
      ConnServer again = ConnServer.on(port).reuseAddr(reuse);
      Optional<String> error = again.start(ctx, "server");
      again.stop(ctx, "server");
      attempts.add(new BindAttempt(oldReuse, timeWait, "twlab-conn", reuse, error.isEmpty(),
          error.map(e -> e.substring(e.indexOf(' ') + 1)).orElse("")));
    }
    attempts.add(probe(ctx, oldReuse, timeWait, "nc -l", List.of("nc", "-l", String.valueOf(port))));
    attempts.add(probe(ctx, oldReuse, timeWait, "redis-server", List.of("redis-server", "--port", String.valueOf(port),
        "--save", "", "--appendonly", "no", "--protected-mode", "no")));
    return attempts;
  }

  /** Runs a listener for a moment: killed by timeout means it was listening; an early exit means bind failed. */
  private static BindAttempt probe(ScenarioContext ctx, boolean oldReuse, int timeWait, String program,
      List<String> command) {
    List<String> bounded = new ArrayList<>(List.of("timeout", LISTEN_PROBE_SECONDS));
    bounded.addAll(command);
    ExecResult result = ctx.exec("server", bounded, Waits.STEP);
    boolean bound = result.exitCode() == TIMEOUT_EXIT;
    String error = bound ? "" : (result.stderr() + "\n" + result.stdout()).lines()
        .filter(l -> l.contains("in use") || l.contains("bind")).findFirst()
        .orElse("exit " + result.exitCode())
        .replaceFirst("^\\d+:\\w .*? [#*] (Warning: )?", "").trim(); // redis' log prefix
    // Both nc and redis-server set SO_REUSEADDR on their listening sockets.
    return new BindAttempt(oldReuse, timeWait, program, true, bound, error);
  }

  private static int timeWaitOn(ScenarioContext ctx, int port) {
    return (int) ctx.exec("server", List.of("ss", "-tanH", "state", "time-wait", "sport = :" + port), Waits.STEP).stdout()
        .lines().filter(l -> !l.isBlank()).count();
  }

  private static String summary(List<BindAttempt> attempts) {
    return attempts.stream().collect(Collectors.groupingBy(BindAttempt::oldReuseAddr, java.util.LinkedHashMap::new,
            Collectors.toList())).entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "old listener %s SO_REUSEADDR (%d TIME_WAIT on its port): %s",
            e.getKey() ? "with" : "without", e.getValue().get(0).timeWaitOnPort(),
            e.getValue().stream().map(a -> a.program() + (a.program().equals("twlab-conn")
                    ? (a.reuseAddr() ? " with" : " without") + " SO_REUSEADDR" : "")
                + (a.bound() ? " bound" : " failed (" + a.error() + ")")).collect(Collectors.joining(", "))))
        .collect(Collectors.joining("; "));
  }

  /** S8 listener-restart. */
  public record Outcome(int port, List<BindAttempt> attempts) implements ScenarioOutcome {
    public Outcome {
      attempts = List.copyOf(attempts);
    }
  }

  /** One bind attempt of S8. */
  public record BindAttempt(boolean oldReuseAddr, int timeWaitOnPort, String program, boolean reuseAddr, boolean bound,
      String error) {}
}
