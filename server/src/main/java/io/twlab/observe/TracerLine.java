package io.twlab.observe;

import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import java.util.Optional;

/**
 * The tracer's lines in the host observer's output ({@code twlab-observer}, lab-images/tracer): an anchor mapping the kernel's
 * monotonic clock to wall-clock time, a heartbeat per CPU every 50 ms, one line per state change and
 * per RST sent, and the tracer's report of changes the kernel dropped.
 */
public sealed interface TracerLine {

  record Anchor(long monotonicNanos, long epochNanos) implements TracerLine {}

  /** A CPU's clock: the tracer has printed that CPU's changes before this time. */
  record Heartbeat(long monotonicNanos, int cpu) implements TracerLine {}

  /** A state change or an RST sent, traced on CPU {@code cpu}. */
  record Change(Traced event, int cpu) implements TracerLine {}

  record Lost(long events) implements TracerLine {}

  /** Empty for lines that carry nothing (the tracer's messages, which are logged by the caller). */
  static Optional<TracerLine> parse(String line) {
    String[] f = line.trim().split(" ");
    try {
      if (f[0].equals("T") && f.length == 9) {
        return Optional.of(new Change(new TraceEvent(Long.parseUnsignedLong(f[1]), Long.parseLong(f[2]),
            Long.parseUnsignedLong(f[3], 16), f[4], f[5], state(f[6]), state(f[7])), Integer.parseInt(f[8])));
      }
      if (f[0].equals("R") && f.length == 7) {
        int state = Integer.parseInt(f[5]);
        return Optional.of(new Change(new ResetSent(Long.parseUnsignedLong(f[1]), Long.parseLong(f[2]),
            new SocketKey(f[3], f[4]), state == 0 ? TcpState.CLOSED : state(f[5])), Integer.parseInt(f[6])));
      }
      if (f[0].equals("A") && f.length == 3) {
        return Optional.of(new Anchor(Long.parseLong(f[1]), Long.parseLong(f[2])));
      }
      if (f[0].equals("H") && f.length == 3) {
        return Optional.of(new Heartbeat(Long.parseUnsignedLong(f[1]), Integer.parseInt(f[2])));
      }
      if (f[0].equals("Lost") && f.length >= 2) {
        return Optional.of(new Lost(Long.parseLong(f[1])));
      }
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Kernel state numbers (include/net/tcp_states.h); 7 (CLOSE) is CLOSED. */
  private static TcpState state(String number) {
    return switch (Integer.parseInt(number)) {
      case 1 -> TcpState.ESTABLISHED;
      case 2 -> TcpState.SYN_SENT;
      case 3 -> TcpState.SYN_RECV;
      case 4 -> TcpState.FIN_WAIT1;
      case 5 -> TcpState.FIN_WAIT2;
      case 6 -> TcpState.TIME_WAIT;
      case 7 -> TcpState.CLOSED;
      case 8 -> TcpState.CLOSE_WAIT;
      case 9 -> TcpState.LAST_ACK;
      case 10 -> TcpState.LISTEN;
      case 11 -> TcpState.CLOSING;
      case 12 -> TcpState.NEW_SYN_RECV;
      default -> throw new IllegalArgumentException("unknown kernel TCP state " + number);
    };
  }
}
