package io.twlab.scenario.builtin;

import io.twlab.core.ExecResult;
import io.twlab.core.TcpState;
import io.twlab.lab.Topologies;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.LoadReport.Latency;
import io.twlab.scenario.ParameterSpec.EnumParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.LabNodes;
import io.twlab.scenario.kit.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * S2: short connections to redis, each opened for one PING and closed by the client. The client
 * closes first, so every connection leaves a TIME_WAIT on the client for 60 s: thousands within
 * seconds.
 */
public final class RedisFlood extends Scenario {
  private static final EnumParam GENERATOR = new EnumParam("generator", "what opens the connections",
          "twlab-conn", List.of("twlab-conn", "nc", "redis-benchmark"));
  private static final IntParam CONNECTIONS =
      new IntParam("connections", "how many connections to open", 10_000, 1, 50_000);
  private static final IntParam CONCURRENCY =
      new IntParam("concurrency", "parallel clients (redis-benchmark only)", 10, 1, 50);
  private static final IntParam MAX_SECONDS = new IntParam("max-seconds", "stop the loop after this long", 60, 1, 180);

  public RedisFlood() {
    super(define("redis-flood")
        .parameters(GENERATOR, CONNECTIONS, CONCURRENCY, MAX_SECONDS)
        .title("Short connections pile up TIME_WAIT on the side that closes")
        .teaches("""
            A client opens a new connection to redis for every PING and closes it after the reply (no \
            connection pool). The client is the active closer, so each connection leaves one TIME_WAIT \
            on the client for 60 s while redis keeps none. Generators: twlab-conn (a socket loop), the \
            articles' `echo PING | nc` loop, or `redis-benchmark -k 0`.""")
        .checksClaim("""
            Short-lived connections to redis create 8000+ TIME_WAIT within seconds on the client."""));
  }


  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    String client = ctx.lab().firstClient();
    String redis = LabNodes.redisNode(ctx.lab());
    String target = LabNodes.target(ctx.lab());
    int connections = params.get(CONNECTIONS);
    int maxSeconds = params.get(MAX_SECONDS);
    String generator = params.get(GENERATOR);
    List<StateSample> series = new ArrayList<>();
    long started = System.nanoTime();
    Runnable sample = () -> {
      double at = (System.nanoTime() - started) / 1e9;
      for (String node : List.of(client, redis)) {
        Map<TcpState, Integer> counts = ctx.counts(node);
        series.add(new StateSample(round(at), node, counts.getOrDefault(TcpState.TIME_WAIT, 0),
            counts.getOrDefault(TcpState.ESTABLISHED, 0)));
      }
    };
    sample.run();
    ctx.progress("load", client + ": " + connections + " connections to redis at " + target + " with " + generator,
        0, connections);
    LoadReport load = switch (generator) {
      case "redis-benchmark" -> benchmark(ctx, client, target, connections, params.get(CONCURRENCY), maxSeconds);
      case "nc" -> ConnLoad.to(target, Topologies.REDIS_PORT).count(connections).maxSeconds(maxSeconds).via("nc")
          .run(ctx, client, "load", at -> sample.run());
      default -> ConnLoad.to(target, Topologies.REDIS_PORT).count(connections).maxSeconds(maxSeconds)
          .payload("PING\\r\\n").run(ctx, client, "load", at -> sample.run());
    };
    Waits.forSamples();
    sample.run();
    Map<String, Integer> peak = new LinkedHashMap<>();
    series.forEach(s -> peak.merge(s.node(), s.timeWait(), Math::max));
    var figures = new Outcome(load, peak, series);
    return new ScenarioResult(String.format(Locale.ROOT,
        "%d of %d connections succeeded at %.0f conn/s (%s); TIME_WAIT peaked at %d on %s (the active closer) "
            + "and %d on %s%s", load.succeeded(), load.attempted(), load.connectionsPerSecond(), generator,
        peak.getOrDefault(client, 0), client, peak.getOrDefault(redis, 0), redis,
        load.failed() > 0 ? "; failures: " + load.errors() : ""), figures);
  }

  /** One redis-benchmark run: PING_INLINE over connections that are closed after each request (-k 0). */
  private static LoadReport benchmark(ScenarioContext ctx, String client, String target, int connections,
      int concurrency, int maxSeconds) {
    List<String> command = List.of("redis-benchmark", "-h", target, "-p", String.valueOf(Topologies.REDIS_PORT),
        "-k", "0", "-c", String.valueOf(concurrency), "-n", String.valueOf(connections), "-t", "ping_inline", "--csv");
    long started = System.nanoTime();
    ExecResult result = ctx.exec(client, command, Duration.ofSeconds(maxSeconds));
    double elapsed = (System.nanoTime() - started) / 1e9;
    String row = result.stdout().lines().filter(l -> l.startsWith("\"PING_INLINE\"")).findFirst().orElse("");
    Map<String, Long> errors = new LinkedHashMap<>();
    Map<String, String> messages = new LinkedHashMap<>();
    if (row.isEmpty()) {
      String why = (result.stderr() + result.stdout()).lines().filter(l -> !l.isBlank()).reduce((a, b) -> b)
          .orElse("exit " + result.exitCode());
      errors.put("redis-benchmark", 1L);
      messages.put("redis-benchmark", why.trim());
    } else {
      // redis-benchmark measures its own rate without the exec's start-up cost.
      elapsed = connections / Double.parseDouble(row.split(",")[1].replace("\"", ""));
    }
    long ok = row.isEmpty() ? 0 : connections;
    return new LoadReport(client, "redis-benchmark", connections, ok, connections - ok, round(elapsed), errors, messages,
        row.isEmpty() ? 1 : 0, LoadReport.Latency.NONE, Map.of(), java.util.Optional.empty(), Map.of());
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }

  /** S2 redis-flood. */
  public record Outcome(LoadReport load, Map<String, Integer> timeWaitPeak, List<StateSample> series)
      implements ScenarioOutcome {
    public Outcome {
      timeWaitPeak = Map.copyOf(timeWaitPeak);
      series = List.copyOf(series);
    }

    @Override
    public List<LoadReport> loads() {
      return List.of(load);
    }
  }

  /** TIME_WAIT and ESTABLISHED on a node, {@code atSeconds} after a load started. */
  public record StateSample(double atSeconds, String node, int timeWait, int established) {}
}
