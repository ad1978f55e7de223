package io.twlab.scenario.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.EnumParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.Program;
import io.twlab.scenario.ProgramContract;
import io.twlab.scenario.ProgramReport;
import io.twlab.scenario.RunNodeTemplate;
import io.twlab.scenario.RunningProgram;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.Background;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.ConnServer;
import io.twlab.scenario.kit.LabNodes;
import io.twlab.scenario.kit.StudentPrograms;
import io.twlab.scenario.kit.Waits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * S7: a server that never closes its side after the peer's FIN. CLOSE_WAIT piles up on the
 * server for as long as the process lives; the clients wait in FIN_WAIT_2, bounded by
 * tcp_fin_timeout only when the socket is orphaned.
 */
public final class CloseWaitLeak extends Scenario {
  private static final IntParam CONNECTIONS =
      new IntParam("connections", "clients that connect and close", 20, 1, 1_000);
  private static final EnumParam CLIENT_CLOSE = new EnumParam("client-close", "orphan: close(); held: shutdown(SHUT_WR) and keep the socket",
          "orphan", List.of("orphan", "held"));
  private static final IntParam FIN_TIMEOUT =
      new IntParam("fin-timeout", "tcp_fin_timeout of the clients (s)", 10, 1, 120);
  private static final IntParam NOFILE =
      new IntParam("nofile", "the server's open-file limit (0: the default)", 0, 0, 4_096);
  private static final IntParam PORT = new IntParam("port", "the server's port", 7300, 1024, 65535);
  private static final RunNodeTemplate<ScenarioParams> CLIENT = RunNodeTemplate.single("leak-client")
      .sysctlFromParam("net.ipv4.tcp_fin_timeout", FIN_TIMEOUT);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ProgramContract SERVER_PROGRAM = new ProgramContract("server", "the server",
      "twlab-conn serve --mode never-close (the leaking server)", List.of("PORT"), "a listening socket on PORT",
      "a server listens on the port it gets as its first argument, accepts every connection, reads each until the "
          + "client closes, and keeps serving until twlab stops it");
  /** How long a submitted server's sockets get to settle after the clients closed (it may close or not). */
  private static final Duration PROGRAM_SETTLE = Duration.ofSeconds(3);

  public CloseWaitLeak() {
    super(define("close-wait-leak")
        .parameters(CONNECTIONS, CLIENT_CLOSE, FIN_TIMEOUT, NOFILE, PORT)
        .runNodes(CLIENT)
        .programs(SERVER_PROGRAM)
        .title("A server that never closes: CLOSE_WAIT piles up")
        .teaches("""
            `connections` clients connect to a server that reads until end of file and then never \
            closes its socket (the bug). Each server socket stays in CLOSE_WAIT as long as the process \
            lives; nothing in the kernel times it out. The clients sit in FIN_WAIT_2: an orphaned one \
            (client-close=orphan: close() was called) is destroyed after tcp_fin_timeout; one still \
            held by its process (client-close=held: only shutdown(SHUT_WR)) has no timer at all. With \
            `nofile` the server runs out of file descriptors: accept() fails with EMFILE "Too many \
            open files" and further connections wait in the listen queue.""")
        .checksClaim("""
            CLOSE_WAIT means the application did not close its socket; it never goes away by itself."""));
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int connections = params.get(CONNECTIONS);
    int finTimeout = params.get(FIN_TIMEOUT);
    int nofile = params.get(NOFILE);
    boolean held = params.get(CLIENT_CLOSE).equals("held");
    ConnServer server = ConnServer.on(params.get(PORT)).mode("never-close").nofile(nofile);
    Optional<Program> program = ctx.program(SERVER_PROGRAM);
    Optional<RunningProgram> student = Optional.empty();
    if (program.isPresent()) {
      student = Optional.of(StudentPrograms.listening(ctx, SERVER_PROGRAM, program.get(), "server", server.port(),
          List.of(String.valueOf(server.port()))));
    } else {
      server.start(ctx, "server").ifPresent(error -> {
        throw new ScenarioFailure("the leaking server cannot listen on port " + server.port() + ": " + error);
      });
    }
    try {
      String client = CLIENT.addTo(ctx, params);
      ConnLoad load = ConnLoad.to(LabNodes.target(ctx.lab()), server.port()).count(connections)
          .close(held ? "hold" : "normal").holdSeconds(held ? finTimeout + 5 : 0);
      CompletableFuture<LoadReport> running = CompletableFuture.supplyAsync(() -> load.run(ctx, client, "connect"));
      // The leaking server's counts reach `connections`; a submitted one's may well not (it may close).
      Duration settle = program.isPresent() ? PROGRAM_SETTLE : Waits.STEP;
      int finWait2 = awaitCount(ctx, client, TcpState.FIN_WAIT2, connections, settle);
      int closeWait = awaitCount(ctx, "server", TcpState.CLOSE_WAIT, connections, settle);
      Optional<Double> finWait2Seconds = Optional.empty();
      Optional<Integer> heldCountedAfter = Optional.empty();
      if (held) {
        ctx.progress("hold", "clients hold their half-closed sockets past tcp_fin_timeout=" + finTimeout + " s");
        heldCountedAfter = Optional.of(finTimeout + 2);
        Thread.sleep(heldCountedAfter.get() * 1000L);
        finWait2 = ctx.counts(client).getOrDefault(TcpState.FIN_WAIT2, 0);
      } else {
        ctx.progress("fin-timeout", "orphaned FIN_WAIT_2 on " + client + " until tcp_fin_timeout=" + finTimeout + " s");
        Predicate<SocketChange> enters = c -> c.node().equals(client) && c.to() == TcpState.FIN_WAIT2;
        // A server that closes at once acks the client's FIN with its own: no FIN_WAIT_2 at all.
        Optional<SocketChange> entered = program.isPresent() ? ctx.sockets().first(enters)
            : Optional.of(ctx.sockets().await("FIN_WAIT_2 on " + client, Waits.STEP, enters));
        if (entered.isPresent()) {
          Duration lasted = ctx.sockets().timeIn(entered.get(), "the end of FIN_WAIT_2 on " + client,
              Duration.ofSeconds(finTimeout + 15));
          finWait2Seconds = Optional.of(Math.round(lasted.toMillis() / 100.0) / 10.0);
        }
      }
      Background.await(running);
      int closeWaitAtEnd = ctx.counts("server").getOrDefault(TcpState.CLOSE_WAIT, 0);
      int listenQueue = listenQueue(ctx, server.port());
      Optional<ProgramReport> report = student.map(p -> StudentPrograms.stillServing(SERVER_PROGRAM, program.get(), p));
      List<String> serverLines = program.isPresent() ? List.of() : server.stop(ctx, "server");
      Map<String, Long> acceptErrors = program.isPresent() ? Map.of() : acceptErrors(serverLines);
      String acceptMessage = serverLines.stream().filter(l -> l.startsWith("E ")).findFirst()
          .map(l -> l.split(" ", 3)).map(f -> f.length > 2 ? f[2] : "").orElse("");
      var figures = new Outcome(connections, closeWait, finWait2, held ? "held" : "orphan",
          finTimeout, finWait2Seconds, heldCountedAfter, closeWaitAtEnd, nofile, acceptErrors, acceptMessage, listenQueue,
          report);
      return new ScenarioResult(summary(figures), figures);
    } finally {
      if (student.isEmpty()) {
        server.stop(ctx, "server");
      }
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
    String line = ctx.exec("server", List.of("ss", "-ltnH", "sport = :" + port), Waits.STEP).stdout().trim();
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

  private static String summary(Outcome f) {
    StringBuilder s = new StringBuilder(f.program().map(p -> "the submitted server (" + p.language() + "): ").orElse(""));
    s.append(String.format(Locale.ROOT,
        "%d connections: %d CLOSE_WAIT on the server (still %d at the end: CLOSE_WAIT has no timer), "
            + "%d FIN_WAIT_2 on the clients", f.connections(), f.closeWaitOnServer(), f.closeWaitAtEnd(),
        f.finWait2OnClients()));
    f.finWait2Seconds().ifPresent(t -> s.append(String.format(Locale.ROOT,
        "; an orphaned FIN_WAIT_2 lasted %.1f s (tcp_fin_timeout=%d)", t, f.finTimeoutSeconds())));
    f.heldCountedAfterSeconds().ifPresent(after -> s.append(String.format(Locale.ROOT, " still there %d s after they "
        + "began, past tcp_fin_timeout=%d: a socket its process still holds has no FIN_WAIT_2 timer", after,
        f.finTimeoutSeconds())));
    if (!f.acceptErrors().isEmpty()) {
      s.append(String.format(Locale.ROOT, "; with nofile=%d accept() failed %s (\"%s\") and %d connections waited in "
          + "the listen queue: the accepted ones only the process can close, the others no process holds and the "
          + "kernel resets them when the listener closes (server TcpOutRsts)", f.nofile(), f.acceptErrors(),
          f.acceptErrorMessage(), f.listenQueue()));
    }
    return s.toString();
  }

  /** S7 close-wait-leak. */
  public record Outcome(int connections, int closeWaitOnServer, int finWait2OnClients, String clientClose,
      int finTimeoutSeconds, Optional<Double> finWait2Seconds, Optional<Integer> heldCountedAfterSeconds, int closeWaitAtEnd, int nofile,
      Map<String, Long> acceptErrors, String acceptErrorMessage, int listenQueue, Optional<ProgramReport> program)
      implements ScenarioOutcome {
    public Outcome {
      acceptErrors = Map.copyOf(acceptErrors);
    }
  }
}
