package io.twlab.scenario.builtin;

import io.twlab.core.KernelCounters;
import io.twlab.core.TcpState;
import io.twlab.lab.Topologies;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.BoolParam;
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
import java.util.Optional;

/**
 * S5: with a small tcp_max_tw_buckets the kernel keeps at most that many TIME_WAIT sockets; the
 * others are closed at once (TcpExtTCPTimeWaitOverflow) and connections keep working. A control
 * client with the same narrow port range and no cap runs out of ports, which is the point.
 */
public final class TwBuckets extends Scenario {
  private static final IntParam BUCKETS = new IntParam("buckets", "tcp_max_tw_buckets of the client", 10, 0, 100_000);
  private static final IntParam CONNECTIONS = new IntParam("connections", "short connections to open", 300, 1, 50_000);
  private static final IntParam PORTS = new IntParam("ports",
      "how many local ports each client may use (fewer than `connections`, so that TIME_WAIT would exhaust them)",
      100, 10, 25_000);
  private static final BoolParam CONTROL = new BoolParam("control",
      "also run the same load from a client with the same port range and no cap (it runs out of ports)", true);
  private static final int FIRST_PORT = 40_000;
  private static final String LOCAL_PORT_RANGE = "net.ipv4.ip_local_port_range";
  private static final String PORT_RANGE_DESCRIBED = FIRST_PORT + " .. " + FIRST_PORT + " + params[ports] - 1";
  private static final RunNodeTemplate<ScenarioParams> CLIENT = RunNodeTemplate.single("bucket-client")
      .sysctlFromParam("net.ipv4.tcp_max_tw_buckets", BUCKETS)
      .sysctl(LOCAL_PORT_RANGE, PORT_RANGE_DESCRIBED, (params, cell) -> portRange(params));
  private static final RunNodeTemplate<ScenarioParams> CONTROL_CLIENT = RunNodeTemplate.single("control-client")
      .sysctl(LOCAL_PORT_RANGE, PORT_RANGE_DESCRIBED, (params, cell) -> portRange(params));

  public TwBuckets() {
    super(define("tw-buckets")
        .parameters(BUCKETS, CONNECTIONS, PORTS, CONTROL)
        .runNodes(CLIENT, CONTROL_CLIENT)
        .title("tcp_max_tw_buckets caps TIME_WAIT without failing connections")
        .teaches("""
            A client with tcp_max_tw_buckets=`buckets` and `ports` local ports opens `connections` \
            short connections to redis and closes each one. Once `buckets` sockets are in TIME_WAIT, \
            every further closing socket skips TIME_WAIT, frees its port at once and is counted in \
            TcpExtTCPTimeWaitOverflow, so all the connections succeed. The control client has the \
            same ports and no cap: its TIME_WAITs hold every port and connect() fails with \
            EADDRNOTAVAIL after `ports` connections. (Articles quote the log line "TCP: time wait \
            bucket table overflow": Linux 6.18, measured here, logs nothing, only the counter moves.) \
            The cap trades TIME_WAIT's protection against old duplicate segments for ports and memory.""")
        .checksClaim("""
            tcp_max_tw_buckets limits the number of TIME_WAIT sockets; the excess are destroyed \
            immediately, so a port range that TIME_WAIT would exhaust keeps working."""));
  }

  private static String portRange(ScenarioParams params) {
    return FIRST_PORT + " " + (FIRST_PORT + params.get(PORTS) - 1);
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int buckets = params.get(BUCKETS);
    String client = CLIENT.addTo(ctx, params);
    int[] peak = {0};
    Runnable sample = () -> peak[0] = Math.max(peak[0], ctx.counts(client).getOrDefault(TcpState.TIME_WAIT, 0));
    KernelCounters before = ctx.counters(client);
    LoadReport load = load(ctx, params).run(ctx, client, "load", at -> sample.run());
    Waits.forSamples();
    sample.run();
    long overflow = ctx.counters(client).since(before).get(KernelCounters.TIME_WAIT_OVERFLOW);
    Optional<LoadReport> control = Optional.empty();
    if (params.get(CONTROL)) {
      ctx.removeNode(client);
      String controlClient = CONTROL_CLIENT.addTo(ctx, params);
      ctx.progress("control", "the same load from " + controlClient + ": same ports, no cap");
      control = Optional.of(load(ctx, params).run(ctx, controlClient, "control"));
    }
    var figures = new Outcome(buckets, portRange(params).replace(' ', '-'), load, peak[0], overflow, control);
    return new ScenarioResult(summary(client, figures), figures);
  }

  private static ConnLoad load(ScenarioContext ctx, ScenarioParams params) {
    return ConnLoad.to(LabNodes.target(ctx.lab()), Topologies.REDIS_PORT).count(params.get(CONNECTIONS))
        .payload("PING\\r\\n").maxSeconds(120);
  }

  private static String summary(String client, Outcome f) {
    LoadReport load = f.load();
    String capped = String.format(Locale.ROOT, "with ports %s and tcp_max_tw_buckets=%d, %d of %d connections "
            + "succeeded; TIME_WAIT on %s peaked at %d and TcpExtTCPTimeWaitOverflow counted %d sockets that "
            + "skipped TIME_WAIT", f.portRange(), f.maxTwBuckets(), load.succeeded(), load.attempted(), client,
        f.timeWaitPeak(), f.timeWaitOverflow());
    return capped + f.control().map(c -> c.failed() == 0
        ? String.format(Locale.ROOT, "; the control client without the cap also connected %d of %d: raise "
            + "`connections` above `ports`", c.succeeded(), c.attempted())
        : String.format(Locale.ROOT, "; the control client without the cap connected %d of %d, then connection %d "
            + "failed: %s", c.succeeded(), c.attempted(), c.firstFailure(), String.join(", ",
            c.errors().keySet()))).orElse("");
  }

  /** S5 tw-buckets. */
  public record Outcome(int maxTwBuckets, String portRange, LoadReport load, int timeWaitPeak, long timeWaitOverflow,
      Optional<LoadReport> control) implements ScenarioOutcome {
    @Override
    public List<LoadReport> loads() {
      return control.map(c -> List.of(load, c)).orElse(List.of(load));
    }
  }
}
