package io.twlab.scenario;

import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;
import io.twlab.core.KernelCounters;
import io.twlab.core.ExecResult;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ParameterSpec.ListParam;
import io.twlab.scenario.ScenarioDescriptor.SysctlUse;
import io.twlab.scenario.ScenarioOutcome.NatCase;
import java.time.Duration;
import java.util.ArrayList;
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
public final class NatCollision implements Scenario {
  public static final String NAME = "nat-collision";
  private static final Duration STEP = Duration.ofSeconds(10);
  private static final int POOL_BASE = 61_000;
  static final String EXPLANATION = "tcp_tw_recycle, which the articles blame for NAT failures, was removed in "
      + "Linux 4.12 and cannot be set (twlab refuses it). What still hurts clients behind a NAT today: (1) the "
      + "server's TIME_WAIT socket for a reused tuple answers a SYN whose timestamp is older than the last one it "
      + "saw with a bare ACK (PAWS, TcpExtPAWSTimewait); the client answers with RST and retries the SYN, adding "
      + "delay; (2) the gateway's conntrack cannot insert a new mapping that clashes with a live one "
      + "(conntrack insert_failed) and drops the SYN, so the client waits for its SYN retransmission (1 s, 3 s) "
      + "or times out. Timestamps off avoids (1) but not (2).";

  private static final ScenarioDescriptor DESCRIPTOR = new ScenarioDescriptor(
      NAME,
      "Clients behind a NAT with few source ports, a server that closes first",
      "The gateway's MASQUERADE rule is narrowed to `snat-ports` source ports for the run. `clients` fresh "
          + "clients per case send QUIT to redis over short connections at once; redis closes first and keeps "
          + "TIME_WAIT for each (gateway address, SNAT port) tuple, which the NAT soon hands to another client. "
          + "Each case measures connect latency, timeouts, redis' TcpExtPAWSTimewait and the gateway's conntrack "
          + "insert_failed.",
      "Behind a NAT, a server's TIME_WAIT plus timestamps (tcp_tw_recycle in old kernels) makes connections fail.",
      List.of(TopologyKind.NAT),
      List.of(
          new IntParam("snat-ports", "source ports the gateway may use during the run", 5, 1, 1_000),
          new IntParam("clients", "clients per case", 2, 1, 5),
          new IntParam("connections", "connections per client", 40, 1, 5_000),
          new ListParam("timestamps", "tcp_timestamps of the clients, one case each", "1,0", List.of("0", "1")),
          new IntParam("connect-timeout", "seconds before a connect counts as a timeout", 4, 1, 30)),
      List.of(new SysctlUse("nat-ts<t>-c<n>", "net.ipv4.tcp_timestamps", "params[timestamps]")));

  @Override
  public ScenarioDescriptor descriptor() {
    return DESCRIPTOR;
  }

  @Override
  public List<String> runNodes(ScenarioParams params) {
    List<String> nodes = new ArrayList<>();
    for (String timestamps : params.list("timestamps")) {
      for (int c = 1; c <= params.integer("clients"); c++) {
        nodes.add(clientNode(timestamps.equals("1"), c));
      }
    }
    return nodes;
  }

  private static String clientNode(boolean timestamps, int index) {
    return "nat-ts" + (timestamps ? 1 : 0) + "-c" + index;
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int poolSize = params.integer("snat-ports");
    List<NatCase> cases = new ArrayList<>();
    List<String> timestamps = params.list("timestamps");
    ExecutorService clients = Executors.newFixedThreadPool(params.integer("clients"));
    try {
      for (int i = 0; i < timestamps.size(); i++) {
        // A pool per case: the previous case's TIME_WAITs on redis must not meet this one.
        int first = POOL_BASE + i * 1_000;
        cases.add(runCase(ctx, params, clients, timestamps.get(i).equals("1"), first + "-" + (first + poolSize - 1)));
      }
    } finally {
      clients.shutdownNow();
    }
    var figures = new ScenarioOutcome.NatCollision(String.valueOf(poolSize), cases, EXPLANATION);
    return new ScenarioResult(cases.stream().map(c -> String.format(Locale.ROOT,
            "timestamps %s: %d/%d connected, %d timeouts, PAWSTimewait %d, conntrack insert_failed %d, connect %s",
            c.timestamps() ? "on" : "off", c.loads().stream().mapToLong(LoadReport::succeeded).sum(),
            c.loads().stream().mapToLong(LoadReport::attempted).sum(), c.timeouts(), c.pawsTimewait(),
            c.insertFailed(), c.connectHistogram()))
        .collect(Collectors.joining("; ")) + ". tcp_tw_recycle no longer exists (removed in Linux 4.12)", figures);
  }

  private static NatCase runCase(ScenarioContext ctx, ScenarioParams params, ExecutorService pool, boolean timestamps,
      String ports) throws InterruptedException {
    String wan = ctx.lab().subnets().get(Topologies.WAN);
    List<String> rule = List.of("POSTROUTING", "-d", wan, "-p", "tcp", "-j", "MASQUERADE", "--to-ports", ports);
    iptables(ctx, "-I", rule);
    List<String> nodes = new ArrayList<>();
    try {
      for (int c = 1; c <= params.integer("clients"); c++) {
        nodes.add(ctx.addNode(new ScenarioContext.RunNode(clientNode(timestamps, c),
            LabNodes.firstClient(ctx.lab()), Map.of("net.ipv4.tcp_timestamps", timestamps ? "1" : "0"), false)).name());
      }
      KernelCounters redisBefore = ctx.counters("redis");
      KernelCounters gatewayBefore = ctx.counters("gateway");
      ctx.progress("case", "timestamps " + (timestamps ? "on" : "off") + ": " + nodes.size() + " clients through SNAT ports "
          + ports);
      List<Future<LoadReport>> running = new ArrayList<>();
      for (String node : nodes) {
        ConnLoad load = ConnLoad.to(LabNodes.target(ctx.lab()), Topologies.REDIS_PORT)
            .count(params.integer("connections")).payload("QUIT\\r\\n").close("after-peer")
            .timeoutSeconds(params.integer("connect-timeout")).maxSeconds(170);
        running.add(pool.submit(() -> load.run(ctx, node, "connect")));
      }
      List<LoadReport> loads = new ArrayList<>();
      for (Future<LoadReport> r : running) {
        loads.add(Background.await(r));
      }
      Map<String, Long> histogram = new LinkedHashMap<>();
      loads.forEach(l -> l.connectHistogram().forEach((bucket, n) -> histogram.merge(bucket, n, Long::sum)));
      return new NatCase(timestamps, loads,
          ctx.counters("redis").since(redisBefore).get(KernelCounters.PAWS_TIMEWAIT),
          ctx.counters("gateway").since(gatewayBefore).get(KernelCounters.CONNTRACK_INSERT_FAILED),
          loads.stream().mapToLong(l -> l.errors("ETIMEDOUT")).sum(), LoadReport.inBucketOrder(histogram));
    } finally {
      nodes.forEach(ctx::removeNode);
      iptables(ctx, "-D", rule);
    }
  }

  private static void iptables(ScenarioContext ctx, String action, List<String> rule) {
    List<String> command = new ArrayList<>(List.of("iptables", "-t", "nat", action));
    command.addAll(rule);
    ExecResult result = ctx.exec("gateway", command, STEP);
    if (!result.ok()) {
      throw new ScenarioFailure("the gateway refused `" + String.join(" ", command) + "`: " + result.stderr().trim());
    }
  }
}
