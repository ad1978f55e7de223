package io.twlab.scenario;

import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;
import io.twlab.core.KernelCounters;
import io.twlab.core.TcpState;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ScenarioDescriptor.SysctlUse;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * S5: with a small tcp_max_tw_buckets the kernel keeps at most that many TIME_WAIT sockets; the
 * others are closed at once (TcpExtTCPTimeWaitOverflow) and connections keep working.
 */
public final class TwBuckets implements Scenario {
  public static final String NAME = "tw-buckets";
  static final String NODE = "bucket-client";

  private static final ScenarioDescriptor DESCRIPTOR = new ScenarioDescriptor(
      NAME,
      "tcp_max_tw_buckets caps TIME_WAIT without failing connections",
      "A client with tcp_max_tw_buckets=`buckets` opens short connections to redis and closes each one. "
          + "Once `buckets` sockets are in TIME_WAIT, every further closing socket skips TIME_WAIT (the kernel "
          + "logs \"TCP: time wait bucket table overflow\" and counts TcpExtTCPTimeWaitOverflow); the "
          + "connections themselves still succeed. It trades TIME_WAIT's protection for memory.",
      "tcp_max_tw_buckets limits the number of TIME_WAIT sockets; the excess are destroyed immediately.",
      List.of(TopologyKind.DIRECT, TopologyKind.NAT),
      List.of(
          new IntParam("buckets", "tcp_max_tw_buckets of the client", 10, 0, 100_000),
          new IntParam("connections", "short connections to open", 300, 1, 50_000)),
      List.of(new SysctlUse(NODE, "net.ipv4.tcp_max_tw_buckets", "params[buckets]")));

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
    int buckets = params.integer("buckets");
    int connections = params.integer("connections");
    String client = ctx.addNode(new ScenarioContext.RunNode(NODE, LabNodes.firstClient(ctx.lab()),
        Map.of("net.ipv4.tcp_max_tw_buckets", String.valueOf(buckets)), false)).name();
    int[] peak = {0};
    Runnable sample = () -> peak[0] = Math.max(peak[0], ctx.counts(client).getOrDefault(TcpState.TIME_WAIT, 0));
    KernelCounters before = ctx.counters(client);
    LoadReport load = ConnLoad.to(LabNodes.target(ctx.lab()), Topologies.REDIS_PORT).count(connections)
        .payload("PING\\r\\n").maxSeconds(120).run(ctx, client, "load", at -> sample.run());
    LabNodes.awaitSamples();
    sample.run();
    long overflow = ctx.counters(client).since(before).get(KernelCounters.TIME_WAIT_OVERFLOW);
    var figures = new ScenarioOutcome.TwBuckets(buckets, load, peak[0], overflow);
    return new ScenarioResult(String.format(Locale.ROOT,
        "%d of %d connections succeeded; TIME_WAIT on %s peaked at %d (tcp_max_tw_buckets=%d) and "
            + "TcpExtTCPTimeWaitOverflow counted %d sockets that skipped TIME_WAIT",
        load.succeeded(), load.attempted(), client, peak[0], buckets, overflow), figures);
  }
}
