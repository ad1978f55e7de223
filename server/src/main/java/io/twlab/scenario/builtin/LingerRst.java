package io.twlab.scenario.builtin;

import io.twlab.capture.CaptureFilter;
import io.twlab.core.TcpState;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ParameterSpec.ListParam;
import io.twlab.scenario.Program;
import io.twlab.scenario.ProgramContract;
import io.twlab.scenario.ProgramReport;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.ConnServer;
import io.twlab.scenario.kit.LabNodes;
import io.twlab.scenario.kit.Packet;
import io.twlab.scenario.kit.PacketCapture;
import io.twlab.scenario.kit.PacketCapture.Capture;
import io.twlab.scenario.kit.StudentPrograms;
import io.twlab.scenario.kit.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * S6: closing with SO_LINGER {on, 0} aborts the connection: an RST instead of a FIN, no TIME_WAIT,
 * and the peer's recv() fails with ECONNRESET. A small program, not socat (docs/kernel-facts.md §3).
 */
public final class LingerRst extends Scenario {
  private static final ListParam CLOSE =
      new ListParam("close", "the closes to compare", "normal,linger0", List.of("normal", "linger0"));
  private static final IntParam PORT =
      new IntParam("port", "the echo server's first port (one port per case)", 7200, 1024, 65000);
  private static final Duration PEER_WAIT = Duration.ofSeconds(5);
  private static final ProgramContract CLIENT_PROGRAM = new ProgramContract("client", "the lab's first client",
      "twlab-conn load (one connection, closed as `close` says)", List.of("HOST", "PORT"), "",
      "a client connects to HOST:PORT (its two arguments), sends one line, reads the echo, closes and exits");
  /** The close of a case whose client is a submitted program. */
  private static final String PROGRAM_CLOSE = "program";

  public LingerRst() {
    super(define("linger-rst")
        .parameters(CLOSE, PORT)
        .programs(CLIENT_PROGRAM)
        .title("SO_LINGER {1,0}: RST instead of FIN, and no TIME_WAIT")
        .teaches("""
            The client connects to an echo server, sends one line, reads the echo and closes: once \
            with a normal close() (FIN, then TIME_WAIT on the client) and once after setting SO_LINGER \
            {l_onoff=1, l_linger=0}, which makes close() abort the connection with an RST. No \
            TIME_WAIT is left, and the server's recv() fails with ECONNRESET "Connection reset by \
            peer". Packets come from tcpdump on the client. socat's linger=0 is not used: it shuts the \
            socket down first, so a FIN goes out anyway.""")
        .checksClaim("""
            Setting SO_LINGER with a zero timeout avoids TIME_WAIT: close() sends RST and the peer \
            sees a reset."""));
  }


  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    String client = ctx.lab().firstClient();
    String target = LabNodes.target(ctx.lab());
    List<LingerCase> cases = new ArrayList<>();
    int port = params.get(PORT);
    Optional<Program> program = ctx.program(CLIENT_PROGRAM);
    for (String close : program.isPresent() ? List.of(PROGRAM_CLOSE) : params.get(CLOSE)) {
      ConnServer server = ConnServer.on(port++).closeDelayMs(Waits.PASSIVE_CLOSE_MS);
      server.start(ctx, "server").ifPresent(error -> {
        throw new ScenarioFailure("the echo server cannot listen on port " + server.port() + ": " + error
            + "; choose another port");
      });
      try {
        cases.add(closeOnce(ctx, client, target, server, close, program));
      } finally {
        server.stop(ctx, "server");
      }
    }
    var figures = new Outcome(cases);
    return new ScenarioResult(cases.stream().map(c -> String.format(Locale.ROOT, "%s close: %s%s, %s, server saw %s",
        c.close(), c.rstSent() ? "RST" : "", c.finSent() ? (c.rstSent() ? "+FIN" : "FIN") : "",
        c.timeWaitSeen() ? "TIME_WAIT on the client" : "no TIME_WAIT",
        c.peerEnd().equals("eof") ? "end of file" : c.peerEnd() + " \"" + c.peerMessage() + "\""))
        .collect(Collectors.joining("; ")), figures);
  }

  private static LingerCase closeOnce(ScenarioContext ctx, String client, String target, ConnServer server,
      String close, Optional<Program> program) throws InterruptedException {
    ctx.progress("close", client + ": connect, echo one line, then a " + close + " close");
    PacketCapture capture = PacketCapture.start(ctx, client, CaptureFilter.tcpPort(server.port()));
    Optional<ProgramReport> report = Optional.empty();
    if (program.isPresent()) {
      report = Optional.of(StudentPrograms.toItsEnd(ctx, CLIENT_PROGRAM, program.get(), client,
          List.of(target, String.valueOf(server.port()))));
    } else {
      LoadReport load = ConnLoad.to(target, server.port()).payload("hello\\n").close(close).run(ctx, client, close);
      if (load.succeeded() != 1) {
        throw new ScenarioFailure("the client could not talk to the echo server: " + load.errorMessages());
      }
    }
    String peerEnd = awaitPeerEnd(ctx, server);
    PacketCapture.Capture packets = capture.stop(ctx);
    // The client's close settles once a sample after it was joined with the tracer: wait for it.
    boolean timeWait = ctx.sockets().poll(Waits.STEP, c -> c.node().equals(client) && c.socket().remotePort(server.port())
        && (c.to() == TcpState.TIME_WAIT || c.to() == TcpState.CLOSED)).filter(c -> c.to() == TcpState.TIME_WAIT)
        .isPresent();
    String[] end = peerEnd.split(" ", 2);
    return new LingerCase(close, !packets.matching(true, "F").isEmpty(), !packets.matching(true, "R").isEmpty(),
        timeWait, end[0], end.length > 1 ? end[1] : "", packets.packets(), report);
  }

  /** The server's "D <peer> eof|ERRNO message" line, without the peer. */
  private static String awaitPeerEnd(ScenarioContext ctx, ConnServer server) throws InterruptedException {
    long deadline = System.nanoTime() + PEER_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : server.lines(ctx, "server")) {
        if (line.startsWith("D ")) {
          String[] f = line.split(" ", 3);
          return f.length > 2 ? f[2] : "";
        }
      }
      Thread.sleep(100);
    }
    throw new ScenarioFailure("the server never saw the client's end within " + PEER_WAIT.toSeconds() + " s");
  }

  /** S6 linger-rst. */
  public record Outcome(List<LingerCase> cases) implements ScenarioOutcome {
    public Outcome {
      cases = List.copyOf(cases);
    }
  }

  /** One close of S6. */
  public record LingerCase(String close, boolean finSent, boolean rstSent, boolean timeWaitSeen, String peerEnd,
      String peerMessage, List<Packet> packets, Optional<ProgramReport> program) {
    public LingerCase {
      packets = List.copyOf(packets);
    }
  }
}
