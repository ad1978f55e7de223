package io.twlab.scenario;

import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;
import io.twlab.core.TcpState;
import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ScenarioDescriptor.SysctlUse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * S3: a client with a narrow ip_local_port_range opens short connections until every port sits
 * in TIME_WAIT; connect() then fails with EADDRNOTAVAIL until the first TIME_WAITs expire.
 */
public final class PortExhaustion implements Scenario {
  public static final String NAME = "port-exhaustion";
  static final String NODE = "narrow-client";
  private static final Duration STEP = Duration.ofSeconds(10);
  /** TIME_WAIT is 60 s; the timer wheel may fire it ~2 s late (design §4, issue 2's note). */
  private static final int RECOVERY_WAIT_SECONDS = 80;

  private static final ScenarioDescriptor DESCRIPTOR = new ScenarioDescriptor(
      NAME,
      "Short connections exhaust the local port range",
      "A client whose ip_local_port_range holds only `ports` ports opens short connections to redis "
          + "and closes each one itself. Every closed connection keeps its local port in TIME_WAIT for 60 s, "
          + "so after `ports` connections connect() fails with EADDRNOTAVAIL (\"Cannot assign requested "
          + "address\"), as nc -v and redis-cli print it. With observe-recovery the run keeps trying twice a "
          + "second until the oldest TIME_WAITs expire and a connection works again (about 60 s).",
      "A narrow local port range runs out: \"Cannot assign requested address\", then it works again ~60 s later.",
      List.of(TopologyKind.DIRECT, TopologyKind.NAT),
      List.of(
          new IntParam("ports", "how many local ports the client may use", 100, 10, 5_000),
          new IntParam("first-port", "the first port of the client's range", 40_000, 1_024, 60_000),
          new IntParam("connections", "connections to attempt (more than `ports` to see the failures)", 200, 1, 50_000),
          new IntParam("rate", "connections per second (0: as fast as possible); paced, tcp_tw_reuse can reuse "
              + "TIME_WAIT ports", 0, 0, 10_000),
          new BoolParam("observe-recovery", "keep trying until a connection works again (about 60 s)", false)),
      List.of(new SysctlUse(NODE, "net.ipv4.ip_local_port_range", "params[first-port] .. + params[ports] - 1")));

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
    int ports = params.integer("ports");
    int first = params.integer("first-port");
    String range = first + " " + Math.min(65_535, first + ports - 1);
    String client = ctx.addNode(new ScenarioContext.RunNode(NODE, LabNodes.firstClient(ctx.lab()),
        Map.of("net.ipv4.ip_local_port_range", range), false)).name();
    String target = LabNodes.target(ctx.lab());
    int connections = params.integer("connections");
    long started = System.nanoTime();
    ConnLoad exhaust = ConnLoad.to(target, Topologies.REDIS_PORT).count(connections).payload("PING\\r\\n").maxSeconds(120);
    int rate = params.integer("rate");
    LoadReport load = (rate > 0 ? exhaust.rate(rate) : exhaust).run(ctx, client, "exhaust");
    LabNodes.awaitSamples();
    int timeWait = ctx.counts(client).getOrDefault(TcpState.TIME_WAIT, 0);
    String firstError = load.errors().keySet().stream().findFirst().orElse("");
    String ncMessage = "";
    String redisCliMessage = "";
    Optional<Double> recovered = Optional.empty();
    if (load.failed() > 0) {
      ctx.progress("tools", "the same failure through nc -v and redis-cli");
      ncMessage = lastLine(ctx.exec(client, List.of("nc", "-v", "-N", "-w", "2", target,
          String.valueOf(Topologies.REDIS_PORT)), STEP).stderr());
      var redisCli = ctx.exec(client, List.of("redis-cli", "-h", target, "PING"), STEP);
      redisCliMessage = lastLine(redisCli.stdout() + "\n" + redisCli.stderr());
      if (params.bool("observe-recovery")) {
        ctx.progress("recovery", "trying twice a second until a port leaves TIME_WAIT (about 60 s)");
        double loopStart = (System.nanoTime() - started) / 1e9;
        LoadReport retry = ConnLoad.to(target, Topologies.REDIS_PORT).count(RECOVERY_WAIT_SECONDS * 2).rate(2)
            .payload("PING\\r\\n").untilOk().maxSeconds(RECOVERY_WAIT_SECONDS).run(ctx, client, "recovery");
        recovered = retry.recoveredAfterSeconds().map(s -> Math.round((loopStart + s) * 10) / 10.0);
      }
    }
    var figures = new ScenarioOutcome.PortExhaustion(range.replace(' ', '-'), ports, load, firstError,
        load.errorMessages().getOrDefault(firstError, ""), timeWait, ncMessage, redisCliMessage, recovered);
    return new ScenarioResult(summary(figures), figures);
  }

  private static String summary(ScenarioOutcome.PortExhaustion f) {
    LoadReport load = f.load();
    if (load.failed() == 0) {
      return String.format(Locale.ROOT, "all %d connections worked: %d ports were enough; raise `connections` above "
          + "`ports`", load.attempted(), f.ports());
    }
    String s = String.format(Locale.ROOT, "with %d local ports (%s), connection %d failed: %s \"%s\"; %d of %d failed "
            + "while %d ports sat in TIME_WAIT", f.ports(), f.portRange(), load.firstFailure(), f.firstError(),
        f.firstErrorMessage(), load.failed(), load.attempted(), f.timeWaitAtFirstFailure());
    return s + f.recoveredAfterSeconds().map(r -> String.format(Locale.ROOT,
        "; connections worked again %.1f s after the first one, when the oldest TIME_WAITs expired", r)).orElse("");
  }

  private static String lastLine(String text) {
    return text.lines().map(String::trim).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("");
  }
}
