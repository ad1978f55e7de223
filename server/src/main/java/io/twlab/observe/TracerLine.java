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

  /**
   * Empty for lines that carry nothing (the tracer's messages, which are logged by the caller).
   * A flood is tens of thousands of lines a second: fields are read in place, and only a change's
   * two addresses become strings.
   */
  static Optional<TracerLine> parse(String line) {
    LineFields f = new LineFields(line);
    try {
      if (f.is("T") && f.count() == 9) {
        return Optional.of(new Change(new TraceEvent(f.unsigned(10), f.signed(), f.unsigned(16), f.text(), f.text(),
            state(f.integer()), state(f.integer())), f.integer()));
      }
      if (f.is("R") && f.count() == 7) {
        long monotonicNanos = f.unsigned(10);
        long netns = f.signed();
        SocketKey key = new SocketKey(f.text(), f.text());
        int state = f.integer();
        return Optional.of(new Change(new ResetSent(monotonicNanos, netns, key, state == 0 ? TcpState.CLOSED
            : state(state)), f.integer()));
      }
      if (f.is("A") && f.count() == 3) {
        return Optional.of(new Anchor(f.signed(), f.signed()));
      }
      if (f.is("H") && f.count() == 3) {
        return Optional.of(new Heartbeat(f.unsigned(10), f.integer()));
      }
      if (f.is("Lost") && f.count() >= 2) {
        return Optional.of(new Lost(f.signed()));
      }
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Kernel state numbers (include/net/tcp_states.h); 7 (CLOSE) is CLOSED. */
  private static TcpState state(int number) {
    return switch (number) {
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
