package io.twlab.scenario.builtin;

import io.twlab.core.KernelCounters;
import io.twlab.core.TcpState;
import io.twlab.lab.Topologies;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.RunNodeTemplate;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.LabNodes;
import io.twlab.scenario.kit.Waits;
import java.util.List;
import java.util.Locale;

/**
 * S5: with a small tcp_max_tw_buckets the kernel keeps at most that many TIME_WAIT sockets; the
 * others are closed at once (TcpExtTCPTimeWaitOverflow) and connections keep working.
 */
public final class TwBuckets extends Scenario {
  private static final IntParam BUCKETS = new IntParam("buckets", "tcp_max_tw_buckets of the client", 10, 0, 100_000);
  private static final IntParam CONNECTIONS = new IntParam("connections", "short connections to open", 300, 1, 50_000);
  private static final RunNodeTemplate<ScenarioParams> CLIENT = RunNodeTemplate.single("bucket-client")
      .sysctlFromParam("net.ipv4.tcp_max_tw_buckets", BUCKETS);

  public TwBuckets() {
    super(define("tw-buckets")
        .parameters(BUCKETS, CONNECTIONS)
        .runNodes(CLIENT)
        .title("tcp_max_tw_buckets caps TIME_WAIT without failing connections")
        .teaches("""
            A client with tcp_max_tw_buckets=`buckets` opens short connections to redis and closes \
            each one. Once `buckets` sockets are in TIME_WAIT, every further closing socket skips \
            TIME_WAIT and is counted in TcpExtTCPTimeWaitOverflow; the connections themselves still \
            succeed. (Articles quote the log line "TCP: time wait bucket table overflow": Linux 6.18, \
            measured here, logs nothing, only the counter moves.) It trades \
            TIME_WAIT's protection for memory.""")
        .checksClaim("""
            tcp_max_tw_buckets limits the number of TIME_WAIT sockets; the excess are destroyed \
            immediately."""));
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int buckets = params.get(BUCKETS);
    int connections = params.get(CONNECTIONS);
    String client = CLIENT.addTo(ctx, params);
    int[] peak = {0};
    Runnable sample = () -> peak[0] = Math.max(peak[0], ctx.counts(client).getOrDefault(TcpState.TIME_WAIT, 0));
    KernelCounters before = ctx.counters(client);
    LoadReport load = ConnLoad.to(LabNodes.target(ctx.lab()), Topologies.REDIS_PORT).count(connections)
        .payload("PING\\r\\n").maxSeconds(120).run(ctx, client, "load", at -> sample.run());
    Waits.forSamples();
    sample.run();
    long overflow = ctx.counters(client).since(before).get(KernelCounters.TIME_WAIT_OVERFLOW);
    var figures = new Outcome(buckets, load, peak[0], overflow);
    return new ScenarioResult(String.format(Locale.ROOT,
        "%d of %d connections succeeded; TIME_WAIT on %s peaked at %d (tcp_max_tw_buckets=%d) and "
            + "TcpExtTCPTimeWaitOverflow counted %d sockets that skipped TIME_WAIT",
        load.succeeded(), load.attempted(), client, peak[0], buckets, overflow), figures);
  }

  /** S5 tw-buckets. */
  public record Outcome(int maxTwBuckets, LoadReport load, int timeWaitPeak, long timeWaitOverflow)
      implements ScenarioOutcome {
    @Override
    public List<LoadReport> loads() {
      return List.of(load);
    }
  }
}
