package io.twlab.scenario.builtin;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.RunNodeTemplate;
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
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * S11: tcp_fin_timeout bounds how long an orphaned socket waits in FIN_WAIT_2 for the peer's FIN;
 * it does not shorten TIME_WAIT, which stays 60 s (the articles' common confusion).
 */
public final class FinTimeout extends Scenario {
  private static final IntParam FIN_TIMEOUT =
      new IntParam("fin-timeout", "tcp_fin_timeout of the client (s)", 5, 1, 120);
  private static final BoolParam WAIT_EXPIRY =
      new BoolParam("wait-expiry", "wait until TIME_WAIT expires (about 60 s)", false);
  private static final IntParam PORT =
      new IntParam("port", "the first server port (the second connection uses port + 1)", 7600, 1024, 65000);
  private static final RunNodeTemplate<ScenarioParams> CLIENT = RunNodeTemplate.single("fin-client")
      .sysctlFromParam("net.ipv4.tcp_fin_timeout", FIN_TIMEOUT);
  private static final Duration EXPIRY_WAIT = Duration.ofSeconds(75);

  public FinTimeout() {
    super(define("fin-timeout")
        .parameters(FIN_TIMEOUT, WAIT_EXPIRY, PORT)
        .runNodes(CLIENT)
        .title("tcp_fin_timeout is not the TIME_WAIT timeout")
        .teaches("""
            A client with tcp_fin_timeout=`fin-timeout` closes two connections. The first peer never \
            closes, so the client's orphaned socket waits in FIN_WAIT_2 and is destroyed after \
            tcp_fin_timeout. The second peer closes at once, so the client enters TIME_WAIT, whose \
            timer starts at 60 s whatever tcp_fin_timeout says (TCP_TIMEWAIT_LEN is a constant in the \
            kernel). With wait-expiry the run measures TIME_WAIT until it is gone.""")
        .checksClaim("""
            Lowering tcp_fin_timeout shortens TIME_WAIT (it does not: it only bounds orphaned \
            FIN_WAIT_2)."""));
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int finTimeout = params.get(FIN_TIMEOUT);
    int port = params.get(PORT);
    String client = CLIENT.addTo(ctx, params);
    String target = LabNodes.target(ctx.lab());
    ConnServer silent = ConnServer.on(port).mode("never-close");
    ConnServer closing = ConnServer.on(port + 1).closeDelayMs(Waits.PASSIVE_CLOSE_MS);
    try {
      for (ConnServer server : List.of(silent, closing)) {
        server.start(ctx, "server").ifPresent(error -> {
          throw new ScenarioFailure("cannot listen on port " + server.port() + ": " + error + "; choose another port");
        });
      }
      ctx.progress("fin-wait-2", client + " closes a connection whose peer never closes");
      ConnLoad.to(target, silent.port()).run(ctx, client, "fin-wait-2");
      SocketChange finWait2 = ctx.sockets().await("FIN_WAIT_2 on " + client, Waits.STEP, c -> c.node().equals(client)
          && c.to() == TcpState.FIN_WAIT2 && c.socket().remotePort(silent.port()));
      Duration inFinWait2 = ctx.sockets().timeIn(finWait2, "the end of FIN_WAIT_2 on " + client,
          Duration.ofSeconds(finTimeout + 15));

      ctx.progress("time-wait", client + " closes a connection whose peer closes too");
      ConnLoad.to(target, closing.port()).payload("bye\\n").run(ctx, client, "time-wait");
      SocketChange timeWait = ctx.sockets().await("TIME_WAIT on " + client, Waits.STEP, c -> c.node().equals(client)
          && c.to() == TcpState.TIME_WAIT && c.socket().remotePort(closing.port()));
      Optional<Double> lifetime = Optional.empty();
      if (params.get(WAIT_EXPIRY)) {
        ctx.progress("expiry", "waiting for " + client + "'s TIME_WAIT to expire (about 60 s)");
        lifetime = Optional.of(seconds(ctx.sockets().timeIn(timeWait, "TIME_WAIT expiry on " + client, EXPIRY_WAIT)));
      }
      double timer = timeWait.timeWaitRemaining().map(FinTimeout::seconds).orElse(0.0);
      var figures = new Outcome(finTimeout, seconds(inFinWait2), timer, lifetime);
      return new ScenarioResult(String.format(Locale.ROOT, "with tcp_fin_timeout=%d: the orphaned FIN_WAIT_2 lasted "
              + "%.1f s, but TIME_WAIT started with a %.1f s timer%s: tcp_fin_timeout does not shorten TIME_WAIT",
          finTimeout, figures.finWait2Seconds(), timer,
          lifetime.map(l -> String.format(Locale.ROOT, " and lasted %.1f s", l)).orElse("")), figures);
    } finally {
      silent.stop(ctx, "server");
      closing.stop(ctx, "server");
    }
  }

  private static double seconds(Duration d) {
    return Math.round(d.toMillis() / 100.0) / 10.0;
  }

  /** S11 fin-timeout. */
  public record Outcome(int finTimeoutSeconds, double finWait2Seconds, double timeWaitTimerAtEntry,
      Optional<Double> timeWaitSeconds) implements ScenarioOutcome {}
}
