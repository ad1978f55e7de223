package io.twlab.scenario.builtin;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.core.TimeWaitEnd;
import io.twlab.lab.TopologyKind;
import io.twlab.lab.Topologies;
import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.EnumParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.SocketRecorder;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.ConnServer;
import io.twlab.scenario.kit.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * S1: a client connects to {@code nc -l}; one side's nc is interrupted. Only the active closer
 * enters TIME_WAIT, and it stays there 60 s whatever tcp_fin_timeout says.
 */
public final class NcTimeWait extends Scenario {
  private static final EnumParam CLOSER = new EnumParam("closer",
      "which side runs nc and is interrupted first; the other side closes after it", "client", List.of("client", "server"));
  private static final BoolParam WAIT_EXPIRY =
      new BoolParam("wait-expiry", "wait until TIME_WAIT expires and measure its lifetime (about 60 s)", false);
  private static final IntParam PORT = new IntParam("port", "the server's port", 5000, 1024, 65535);
  private static final BoolParam LATE_SYN = new BoolParam("late-syn", """
      once the closer is in TIME_WAIT, the other side connects again from its old port, as a late SYN \
      of the old connection would arrive: the TIME_WAIT answers with an ACK, the other side's kernel \
      answers that with an RST, and with tcp_rfc1337=0 (the default) the RST kills the TIME_WAIT \
      (RFC 1337's TIME_WAIT assassination); set tcp_rfc1337=1 on the closer to see it survive. \
      Direct labs only""", false);
  /** Long enough for the RST and the sample after it; a TIME_WAIT that survives is still there after. */
  private static final Duration LATE_SYN_WAIT = Duration.ofSeconds(3);
  /** TIME_WAIT is 60 s on Linux (TCP_TIMEWAIT_LEN); the margin covers sampling and timer slack. */
  private static final Duration EXPIRY_WAIT = Duration.ofSeconds(75);
  private static final String HELPER_LIFETIME = "600";

  public NcTimeWait() {
    super(define("nc-timewait")
        .parameters(CLOSER, WAIT_EXPIRY, PORT, LATE_SYN)
        .title("TIME_WAIT belongs to the side that closes first")
        .teaches("""
            A client connects to the server; the side chosen as closer runs nc and is interrupted \
            (SIGINT), so it sends the first FIN. The other side runs a small program that reads until \
            the end of the stream and closes 0.2 s later, as a server does after its last reply. The \
            active closer goes FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT and keeps the socket for 2*MSL = 60 s; \
            the other side goes CLOSE_WAIT -> LAST_ACK -> gone.""")
        .checksClaim("""
            Only the side that actively closes enters TIME_WAIT, and it lasts 2 MSL (60 s on Linux)."""));
  }


  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    String closerRole = params.get(CLOSER);
    int port = params.get(PORT);
    String client = ctx.lab().firstClient();
    String server = "server";
    String target = Topologies.serverAddressForClients(ctx.lab());
    SocketRecorder sockets = ctx.sockets();
    String closer = closerRole.equals("client") ? client : server;
    if (params.get(LATE_SYN) && ctx.lab().spec().topology() != TopologyKind.DIRECT) {
      throw new ScenarioFailure("late-syn needs a direct lab: through the gateway's NAT the other side cannot "
          + "reach the closer's own address and port; create a lab with topology direct");
    }
    ConnServer passiveServer = ConnServer.on(port).closeDelayMs(Waits.PASSIVE_CLOSE_MS);
    try {
      stopHelpers(ctx, client, server);
      if (closer.equals(server)) {
        ctx.progress("listen", server + ": nc -l " + port);
        ctx.start(server, List.of("sh", "-c", "exec timeout " + HELPER_LIFETIME + " nc -l " + port + " >/dev/null"));
      } else {
        ctx.progress("listen", server + ": a server that closes " + Waits.PASSIVE_CLOSE_MS + " ms after its peer");
        passiveServer.start(ctx, server).ifPresent(error -> {
          throw new ScenarioFailure("cannot listen on port " + port + ": " + error + "; choose another port");
        });
      }
      sockets.await("LISTEN on " + server + " port " + port + " (is the port held by an earlier run's "
          + "TIME_WAIT? choose another port or wait 60 s)", Waits.STEP,
          c -> c.node().equals(server) && c.to() == TcpState.LISTEN && c.socket().localPort(port));

      if (closer.equals(client)) {
        ctx.progress("connect", client + ": nc " + target + " " + port);
        ctx.start(client, List.of("sh", "-c", "exec timeout " + HELPER_LIFETIME + " nc " + target + " " + port
            + " >/dev/null"));
      } else {
        ctx.progress("connect", client + ": connects and closes " + Waits.PASSIVE_CLOSE_MS + " ms after its peer");
        ctx.start(client, ConnLoad.to(target, port).close("after-peer").closeDelayMs(Waits.PASSIVE_CLOSE_MS)
            .maxSeconds(Integer.parseInt(HELPER_LIFETIME)).command());
      }
      SocketChange clientSide = sockets.await("ESTABLISHED connection on " + client, Waits.STEP,
          c -> c.node().equals(client) && c.to() == TcpState.ESTABLISHED
              && c.socket().remote().equals(target + ":" + port));
      SocketChange serverSide = sockets.await("ESTABLISHED connection on " + server, Waits.STEP,
          c -> c.node().equals(server) && c.to() == TcpState.ESTABLISHED && c.socket().localPort(port));

      SocketChange active = closer.equals(client) ? clientSide : serverSide;
      SocketChange passive = closer.equals(client) ? serverSide : clientSide;
      ctx.progress("close", closer + ": SIGINT to nc, so " + closer + " sends the first FIN");
      ctx.exec(closer, List.of("pkill", "-INT", "-x", "nc"), Waits.STEP);

      SocketChange activeSettled = sockets.await("TIME_WAIT or close on " + active.node(), Waits.STEP,
          c -> c.sameSocket(active) && (c.to() == TcpState.TIME_WAIT || c.to() == TcpState.CLOSED));
      sockets.await("close on " + passive.node(), Waits.STEP,
          c -> c.sameSocket(passive) && c.to() == TcpState.CLOSED);

      Optional<SocketChange> timeWaitEntry = sockets.first(c -> c.to() == TcpState.TIME_WAIT
          && (c.sameSocket(active) || c.sameSocket(passive)));
      Optional<Duration> lifetime = Optional.empty();
      Optional<SocketChange> ended = Optional.empty();
      if (params.get(LATE_SYN) && activeSettled.to() == TcpState.TIME_WAIT) {
        if (closer.equals(client)) {
          passiveServer.stop(ctx, server);
        }
        ended = lateSyn(ctx, active, passive, activeSettled);
      }
      if (params.get(WAIT_EXPIRY) && activeSettled.to() == TcpState.TIME_WAIT && ended.isEmpty()) {
        ctx.progress("expiry", "waiting for " + active.node() + "'s TIME_WAIT to expire (about 60 s)");
        lifetime = Optional.of(sockets.timeIn(activeSettled, "TIME_WAIT expiry on " + active.node(), EXPIRY_WAIT));
        ended = sockets.first(c -> c.sameSocket(active) && c.from() == TcpState.TIME_WAIT);
      }

      List<ConnectionOutcome> outcomes = List.of(outcome(sockets, clientSide), outcome(sockets, serverSide));
      Optional<String> timeWaitNode = timeWaitEntry.map(SocketChange::node);
      var figures = new Outcome(closer,
          connection(clientSide), outcomes, timeWaitNode,
          timeWaitEntry.flatMap(c -> c.timeWaitRemaining()), lifetime,
          params.get(LATE_SYN), ended.flatMap(SocketChange::timeWaitEnd));
      return new ScenarioResult(summary(closer, figures), figures);
    } finally {
      stopHelpers(ctx, client, server);
      if (closer.equals(client)) {
        passiveServer.stop(ctx, server);
      }
    }
  }

  /**
   * The passive side connects from its old port to the closer's TIME_WAIT; returns the change that
   * ended the TIME_WAIT, if it ended.
   */
  private static Optional<SocketChange> lateSyn(ScenarioContext ctx, SocketChange active, SocketChange passive,
      SocketChange timeWait) throws InterruptedException {
    int passivePort = passive.socket().localPortNumber();
    ctx.progress("late-syn", passive.node() + ": connects from its old port " + passivePort + " to "
        + active.socket().local() + ", as a late SYN of the old connection");
    ConnLoad.to(active.socket().localIp(), active.socket().localPortNumber()).bindPort(passivePort)
        .timeoutSeconds(2).maxSeconds(5).run(ctx, passive.node(), "late-syn");
    return ctx.sockets().poll(LATE_SYN_WAIT, c -> c.sameSocket(timeWait) && c.from() == TcpState.TIME_WAIT);
  }

  /** Ends what this scenario (or an earlier run of it) left running: nc, and the passive client. */
  private static void stopHelpers(ScenarioContext ctx, String client, String server) {
    for (String node : List.of(client, server)) {
      ctx.exec(node, List.of("pkill", "-x", "nc"), Waits.STEP);
    }
    // The bracket keeps the pattern from matching the exec's own command line.
    ctx.exec(client, List.of("pkill", "-f", "twlab-con[n] load"), Waits.STEP);
  }

  private static ConnectionOutcome outcome(SocketRecorder sockets, SocketChange established) {
    List<TcpState> states = new ArrayList<>();
    for (SocketChange c : sockets.all(established::sameSocket)) {
      if (states.isEmpty()) {
        states.add(c.from());
      }
      states.add(c.to());
    }
    return new ConnectionOutcome(established.node(), connection(established), states,
        states.contains(TcpState.TIME_WAIT));
  }

  private static String connection(SocketChange c) {
    return c.socket().connection();
  }

  private static String summary(String closer, Outcome f) {
    if (f.timeWaitNode().isEmpty()) {
      return closer + " closed first but no TIME_WAIT was observed (sampling every 100 ms)";
    }
    String node = f.timeWaitNode().get();
    String other = f.nodes().stream().map(ConnectionOutcome::node).filter(n -> !n.equals(node)).findFirst().orElse("peer");
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s closed first and holds TIME_WAIT", node));
    f.timeWaitTimerAtEntry().ifPresent(t -> s.append(String.format(Locale.ROOT, " (timer %.1f s at entry)", t.toMillis() / 1000.0)));
    s.append("; ").append(other).append(" never entered TIME_WAIT");
    if (f.lateSyn()) {
      s.append(f.timeWaitEnd().filter(e -> e == TimeWaitEnd.RESET).isPresent()
          ? "; a late SYN from " + other + " drew an ACK from the TIME_WAIT, " + other + "'s kernel answered with an RST, "
              + "and the RST killed the TIME_WAIT (TIME_WAIT assassination, RFC 1337; tcp_rfc1337=1 prevents it)"
          : f.timeWaitEnd().map(e -> "; after the late SYN the TIME_WAIT ended: " + e.meaning())
              .orElse("; the TIME_WAIT survived the late SYN and the RST it drew (tcp_rfc1337=1 ignores such RSTs)"));
    }
    f.timeWaitLifetime().ifPresent(t -> s.append(String.format(Locale.ROOT,
        "; TIME_WAIT lasted %.1f s (2 MSL = 60 s; the kernel's timer wheel fires a 60 s timer up to a few seconds late)",
        t.toMillis() / 1000.0)));
    return s.toString();
  }

  /** S1 nc-timewait. */
  public record Outcome(
      String closer,
      String clientConnection,
      List<ConnectionOutcome> nodes,
      Optional<String> timeWaitNode,
      Optional<Duration> timeWaitTimerAtEntry,
      Optional<Duration> timeWaitLifetime,
      boolean lateSyn,
      Optional<TimeWaitEnd> timeWaitEnd) implements ScenarioOutcome {
    public Outcome {
      nodes = List.copyOf(nodes);
    }

    public boolean expiryMeasured() {
      return timeWaitLifetime.isPresent();
    }
  }

  /** One side of a connection and the states it went through. */
  public record ConnectionOutcome(String node, String connection, List<TcpState> states, boolean timeWaitSeen) {
    public ConnectionOutcome {
      states = List.copyOf(states);
    }
  }
}
