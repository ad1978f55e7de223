package io.twlab.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twlab.lab.TopologyKind;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.scenario.ParameterSpec.EnumParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ScenarioDescriptor.SysctlUse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * S7: a server that never closes its side after the peer's FIN. CLOSE_WAIT piles up on the
 * server for as long as the process lives; the clients wait in FIN_WAIT_2, bounded by
 * tcp_fin_timeout only when the socket is orphaned.
 */
public final class CloseWaitLeak implements Scenario {
  public static final String NAME = "close-wait-leak";
  static final String NODE = "leak-client";
  private static final Duration STEP = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final ScenarioDescriptor DESCRIPTOR = new ScenarioDescriptor(
      NAME,
      "A server that never closes: CLOSE_WAIT piles up",
      "`connections` clients connect to a server that reads until end of file and then never closes its "
          + "socket (the bug). Each server socket stays in CLOSE_WAIT as long as the process lives; nothing in "
          + "the kernel times it out. The clients sit in FIN_WAIT_2: an orphaned one (client-close=orphan: "
          + "close() was called) is destroyed after tcp_fin_timeout; one still held by its process "
          + "(client-close=held: only shutdown(SHUT_WR)) has no timer at all. With `nofile` the server runs out "
          + "of file descriptors: accept() fails with EMFILE \"Too many open files\" and further connections "
          + "wait in the listen queue.",
      "CLOSE_WAIT means the application did not close its socket; it never goes away by itself.",
      List.of(TopologyKind.DIRECT, TopologyKind.NAT),
      List.of(
          new IntParam("connections", "clients that connect and close", 20, 1, 1_000),
          new EnumParam("client-close", "orphan: close(); held: shutdown(SHUT_WR) and keep the socket",
              "orphan", List.of("orphan", "held")),
          new IntParam("fin-timeout", "tcp_fin_timeout of the clients (s)", 10, 1, 120),
          new IntParam("nofile", "the server's open-file limit (0: the default)", 0, 0, 4_096),
          new IntParam("port", "the server's port", 7300, 1024, 65535)),
      List.of(new SysctlUse(NODE, "net.ipv4.tcp_fin_timeout", "params[fin-timeout]")));

  @Override
  public ScenarioDescriptor descriptor() {
    return DESCRIPTOR;
  }

  @Override
  public List<String> runNodes(ScenarioParams params) {
    return List.of(NODE);
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int connections = params.integer("connections");
    int finTimeout = params.integer("fin-timeout");
    int nofile = params.integer("nofile");
    boolean held = params.text("client-close").equals("held");
    ConnServer server = ConnServer.on(params.integer("port")).mode("never-close").nofile(nofile);
    server.start(ctx, "server").ifPresent(error -> {
      throw new ScenarioFailure("the leaking server cannot listen on port " + server.port() + ": " + error);
    });
    try {
      String client = ctx.addNode(new ScenarioContext.RunNode(NODE, LabNodes.firstClient(ctx.lab()),
          Map.of("net.ipv4.tcp_fin_timeout", String.valueOf(finTimeout)), false)).name();
      ConnLoad load = ConnLoad.to(LabNodes.target(ctx.lab()), server.port()).count(connections)
          .close(held ? "hold" : "normal").holdSeconds(held ? finTimeout + 5 : 0);
      CompletableFuture<LoadReport> running = CompletableFuture.supplyAsync(() -> load.run(ctx, client, "connect"));
      int finWait2 = awaitCount(ctx, client, TcpState.FIN_WAIT2, connections, STEP);
      int closeWait = awaitCount(ctx, "server", TcpState.CLOSE_WAIT, connections, STEP);
      Optional<Double> finWait2Seconds = Optional.empty();
      if (held) {
        ctx.progress("hold", "clients hold their half-closed sockets past tcp_fin_timeout=" + finTimeout + " s");
        Thread.sleep((finTimeout + 2) * 1000L);
        finWait2 = ctx.counts(client).getOrDefault(TcpState.FIN_WAIT2, 0);
      } else {
        ctx.progress("fin-timeout", "orphaned FIN_WAIT_2 on " + client + " until tcp_fin_timeout=" + finTimeout + " s");
        SocketChange entered = ctx.sockets().await("FIN_WAIT_2 on " + client, STEP,
            c -> c.node().equals(client) && c.to() == TcpState.FIN_WAIT2);
        Duration lasted = ctx.sockets().timeIn(entered, "the end of FIN_WAIT_2 on " + client,
            Duration.ofSeconds(finTimeout + 15));
        finWait2Seconds = Optional.of(Math.round(lasted.toMillis() / 100.0) / 10.0);
      }
      Background.await(running);
      int closeWaitAtEnd = ctx.counts("server").getOrDefault(TcpState.CLOSE_WAIT, 0);
      int listenQueue = listenQueue(ctx, server.port());
      List<String> serverLines = server.stop(ctx, "server");
      Map<String, Long> acceptErrors = acceptErrors(serverLines);
      String acceptMessage = serverLines.stream().filter(l -> l.startsWith("E ")).findFirst()
          .map(l -> l.split(" ", 3)).map(f -> f.length > 2 ? f[2] : "").orElse("");
      var figures = new ScenarioOutcome.CloseWaitLeak(connections, closeWait, finWait2, held ? "held" : "orphan",
          finTimeout, finWait2Seconds, closeWaitAtEnd, nofile, acceptErrors, acceptMessage, listenQueue);
      return new ScenarioResult(summary(figures), figures);
    } finally {
      server.stop(ctx, "server");
    }
  }

  /** Polls the node's state count until it reaches {@code want} or the time is up; returns the last count. */
  private static int awaitCount(ScenarioContext ctx, String node, TcpState state, int want, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int count = 0;
    while (System.nanoTime() < deadline) {
      count = ctx.counts(node).getOrDefault(state, 0);
      if (count >= want) {
        break;
      }
      Thread.sleep(100);
    }
    return count;
  }

  private static int listenQueue(ScenarioContext ctx, int port) {
    // "LISTEN 5 128 0.0.0.0:7300 0.0.0.0:*": Recv-Q of a listener is its accept queue.
    String line = ctx.exec("server", List.of("ss", "-ltnH", "sport = :" + port), STEP).stdout().trim();
    String[] f = line.split("\\s+");
    return f.length > 1 && f[1].matches("\\d+") ? Integer.parseInt(f[1]) : 0;
  }

  private static Map<String, Long> acceptErrors(List<String> serverLines) {
    String report = serverLines.stream().filter(l -> l.startsWith("R ")).findFirst()
        .orElseThrow(() -> new ScenarioFailure("the leaking server stopped without its report (R line); its last lines: "
            + serverLines.subList(Math.max(0, serverLines.size() - 5), serverLines.size()) + "; rebuild the lab images (lab-images/build.sh)"));
    Map<String, Long> errors = new LinkedHashMap<>();
    try {
      JSON.readTree(report.substring(2)).path("accept_errors").fields()
          .forEachRemaining(e -> errors.put(e.getKey(), e.getValue().asLong()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ScenarioFailure("unreadable server report: " + report);
    }
    return errors;
  }

  private static String summary(ScenarioOutcome.CloseWaitLeak f) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "%d connections: %d CLOSE_WAIT on the server (still %d at the end: only the process can close them), "
            + "%d FIN_WAIT_2 on the clients", f.connections(), f.closeWaitOnServer(), f.closeWaitAtEnd(),
        f.finWait2OnClients()));
    f.finWait2Seconds().ifPresent(t -> s.append(String.format(Locale.ROOT,
        "; an orphaned FIN_WAIT_2 lasted %.1f s (tcp_fin_timeout=%d)", t, f.finTimeoutSeconds())));
    if (f.clientClose().equals("held")) {
      s.append(String.format(Locale.ROOT, " still there %d s after they began, past tcp_fin_timeout=%d: a socket "
          + "its process still holds has no FIN_WAIT_2 timer", f.finTimeoutSeconds() + 2, f.finTimeoutSeconds()));
    }
    if (!f.acceptErrors().isEmpty()) {
      s.append(String.format(Locale.ROOT, "; with nofile=%d accept() failed %s (\"%s\") and %d connections waited in "
          + "the listen queue", f.nofile(), f.acceptErrors(), f.acceptErrorMessage(), f.listenQueue()));
    }
    return s.toString();
  }
}
