package io.twlab.scenario.builtin;

import io.twlab.core.TcpState;
import io.twlab.lab.Topologies;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.Program;
import io.twlab.scenario.ProgramContract;
import io.twlab.scenario.ProgramReport;
import io.twlab.scenario.RunNodeTemplate;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.LabNodes;
import io.twlab.scenario.kit.StudentPrograms;
import io.twlab.scenario.kit.Waits;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * S3: a client with a narrow ip_local_port_range opens short connections until every port sits
 * in TIME_WAIT; connect() then fails with EADDRNOTAVAIL until the first TIME_WAITs expire.
 */
public final class PortExhaustion extends Scenario {
  private static final IntParam PORTS =
      new IntParam("ports", "how many local ports the client may use", 100, 10, 5_000);
  private static final IntParam FIRST_PORT =
      new IntParam("first-port", "the first port of the client's range", 40_000, 1_024, 60_000);
  private static final IntParam CONNECTIONS = new IntParam("connections", "connections to attempt (more than `ports` to see the failures)",
          200, 1, 50_000);
  private static final IntParam RATE = new IntParam("rate", "connections per second (0: as fast as possible); paced, tcp_tw_reuse can reuse TIME_WAIT ports",
          0, 0, 10_000);
  private static final BoolParam OBSERVE_RECOVERY =
      new BoolParam("observe-recovery", "keep trying until a connection works again (about 60 s)", false);
  private static final String LOCAL_PORT_RANGE = "net.ipv4.ip_local_port_range";
  private static final RunNodeTemplate<ScenarioParams> CLIENT = RunNodeTemplate.single("narrow-client")
      .sysctl(LOCAL_PORT_RANGE, "params[first-port] .. + params[ports] - 1", (params, cell) -> {
        int first = params.get(FIRST_PORT);
        return first + " " + Math.min(65_535, first + params.get(PORTS) - 1);
      });
  private static final ProgramContract CLIENT_PROGRAM = new ProgramContract("client",
      "the run's narrow-client (its ip_local_port_range holds `ports` ports)",
      "twlab-conn load (short connections, each closed by the client first)", List.of("HOST", "PORT", "COUNT"), "",
      "a client makes COUNT connections to redis at HOST:PORT one after the other, each sending one command and "
          + "reading the reply, and exits");
  /** TIME_WAIT is 60 s; the timer wheel may fire it ~2 s late (docs/kernel-facts.md §3). */
  private static final int RECOVERY_WAIT_SECONDS = 80;

  public PortExhaustion() {
    super(define("port-exhaustion")
        .parameters(PORTS, FIRST_PORT, CONNECTIONS, RATE, OBSERVE_RECOVERY)
        .runNodes(CLIENT)
        .programs(CLIENT_PROGRAM)
        .title("Short connections exhaust the local port range")
        .teaches("""
            A client whose ip_local_port_range holds only `ports` ports opens short connections to \
            redis and closes each one itself. Every closed connection keeps its local port in \
            TIME_WAIT for 60 s, so after `ports` connections connect() fails with EADDRNOTAVAIL \
            ("Cannot assign requested address"), as nc -v and redis-cli print it. At that moment the \
            generator reads the client's sockets from the kernel (/proc/net/tcp): every port is held, \
            nearly all in TIME_WAIT (the last connection closed may still wait for redis' FIN, in \
            FIN_WAIT2). With \
            observe-recovery the run keeps trying twice a second until the oldest TIME_WAITs expire \
            and a connection works again (about 60 s).""")
        .checksClaim("""
            A narrow local port range runs out: "Cannot assign requested address", then it works again \
            ~60 s later."""));
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int ports = params.get(PORTS);
    String client = CLIENT.addTo(ctx, params);
    String range = CLIENT.sysctls(params, params).get(LOCAL_PORT_RANGE);
    String target = LabNodes.target(ctx.lab());
    int connections = params.get(CONNECTIONS);
    Optional<Program> program = ctx.program(CLIENT_PROGRAM);
    if (program.isPresent()) {
      // What the submitted client did is what the kernel shows: its sockets, redis' and their counters.
      ProgramReport report = StudentPrograms.toItsEnd(ctx, CLIENT_PROGRAM, program.get(), client,
          List.of(target, String.valueOf(Topologies.REDIS_PORT), String.valueOf(connections)));
      Waits.forSamples();
      var figures = new Outcome(range.replace(' ', '-'), ports, Optional.empty(), "", "", "", "", Optional.empty(),
          Optional.of(report));
      return new ScenarioResult("the submitted client (" + report.language() + ") " + report.ended() + " after "
          + connections + " connections were asked of it, with " + ports + " local ports (" + figures.portRange() + ")",
          figures);
    }
    long started = System.nanoTime();
    ConnLoad exhaust = ConnLoad.to(target, Topologies.REDIS_PORT).count(connections).payload("PING\\r\\n").maxSeconds(120);
    int rate = params.get(RATE);
    LoadReport load = (rate > 0 ? exhaust.rate(rate) : exhaust).run(ctx, client, "exhaust");
    String firstError = load.errors().keySet().stream().findFirst().orElse("");
    String ncMessage = "";
    String redisCliMessage = "";
    Optional<Double> recovered = Optional.empty();
    if (load.failed() > 0) {
      ctx.progress("tools", "the same failure through nc -v and redis-cli");
      ncMessage = lastLine(ctx.exec(client, List.of("nc", "-v", "-N", "-w", "2", target,
          String.valueOf(Topologies.REDIS_PORT)), Waits.STEP).stderr());
      var redisCli = ctx.exec(client, List.of("redis-cli", "-h", target, "PING"), Waits.STEP);
      redisCliMessage = lastLine(redisCli.stdout() + "\n" + redisCli.stderr());
      if (params.get(OBSERVE_RECOVERY)) {
        ctx.progress("recovery", "trying twice a second until a port leaves TIME_WAIT (about 60 s)");
        double loopStart = (System.nanoTime() - started) / 1e9;
        LoadReport retry = ConnLoad.to(target, Topologies.REDIS_PORT).count(RECOVERY_WAIT_SECONDS * 2).rate(2)
            .payload("PING\\r\\n").untilOk().maxSeconds(RECOVERY_WAIT_SECONDS).run(ctx, client, "recovery");
        recovered = retry.recoveredAfterSeconds().map(s -> Math.round((loopStart + s) * 10) / 10.0);
      }
    }
    var figures = new Outcome(range.replace(' ', '-'), ports, Optional.of(load), firstError,
        load.errorMessages().getOrDefault(firstError, ""), ncMessage, redisCliMessage, recovered, Optional.empty());
    return new ScenarioResult(summary(figures), figures);
  }

  private static String summary(Outcome f) {
    LoadReport load = f.load().orElseThrow();
    if (load.failed() == 0) {
      return String.format(Locale.ROOT, "all %d connections worked: %d ports were enough; raise `connections` above "
          + "`ports`", load.attempted(), f.ports());
    }
    String s = String.format(Locale.ROOT, "with %d local ports (%s), connection %d failed: %s \"%s\"; at that moment "
            + "%d of the client's sockets held a port (%s); %d of %d connections failed", f.ports(), f.portRange(),
        load.firstFailure(), f.firstError(), f.firstErrorMessage(), load.socketsAtFirstFailure().values().stream()
            .mapToInt(Integer::intValue).sum(), held(load.socketsAtFirstFailure()), load.failed(), load.attempted());
    return s + f.recoveredAfterSeconds().map(r -> String.format(Locale.ROOT,
        "; connections worked again %.1f s after the first one, when the oldest TIME_WAITs expired", r)).orElse("");
  }

  private static String held(Map<String, Integer> byState) {
    return byState.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .map(e -> e.getValue() + " in " + e.getKey()).collect(Collectors.joining(", "));
  }

  private static String lastLine(String text) {
    return text.lines().map(String::trim).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("");
  }

  /** S3 port-exhaustion. */
  public record Outcome(String portRange, int ports, Optional<LoadReport> load, String firstError,
      String firstErrorMessage, String ncMessage, String redisCliMessage, Optional<Double> recoveredAfterSeconds,
      Optional<ProgramReport> program) implements ScenarioOutcome {
    @Override
    public List<LoadReport> loads() {
      return load.stream().toList();
    }

    public int timeWaitAtFirstFailure() {
      return load.map(l -> l.socketsAtFirstFailure().getOrDefault(TcpState.TIME_WAIT.name(), 0)).orElse(0);
    }

    public boolean recoveryObserved() {
      return recoveredAfterSeconds.isPresent();
    }
  }
}
