package io.twlab.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A socket of a lab node changed state. {@code traced}: the kernel reported it when it happened
 * (tracepoint); otherwise a sample found it, up to one sampling interval late. {@code
 * timeWaitRemaining}: the TIME_WAIT timer when the socket entered TIME_WAIT, where it was read.
 * {@code timeWaitEnd}: on the change that ends a TIME_WAIT (or an orphan's FIN_WAIT2) socket, why
 * it ended.
 */
public record SocketChange(String node, Instant time, SocketKey socket, TcpState from, TcpState to,
    Optional<Duration> timeWaitRemaining, boolean traced, Optional<TimeWaitEnd> timeWaitEnd) {

  /** A change that ends no TIME_WAIT. */
  public SocketChange(String node, Instant time, SocketKey socket, TcpState from, TcpState to,
      Optional<Duration> timeWaitRemaining, boolean traced) {
    this(node, time, socket, from, to, timeWaitRemaining, traced, Optional.empty());
  }

  public boolean sameSocket(SocketChange other) {
    return node.equals(other.node) && socket.equals(other.socket);
  }
}
