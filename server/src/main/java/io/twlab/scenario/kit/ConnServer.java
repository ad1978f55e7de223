package io.twlab.scenario.kit;

import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.core.TcpState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A listener run by {@code twlab-conn serve} on one node with a chosen teardown behaviour. Its
 * output goes to a file on the node, read back by {@link #lines}; {@link #stop} ends it.
 */
public final class ConnServer {
  /**
   * A Python start on a host busy with two dozen labs takes seconds (5 s was too short for 1 run
   * in 12 in bench/run.sh teardown).
   */
  private static final Duration START_WAIT = Duration.ofSeconds(30);
  /** Between two reads of its log: each read is a docker exec, which a busy host pays for. */
  private static final Duration LOG_POLL = Duration.ofMillis(500);
  private static final int LIFETIME_SECONDS = 600;

  private final int port;
  private String mode = "echo";
  private boolean reuseAddr = true;
  private int nofile;
  private int closeDelayMs;
  private List<String> finalLines;

  private ConnServer(int port) {
    this.port = port;
  }

  public static ConnServer on(int port) {
    return new ConnServer(port);
  }

  /** "echo" (closes after the peer does), "close-first", "never-close" (the leak) or "reply-close". */
  public ConnServer mode(String value) {
    this.mode = value;
    return this;
  }

  public ConnServer reuseAddr(boolean value) {
    this.reuseAddr = value;
    return this;
  }

  /** Limit the process' open files (RLIMIT_NOFILE). */
  public ConnServer nofile(int limit) {
    this.nofile = limit;
    return this;
  }

  /** Close a connection this long after the peer's FIN (echo mode): see {@link Waits#PASSIVE_CLOSE_MS}. */
  public ConnServer closeDelayMs(int millis) {
    this.closeDelayMs = millis;
    return this;
  }

  public int port() {
    return port;
  }

  /**
   * Starts the listener and waits for it to listen; returns the bind error ("EADDRINUSE Address
   * already in use") when it could not, after which nothing is left running.
   */
  public Optional<String> start(ScenarioContext ctx, String node) throws InterruptedException {
    List<String> command = new ArrayList<>(List.of("timeout", String.valueOf(LIFETIME_SECONDS), "twlab-conn", "serve",
        "--port", String.valueOf(port), "--mode", mode, "--reuseaddr", reuseAddr ? "1" : "0"));
    if (nofile > 0) {
      command.addAll(List.of("--nofile", String.valueOf(nofile)));
    }
    if (closeDelayMs > 0) {
      command.addAll(List.of("--close-delay-ms", String.valueOf(closeDelayMs)));
    }
    finalLines = null;
    ctx.exec(node, List.of("rm", "-f", log()), Waits.STEP);
    Instant startedAt = Instant.now();
    ctx.start(node, shell(command));
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      // Observation sees the listening socket as soon as it exists; the log says why there is none.
      if (ctx.sockets().poll(LOG_POLL, c -> c.node().equals(node) && c.to() == TcpState.LISTEN
          && c.socket().localPort(port) && !c.time().isBefore(startedAt)).isPresent()) {
        return Optional.empty();
      }
      for (String line : lines(ctx, node)) {
        if (line.startsWith("L ")) {
          return Optional.empty();
        }
        if (line.startsWith("B ")) {
          return Optional.of(line.substring(2));
        }
      }
    }
    throw new ScenarioFailure("twlab-conn serve on " + node + " port " + port + " did not listen within "
        + START_WAIT.toSeconds() + " s; if the host is not overloaded, rebuild the lab images (lab-images/build.sh)");
  }

  /** What the listener printed so far. */
  public List<String> lines(ScenarioContext ctx, String node) {
    return ctx.exec(node, List.of("cat", log()), Waits.STEP).stdout().lines().toList();
  }

  /** Stops the listener; returns everything it printed, its final {@code R {json}} report included. */
  public List<String> stop(ScenarioContext ctx, String node) throws InterruptedException {
    if (finalLines != null) {
      return finalLines;
    }
    // The bracket keeps the pattern from matching the exec's own `timeout ... pkill` command line.
    ctx.exec(node, List.of("pkill", "-f", "twlab-con[n] serve --port " + port + " "), Waits.STEP);
    List<String> lines = lines(ctx, node);
    for (int i = 0; i < 20 && lines.stream().noneMatch(l -> l.startsWith("R ") || l.startsWith("B ")); i++) {
      Thread.sleep(100);
      lines = lines(ctx, node);
    }
    finalLines = lines;
    return lines;
  }

  private List<String> shell(List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" > " + log() + " 2>&1", "sh"));
    wrapped.addAll(command);
    return wrapped;
  }

  private String log() {
    return "/tmp/twlab-serve-" + port + ".log";
  }
}
