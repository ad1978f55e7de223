package io.twlab.scenario.kit;

import io.twlab.core.ExecResult;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A bounded connection loop run by {@code twlab-conn load} on one node (lab-images/base). Options
 * are set builder-style; {@link #run} streams its progress into the run and returns its report.
 */
public final class ConnLoad {
  private final String host;
  private final int port;
  private int count = 1;
  private double rate;
  private int maxSeconds = 60;
  private String payload = "";
  private String close = "normal";
  private int holdSeconds;
  private int bindPort;
  private double timeoutSeconds = 5;
  private boolean untilOk;
  private String closeWhenFile = "";
  private int closeDelayMs;
  private String via = "";

  private ConnLoad(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public static ConnLoad to(String host, int port) {
    return new ConnLoad(host, port);
  }

  public ConnLoad count(int n) {
    this.count = n;
    return this;
  }

  /** Connections per second; 0 means as fast as possible. */
  public ConnLoad rate(double perSecond) {
    this.rate = perSecond;
    return this;
  }

  public ConnLoad maxSeconds(int seconds) {
    this.maxSeconds = seconds;
    return this;
  }

  /** Sent after connecting; the loop then waits for any reply before closing (e.g. redis' PING). */
  public ConnLoad payload(String text) {
    this.payload = text;
    return this;
  }

  /** "normal" close(), "linger0" (SO_LINGER {1,0}: RST), or "hold" (shutdown(SHUT_WR), kept open). */
  public ConnLoad close(String mode) {
    this.close = mode;
    return this;
  }

  public ConnLoad holdSeconds(int seconds) {
    this.holdSeconds = seconds;
    return this;
  }

  public ConnLoad bindPort(int localPort) {
    this.bindPort = localPort;
    return this;
  }

  public ConnLoad timeoutSeconds(double seconds) {
    this.timeoutSeconds = seconds;
    return this;
  }

  /** With close "after-peer": close this long after the peer's FIN; see {@link Waits#PASSIVE_CLOSE_MS}. */
  public ConnLoad closeDelayMs(int millis) {
    this.closeDelayMs = millis;
    return this;
  }

  /** Stop at the first success (a port came back). */
  public ConnLoad untilOk() {
    this.untilOk = true;
    return this;
  }

  /** Keep each connection open until this file exists on the node (the run's go signal). */
  public ConnLoad closeWhenFile(String path) {
    this.closeWhenFile = path;
    return this;
  }

  /** Connect by running {@code nc} or {@code redis-cli} each time, as the articles do. */
  public ConnLoad via(String program) {
    this.via = program;
    return this;
  }

  public List<String> command() {
    List<String> c = new ArrayList<>(List.of("twlab-conn", "load", "--to", host + ":" + port,
        "--count", String.valueOf(count), "--rate", String.format(Locale.ROOT, "%.3f", rate),
        "--max-seconds", String.valueOf(maxSeconds), "--close", close,
        "--timeout", String.format(Locale.ROOT, "%.1f", timeoutSeconds)));
    option(c, "--payload", payload);
    option(c, "--close-when-file", closeWhenFile);
    option(c, "--via", via);
    if (holdSeconds > 0) {
      c.addAll(List.of("--hold-seconds", String.valueOf(holdSeconds)));
    }
    if (bindPort > 0) {
      c.addAll(List.of("--bind-port", String.valueOf(bindPort)));
    }
    if (closeDelayMs > 0) {
      c.addAll(List.of("--close-delay-ms", String.valueOf(closeDelayMs)));
    }
    if (untilOk) {
      c.add("--until-ok");
    }
    return c;
  }

  /** Runs the loop on {@code node}, reporting progress as {@code phase}; returns its report. */
  public LoadReport run(ScenarioContext ctx, String node, String phase) {
    return run(ctx, node, phase, elapsed -> { });
  }

  /** Like {@link #run(ScenarioContext, String, String)}; {@code tick} gets the seconds elapsed at each progress line. */
  public LoadReport run(ScenarioContext ctx, String node, String phase, java.util.function.DoubleConsumer tick) {
    AtomicReference<String> report = new AtomicReference<>();
    Duration bound = Duration.ofSeconds(maxSeconds + holdSeconds + (long) timeoutSeconds + 15);
    ExecResult result = ctx.exec(node, command(), bound, line -> {
      if (line.startsWith("R ")) {
        report.set(line.substring(2));
      } else if (line.startsWith("P ")) {
        String[] f = line.split(" ");
        ctx.progress(phase, node + ": " + f[3] + " connected, " + f[4] + " failed",
            Long.parseLong(f[2]), count);
        tick.accept(Double.parseDouble(f[1]));
      }
    });
    if (report.get() == null) {
      throw new ScenarioFailure("twlab-conn on " + node + " ended without a report (exit " + result.exitCode()
          + "): " + result.stderr().trim() + "; rebuild the lab images (lab-images/build.sh)");
    }
    LoadReport parsed = LoadReport.parse(node, report.get());
    return via.isEmpty() ? parsed : parsed.generatedBy(via);
  }

  private static void option(List<String> command, String flag, String value) {
    if (!value.isEmpty()) {
      command.addAll(List.of(flag, value));
    }
  }
}
