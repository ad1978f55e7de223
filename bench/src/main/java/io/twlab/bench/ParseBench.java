package io.twlab.bench;

import io.twlab.core.TcpState;
import io.twlab.observe.TraceEvent;
import io.twlab.observe.TracerLine;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Issue 21: the tracer's change lines as the server reads them (fields in place) against the same
 * fields read by {@code String.split}, as it read them before; the same lines in one run.
 */
final class ParseBench {
  private static final int LINES = 200_000;
  private static final int ROUNDS = 10;

  private ParseBench() {}

  static void run() {
    List<String> lines = new ArrayList<>(LINES);
    for (int i = 0; i < LINES; i++) {
      lines.add("T " + (9_431_345_036_979L + i * 1_337L) + " 4026532258 ffff8881046" + Integer.toHexString(0x10000 + i)
          + " 10.213.250.2:" + (32768 + i % 28000) + " 10.213.250.3:7000 " + (1 + i % 11) + " " + (1 + (i + 3) % 11)
          + " " + (i % 2));
    }
    ToLongFunction<String> inPlace = line -> TracerLine.parse(line)
        .map(l -> ((TracerLine.Change) l).event().monotonicNanos()).orElse(0L);
    ToLongFunction<String> bySplit = ParseBench::bySplit;
    // Rounds alternate, so that neither side has the warmer JIT or heap.
    Figures twlab = Figures.NONE;
    Figures split = Figures.NONE;
    for (int round = 0; round < ROUNDS; round++) {
      twlab = twlab.best(round(lines, inPlace));
      split = split.best(round(lines, bySplit));
    }
    System.out.printf(Locale.ROOT, "%n## Tracer lines: %d change lines, best of %d rounds each%n", LINES, ROUNDS);
    System.out.printf(Locale.ROOT, "twlab, fields in place: %.0f ns and %.0f bytes allocated per line%n", twlab.nanos,
        twlab.bytes);
    System.out.printf(Locale.ROOT, "baseline, String.split: %.0f ns and %.0f bytes allocated per line%n", split.nanos,
        split.bytes);
    System.out.printf(Locale.ROOT, "ratio: time %.2f, allocation %.2f (checksum %d)%n", twlab.nanos / split.nanos,
        twlab.bytes / split.bytes, checksum);
  }

  private record Figures(double nanos, double bytes) {
    static final Figures NONE = new Figures(Double.MAX_VALUE, Double.MAX_VALUE);

    Figures best(Figures other) {
      return new Figures(Math.min(nanos, other.nanos), Math.min(bytes, other.bytes));
    }
  }

  private static long checksum;

  /** Per line: the time and the bytes this thread allocated, reading every line once. */
  private static Figures round(List<String> lines, ToLongFunction<String> parse) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long bytes = threads.getCurrentThreadAllocatedBytes();
    long started = System.nanoTime();
    for (String line : lines) {
      checksum += parse.applyAsLong(line);
    }
    return new Figures((double) (System.nanoTime() - started) / lines.size(),
        (double) (threads.getCurrentThreadAllocatedBytes() - bytes) / lines.size());
  }

  /** The same line read as it was before: split into strings, each parsed, into the same records. */
  private static long bySplit(String line) {
    String[] f = line.trim().split(" ");
    if (!f[0].equals("T") || f.length != 9) {
      return 0;
    }
    Optional<TracerLine> parsed = Optional.of(new TracerLine.Change(new TraceEvent(Long.parseUnsignedLong(f[1]),
        Long.parseLong(f[2]), Long.parseUnsignedLong(f[3], 16), f[4], f[5], STATES[Integer.parseInt(f[6])],
        STATES[Integer.parseInt(f[7])]), Integer.parseInt(f[8])));
    return ((TracerLine.Change) parsed.get()).event().monotonicNanos();
  }

  /** Kernel state numbers as the server maps them (include/net/tcp_states.h). */
  private static final TcpState[] STATES = {null, TcpState.ESTABLISHED, TcpState.SYN_SENT, TcpState.SYN_RECV,
      TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, TcpState.CLOSED, TcpState.CLOSE_WAIT,
      TcpState.LAST_ACK, TcpState.LISTEN, TcpState.CLOSING, TcpState.NEW_SYN_RECV};
}
