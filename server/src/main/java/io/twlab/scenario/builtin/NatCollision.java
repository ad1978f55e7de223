package io.twlab.scenario.builtin;

import io.twlab.capture.CaptureFilter;
import io.twlab.core.ExecResult;
import io.twlab.core.KernelCounters;
import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ParameterSpec.ListParam;
import io.twlab.scenario.RunNodeTemplate;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.Background;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.LabNodes;
import io.twlab.scenario.kit.Packet;
import io.twlab.scenario.kit.PacketCapture;
import io.twlab.scenario.kit.Waits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * S9: several clients behind the NAT gateway share a few SNAT ports and talk to a redis that
 * closes first (QUIT), so redis holds TIME_WAIT for the gateway's reused tuples. Run once with
 * the clients' timestamps on and once off; the outcome varies between runs, so it is reported as
 * distributions and counters.
 */
public final class NatCollision extends Scenario {
  private static final IntParam SNAT_PORTS =
      new IntParam("snat-ports", "source ports the gateway may use during the run", 5, 1, 1_000);
  private static final IntParam CLIENTS = new IntParam("clients", "clients per case", 2, 1, 5);
  private static final IntParam CONNECTIONS = new IntParam("connections", "connections per client", 40, 1, 5_000);
  private static final ListParam TIMESTAMPS =
      new ListParam("timestamps", "tcp_timestamps of the clients, one case each", "1,0", List.of("0", "1"));
  private static final IntParam CONNECT_TIMEOUT =
      new IntParam("connect-timeout", "seconds before a connect counts as a timeout", 4, 1, 30);
  private static final int POOL_BASE = 61_000;
  private static final RunNodeTemplate<Client> CLIENT = RunNodeTemplate
      .perCell("nat-ts<t>-c<n>", NatCollision::clients, Client::node)
      .sysctl("net.ipv4.tcp_timestamps", "params[timestamps]", (params, client) -> client.timestamps() ? "1" : "0");
  static final String EXPLANATION = "tcp_tw_recycle, which the articles blame for NAT failures, was removed in "
      + "Linux 4.12 and cannot be set (twlab refuses it). What still hurts clients behind a NAT today: (1) the "
      + "server's TIME_WAIT socket for a reused tuple answers a SYN whose timestamp is older than the last one it "
      + "saw with a bare ACK (PAWS, TcpExtPAWSTimewait); the client answers with RST, which ends that TIME_WAIT, "
      + "and sends its SYN again at once, adding delay (redis' capture shows each such exchange); (2) the gateway's conntrack cannot insert a new mapping that clashes with a live one "
      + "(conntrack insert_failed) and drops the SYN, so the client waits for its SYN retransmission (1 s, 3 s) "
      + "or times out. Timestamps off avoids (1) but not (2).";

  public NatCollision() {
    super(define("nat-collision")
        .runsOn(TopologyKind.NAT)
        .parameters(SNAT_PORTS, CLIENTS, CONNECTIONS, TIMESTAMPS, CONNECT_TIMEOUT)
        .runNodes(CLIENT)
        .title("Clients behind a NAT with few source ports, a server that closes first")
        .teaches("""
            The gateway's MASQUERADE rule is narrowed to `snat-ports` source ports for the run. \
            `clients` fresh clients per case send QUIT to redis over short connections at once; redis \
            closes first and keeps TIME_WAIT for each (gateway address, SNAT port) tuple, which the \
            NAT soon hands to another client. Each case measures connect latency, timeouts, redis' \
            TcpExtPAWSTimewait and the gateway's conntrack insert_failed.""")
        .checksClaim("""
            Articles say that behind a NAT a server's TIME_WAIT plus timestamps makes connections fail; \
            that was tcp_tw_recycle, gone since Linux 4.12. Today PAWS delays a connect (the client's RST \
            and a quick SYN retry) rather than failing it, and the timeouts come from the gateway's \
            conntrack clashes, with timestamps on or off alike."""));
  }



  /** One client of one case. */
  private record Client(boolean timestamps, int index) {
    String node() {
      return "nat-ts" + (timestamps ? 1 : 0) + "-c" + index;
    }
  }

  private static List<Client> clients(ScenarioParams params) {
    List<Client> clients = new ArrayList<>();
    for (String timestamps : params.get(TIMESTAMPS)) {
      for (int c = 1; c <= params.get(CLIENTS); c++) {
        clients.add(new Client(timestamps.equals("1"), c));
      }
    }
    return clients;
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int poolSize = params.get(SNAT_PORTS);
    List<NatCase> cases = new ArrayList<>();
    List<String> timestamps = params.get(TIMESTAMPS);
    ExecutorService clients = Executors.newFixedThreadPool(params.get(CLIENTS));
    try {
      for (int i = 0; i < timestamps.size(); i++) {
        // A pool per case: the previous case's TIME_WAITs on redis must not meet this one.
        int first = POOL_BASE + i * 1_000;
        cases.add(runCase(ctx, params, clients, timestamps.get(i).equals("1"), first + "-" + (first + poolSize - 1)));
      }
    } finally {
      clients.shutdownNow();
    }
    var figures = new Outcome(String.valueOf(poolSize), cases, EXPLANATION);
    return new ScenarioResult(cases.stream().map(c -> String.format(Locale.ROOT,
            "timestamps %s: %d/%d connected, %d timeouts, %d connects met redis' TIME_WAIT (SYN, bare ACK, RST, "
                + "SYN again), PAWSTimewait %d, conntrack insert_failed %d, connect %s",
            c.timestamps() ? "on" : "off", c.loads().stream().mapToLong(LoadReport::succeeded).sum(),
            c.loads().stream().mapToLong(LoadReport::attempted).sum(), c.timeouts(), c.challengedConnects(),
            c.pawsTimewait(), c.insertFailed(), c.connectHistogram()))
        .collect(Collectors.joining("; ")) + ". tcp_tw_recycle no longer exists (removed in Linux 4.12)", figures);
  }

  private static NatCase runCase(ScenarioContext ctx, ScenarioParams params, ExecutorService pool, boolean timestamps,
      String ports) throws InterruptedException {
    String wan = ctx.lab().subnets().get(Topologies.WAN);
    List<String> rule = LabNodes.runRule("POSTROUTING", "-d", wan, "-p", "tcp", "-j", "MASQUERADE", "--to-ports", ports);
    iptables(ctx, "-I", rule);
    List<String> nodes = new ArrayList<>();
    try {
      for (int c = 1; c <= params.get(CLIENTS); c++) {
        nodes.add(CLIENT.addTo(ctx, params, new Client(timestamps, c)));
      }
      KernelCounters redisBefore = ctx.counters("redis");
      KernelCounters gatewayBefore = ctx.counters("gateway");
      PacketCapture capture = PacketCapture.start(ctx, "redis", CaptureFilter.tcpPort(Topologies.REDIS_PORT));
      ctx.progress("case", "timestamps " + (timestamps ? "on" : "off") + ": " + nodes.size() + " clients through SNAT ports "
          + ports);
      List<Future<LoadReport>> running = new ArrayList<>();
      for (String node : nodes) {
        ConnLoad load = ConnLoad.to(LabNodes.target(ctx.lab()), Topologies.REDIS_PORT)
            .count(params.get(CONNECTIONS)).payload("QUIT\\r\\n").close("after-peer")
            .timeoutSeconds(params.get(CONNECT_TIMEOUT)).maxSeconds(170);
        running.add(pool.submit(() -> load.run(ctx, node, "connect")));
      }
      List<LoadReport> loads = new ArrayList<>();
      List<List<Packet>> challenged;
      try {
        for (Future<LoadReport> r : running) {
          loads.add(Background.await(r));
        }
      } finally {
        challenged = challengedConnects(capture.stop(ctx).packets());
      }
      Map<String, Long> histogram = new LinkedHashMap<>();
      loads.forEach(l -> l.connectHistogram().forEach((bucket, n) -> histogram.merge(bucket, n, Long::sum)));
      return new NatCase(timestamps, loads,
          ctx.counters("redis").since(redisBefore).get(KernelCounters.PAWS_TIMEWAIT),
          ctx.counters("gateway").since(gatewayBefore).get(KernelCounters.CONNTRACK_INSERT_FAILED),
          loads.stream().mapToLong(l -> l.errors("ETIMEDOUT")).sum(), LoadReport.inBucketOrder(histogram),
          challenged.size(), typical(challenged));
    } finally {
      nodes.forEach(ctx::removeNode);
      iptables(ctx, "-D", rule);
    }
  }

  /**
   * The connects that met a TIME_WAIT on redis, as redis' capture shows them, per peer in order: the
   * client's SYN, redis' bare ACK (the TIME_WAIT refuses the SYN), the client's RST (which ends that
   * TIME_WAIT), the SYN again, and redis' SYN-ACK. Each is returned as those five packets, timed
   * from its first SYN, in the order the exchanges began.
   */
  static List<List<Packet>> challengedConnects(List<Packet> packets) {
    Map<String, List<Packet>> byPeer = new LinkedHashMap<>();
    packets.forEach(p -> byPeer.computeIfAbsent(p.peer(), k -> new ArrayList<>()).add(p));
    List<String> exchange = List.of("in S", "out .", "in R", "in S", "out S.");
    List<List<Packet>> found = new ArrayList<>();
    for (List<Packet> peer : byPeer.values()) {
      for (int i = 0; i + exchange.size() <= peer.size(); i++) {
        List<Packet> window = peer.subList(i, i + exchange.size());
        if (window.stream().map(p -> p.direction() + " " + p.flags()).toList().equals(exchange)) {
          found.add(List.copyOf(window));
        }
      }
    }
    return found.stream().sorted(Comparator.comparingDouble(w -> w.get(0).atSeconds()))
        .map(w -> w.stream().map(p -> new Packet(Math.round((p.atSeconds() - w.get(0).atSeconds()) * 1e6) / 1e6,
            p.outgoing(), p.flags(), p.line())).toList())
        .toList();
  }

  /**
   * The challenged connect whose SYN went again after the median time: the one to show. Most go
   * again within milliseconds; now and then the client's RST comes only about a second after
   * redis' ACK (1.01 s once in CI), so the first exchange need not be a typical one.
   */
  static List<Packet> typical(List<List<Packet>> challenged) {
    List<List<Packet>> byDelay = challenged.stream().sorted(Comparator.comparingDouble(w -> w.get(3).atSeconds()))
        .toList();
    return byDelay.isEmpty() ? List.of() : byDelay.get(byDelay.size() / 2);
  }

  private static void iptables(ScenarioContext ctx, String action, List<String> rule) {
    List<String> command = new ArrayList<>(List.of("iptables", "-t", "nat", action));
    command.addAll(rule);
    ExecResult result = ctx.exec("gateway", command, Waits.STEP);
    if (!result.ok()) {
      throw new ScenarioFailure("the gateway refused `" + String.join(" ", command) + "`: " + result.stderr().trim());
    }
  }

  /** S9 nat-collision. */
  public record Outcome(String snatPorts, List<NatCase> cases, String explanation) implements ScenarioOutcome {
    public Outcome {
      cases = List.copyOf(cases);
    }

    @Override
    public List<LoadReport> loads() {
      return cases.stream().flatMap(c -> c.loads().stream()).toList();
    }
  }

  /** One timestamps setting of S9. */
  public record NatCase(boolean timestamps, List<LoadReport> loads, long pawsTimewait, long insertFailed, long timeouts,
      Map<String, Long> connectHistogram, int challengedConnects, List<Packet> challengeExample) {
    public NatCase {
      loads = List.copyOf(loads);
      challengeExample = List.copyOf(challengeExample);
    }
  }
}
