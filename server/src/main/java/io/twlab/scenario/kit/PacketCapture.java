package io.twlab.scenario.kit;

import io.twlab.capture.CaptureFilter;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * tcpdump on one node (NET_RAW with {@code -p}: docs/kernel-facts.md §4), bounded in time, its text
 * read back and parsed into packets when stopped. It stays root ({@code -Z root}) so that it can be
 * stopped without CAP_KILL, which no node has.
 */
public final class PacketCapture {
  private static final Duration START_WAIT = Duration.ofSeconds(5);
  private static final int LIFETIME_SECONDS = 300;
  // 1795332826.684709 eth0  In  IP 10.250.9.2.43296 > 10.250.9.3.6379: Flags [F.], seq 6, ...
  private static final Pattern LINE = Pattern.compile(
      "^(\\d+\\.\\d+)\\s+\\S+\\s+(In|Out)\\s+IP6?\\s+\\S+ > \\S+: Flags \\[([^\\]]+)\\].*");

  private final String node;
  private final String file;
  private Capture result;

  private PacketCapture(String node, String file) {
    this.node = node;
    this.file = file;
  }

  /**
   * Starts capturing {@code filter} on every interface of {@code node}. The shell only redirects
   * tcpdump's output to files: the filter's words reach tcpdump as its own arguments.
   */
  public static PacketCapture start(ScenarioContext ctx, String node, CaptureFilter filter) throws InterruptedException {
    String file = "/tmp/twlab-capture-" + Math.abs(filter.text().hashCode());
    ctx.exec(node, List.of("rm", "-f", file, file + ".err"), Waits.STEP);
    List<String> command = new ArrayList<>(List.of("sh", "-c", "file=$1; shift; exec timeout " + LIFETIME_SECONDS
        + " tcpdump -Z root -nn -tt -l -p -i any \"$@\" > \"$file\" 2> \"$file.err\"", "sh", file));
    command.addAll(filter.words());
    ctx.start(node, command);
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (!ctx.exec(node, List.of("cat", file + ".err"), Waits.STEP).stdout().contains("listening on")) {
      if (System.nanoTime() > deadline) {
        throw new ScenarioFailure("tcpdump did not start on " + node + " within " + START_WAIT.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
    return new PacketCapture(node, file);
  }

  /** Stops the capture and returns what it saw; later calls return the same. */
  public Capture stop(ScenarioContext ctx) throws InterruptedException {
    if (result == null) {
      Thread.sleep(200); // let tcpdump print the last packets before it is stopped
      ctx.exec(node, List.of("pkill", "-x", "tcpdump"), Waits.STEP);
      result = parse(ctx.exec(node, List.of("cat", file), Waits.STEP).stdout());
    }
    return result;
  }

  /** Packets with times relative to the first one, which is at {@code startEpochSeconds}. */
  public record Capture(double startEpochSeconds, List<Packet> packets) {
    public Capture {
      packets = List.copyOf(packets);
    }

    public List<Packet> matching(boolean outgoing, String flagsPrefix) {
      return packets.stream().filter(p -> p.outgoing() == outgoing && p.flags().startsWith(flagsPrefix)).toList();
    }
  }

  public static Capture parse(String text) {
    List<Packet> packets = new ArrayList<>();
    double start = -1;
    for (String line : text.split("\n")) {
      Matcher m = LINE.matcher(line.trim());
      if (!m.matches()) {
        continue;
      }
      double at = Double.parseDouble(m.group(1));
      if (start < 0) {
        start = at;
      }
      packets.add(new Packet(Math.round((at - start) * 1e6) / 1e6, m.group(2).equals("Out"), m.group(3),
          line.trim().substring(m.group(1).length()).trim()));
    }
    return new Capture(Math.max(start, 0), packets);
  }
}
