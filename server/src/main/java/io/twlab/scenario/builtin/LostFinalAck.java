package io.twlab.scenario.builtin;

import io.twlab.capture.CaptureFilter;
import io.twlab.core.ExecResult;
import io.twlab.core.TcpState;
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
import io.twlab.scenario.kit.Packet;
import io.twlab.scenario.kit.PacketCapture;
import io.twlab.scenario.kit.PacketCapture.Capture;
import io.twlab.scenario.kit.Waits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * S10: the active closer's final ACK is dropped (an iptables rule for that one connection on the
 * client). The server stays in LAST_ACK and retransmits its FIN with back-off; the client's
 * TIME_WAIT answers each one and restarts its 60 s timer. Without TIME_WAIT
 * (tcp_max_tw_buckets=0) the retransmitted FIN finds no socket and gets an RST.
 */
public final class LostFinalAck extends Scenario {
  private static final IntParam OBSERVE = new IntParam("observe-seconds", "how long the final ACKs are dropped", 8, 1, 120);
  private static final IntParam PORT =
      new IntParam("port", "the echo server's first port (the second case uses port + 1)", 7500, 1024, 65000);
  private static final String MAX_TW_BUCKETS = "net.ipv4.tcp_max_tw_buckets";
  private static final RunNodeTemplate<ScenarioParams> CLIENT = RunNodeTemplate.single("ack-client").withNetAdmin();
  private static final RunNodeTemplate<ScenarioParams> CLIENT_WITHOUT_TIME_WAIT =
      RunNodeTemplate.single("ack-client-notw").withNetAdmin().sysctl(MAX_TW_BUCKETS, "0", (params, cell) -> "0");
  private static final Duration LAST_ACK_END = Duration.ofSeconds(40);
  private static final String GO = "/tmp/twlab-close-now";
  private static final int LOCAL_PORT = 45_000;
  private static final double TIME_WAIT_SECONDS = 60.0;

  public LostFinalAck() {
    super(define("lost-final-ack")
        .parameters(OBSERVE, PORT)
        .runNodes(CLIENT, CLIENT_WITHOUT_TIME_WAIT)
        .title("Why TIME_WAIT exists: the lost final ACK")
        .teaches("""
            A client connects to an echo server from a fixed port, an iptables rule on the client \
            drops that connection's pure ACKs, and the client closes. The server's FIN is answered by \
            an ACK that never arrives, so the server stays in LAST_ACK and sends its FIN again: first \
            as a tail-loss probe about 0.2 s after it (TcpExtTCPLossProbes), then each time its \
            retransmission timeout runs out, the timeout doubling (about 0.4, 0.85, 1.7, 3.4, 6.8 s \
            after the first FIN). The client, in TIME_WAIT, answers every one with an ACK and \
            restarts its 60 s timer. After `observe-seconds` the rule is removed and the next FIN is \
            acknowledged. The second case gives the client tcp_max_tw_buckets=0: it keeps no \
            TIME_WAIT, so the first FIN sent again (the probe) meets an RST. Packets are captured by \
            tcpdump on the server.""")
        .checksClaim("""
            TIME_WAIT lets the active closer re-acknowledge a retransmitted FIN; without it the peer \
            gets a reset."""));
  }



  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int port = params.get(PORT);
    int observe = params.get(OBSERVE);
    List<LostAckCase> cases = List.of(
        lostAck(ctx, params, CLIENT, port, observe),
        lostAck(ctx, params, CLIENT_WITHOUT_TIME_WAIT, port + 1, observe));
    var figures = new Outcome(cases);
    return new ScenarioResult(cases.stream().map(LostFinalAck::summary).collect(Collectors.joining("; ")), figures);
  }

  private static LostAckCase lostAck(ScenarioContext ctx, ScenarioParams params, RunNodeTemplate<ScenarioParams> node,
      int port, int observeSeconds) throws InterruptedException {
    String client = node.addTo(ctx, params);
    int buckets = Integer.parseInt(node.sysctls(params, params).getOrDefault(MAX_TW_BUCKETS, "-1"));
    ConnServer server = ConnServer.on(port);
    server.start(ctx, "server").ifPresent(error -> {
      throw new ScenarioFailure("the echo server cannot listen on port " + port + ": " + error);
    });
    PacketCapture capture = PacketCapture.start(ctx, "server", CaptureFilter.tcpPort(port));
    try {
      ctx.progress(client, client + " connects from port " + LOCAL_PORT + " and holds the connection");
      ctx.start(client, ConnLoad.to(LabNodes.target(ctx.lab()), port).bindPort(LOCAL_PORT).closeWhenFile(GO)
          .maxSeconds(60).command());
      ctx.sockets().await("the connection from " + client + " port " + LOCAL_PORT, Waits.STEP,
          c -> c.node().equals(client) && c.to() == TcpState.ESTABLISHED && c.socket().localPort(LOCAL_PORT));
      List<String> rule = LabNodes.runRule("OUTPUT", "-p", "tcp", "--sport", String.valueOf(LOCAL_PORT),
          "--tcp-flags", "ALL", "ACK", "-j", "DROP");
      check(ctx, client, iptables("-A", rule));
      ctx.progress(client, client + " closes; its final ACKs are dropped for " + observeSeconds + " s");
      check(ctx, client, List.of("touch", GO));
      Thread.sleep(observeSeconds * 1000L);
      double timerAtEnd = timeWaitTimer(ctx, client, LOCAL_PORT);
      Instant timerRead = Instant.now();
      int acks = droppedPackets(ctx, client);
      check(ctx, client, iptables("-D", rule));
      ctx.progress(client, "rule removed: the next FIN is acknowledged");
      awaitNoLastAck(ctx, port);
      PacketCapture.Capture packets = capture.stop(ctx);
      boolean timeWait = ctx.sockets().first(c -> c.node().equals(client) && c.to() == TcpState.TIME_WAIT
          && c.socket().localPort(LOCAL_PORT)).isPresent();
      return analyse(buckets, packets, acks, timeWait, timerAtEnd, timerRead);
    } finally {
      capture.stop(ctx);
      server.stop(ctx, "server");
      ctx.removeNode(client);
    }
  }

  private static LostAckCase analyse(int buckets, PacketCapture.Capture capture, int acks, boolean timeWait,
      double timerAtEnd, Instant timerRead) {
    List<Packet> fins = capture.matching(true, "F");
    if (fins.isEmpty()) {
      throw new ScenarioFailure("the server never sent its FIN: the client's close did not reach it");
    }
    double firstFin = fins.get(0).atSeconds();
    List<Double> retransmits = fins.stream().skip(1).map(p -> round(p.atSeconds() - firstFin)).toList();
    // LAST_ACK ends with the first ACK or RST from the client that the server receives after its FIN.
    Packet end = capture.packets().stream().filter(p -> !p.outgoing() && p.atSeconds() > firstFin
        && (p.flags().equals(".") || p.flags().startsWith("R"))).findFirst().orElse(null);
    boolean rst = capture.packets().stream().anyMatch(p -> !p.outgoing() && p.atSeconds() > firstFin
        && p.flags().startsWith("R"));
    double sinceFirstFin = timerRead.toEpochMilli() / 1000.0 - (capture.startEpochSeconds() + firstFin);
    return new LostAckCase(buckets, end == null ? 0 : round(end.atSeconds() - firstFin), retransmits, acks, rst,
        timeWait, timerAtEnd, timeWait ? round(TIME_WAIT_SECONDS - sinceFirstFin) : 0, capture.packets());
  }

  /** The remaining TIME_WAIT timer of the client's socket on {@code localPort}, from /proc/net/tcp; 0 if none. */
  static double timeWaitTimer(ScenarioContext ctx, String node, int localPort) {
    String table = ctx.exec(node, List.of("cat", "/proc/net/tcp"), Waits.STEP).stdout();
    return parseTimeWaitTimer(table, localPort);
  }

  /** {@code sl local rem st tx:rx tr:when ...}: TIME_WAIT is state 06; {@code when} counts 1/100 s. */
  static double parseTimeWaitTimer(String procNetTcp, int localPort) {
    for (String line : procNetTcp.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 5 && f[3].equals("06") && f[1].contains(":")
          && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == localPort) {
        return Long.parseLong(f[5].substring(f[5].indexOf(':') + 1), 16) / 100.0;
      }
    }
    return 0;
  }

  private static int droppedPackets(ScenarioContext ctx, String client) {
    // "    5   260 DROP  tcp  --  *  *  0.0.0.0/0  0.0.0.0/0  tcp spt:45000 flags:0x3F/0x10"
    String listing = ctx.exec(client, List.of("iptables", "-L", "OUTPUT", "-v", "-n", "-x"), Waits.STEP).stdout();
    return listing.lines().map(String::trim).filter(l -> l.contains("spt:" + LOCAL_PORT)).findFirst()
        .map(l -> Integer.parseInt(l.split("\\s+")[0])).orElse(0);
  }

  private static void awaitNoLastAck(ScenarioContext ctx, int port) throws InterruptedException {
    long deadline = System.nanoTime() + LAST_ACK_END.toNanos();
    while (!ctx.exec("server", List.of("ss", "-tanH", "state", "last-ack", "sport = :" + port), Waits.STEP).stdout().isBlank()) {
      if (System.nanoTime() > deadline) {
        throw new ScenarioFailure("the server was still in LAST_ACK " + LAST_ACK_END.toSeconds()
            + " s after the rule was removed");
      }
      Thread.sleep(200);
    }
  }

  private static List<String> iptables(String action, List<String> rule) {
    List<String> command = new ArrayList<>(List.of("iptables", action));
    command.addAll(rule);
    return command;
  }

  private static void check(ScenarioContext ctx, String node, List<String> command) {
    ExecResult result = ctx.exec(node, command, Waits.STEP);
    if (!result.ok()) {
      throw new ScenarioFailure("on " + node + ", `" + String.join(" ", command) + "` failed: " + result.stderr().trim());
    }
  }

  private static String summary(LostAckCase c) {
    String who = c.clientMaxTwBuckets() == 0 ? "client without TIME_WAIT (tcp_max_tw_buckets=0)" : "client with TIME_WAIT";
    String s = String.format(Locale.ROOT, "%s: server in LAST_ACK %.1f s, FIN retransmitted at %s s",
        who, c.lastAckSeconds(), c.finRetransmits());
    if (c.clientRst()) {
      return s + ", answered by an RST from the client";
    }
    return s + String.format(Locale.ROOT, ", the client sent %d ACKs, all dropped (its final ACK and %d re-sent for "
        + "the FINs sent again) and its TIME_WAIT timer read %.1f s (%.1f s had it not restarted)", c.clientAcks(),
        c.clientAcksResent(), c.clientTimerAtEnd(), c.timerWithoutRestart());
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }

  /** S10 lost-final-ack. */
  public record Outcome(List<LostAckCase> cases) implements ScenarioOutcome {
    public Outcome {
      cases = List.copyOf(cases);
    }
  }

  /** One client setting of S10. */
  public record LostAckCase(int clientMaxTwBuckets, double lastAckSeconds, List<Double> finRetransmits, int clientAcks,
      boolean clientRst, boolean clientTimeWait, double clientTimerAtEnd, double timerWithoutRestart,
      List<Packet> packets) {
    public LostAckCase {
      finRetransmits = List.copyOf(finRetransmits);
      packets = List.copyOf(packets);
    }

    /** The ACKs that answered a FIN sent again: all of the client's but its final ACK. */
    public int clientAcksResent() {
      return Math.max(0, clientAcks - 1);
    }
  }
}
