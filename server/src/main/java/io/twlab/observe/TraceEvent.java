package io.twlab.observe;

import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;

/**
 * One TCP state change the kernel reported (tracepoint {@code sock:inet_sock_set_state}), in the
 * network namespace {@code netns}. {@code socket} is the kernel's socket address: it tells apart
 * two sockets of one 4-tuple and names a connecting socket before its local port is known.
 */
public record TraceEvent(long monotonicNanos, long netns, long socket, String local, String remote, TcpState from,
    TcpState to) implements Traced {

  public SocketKey key() {
    return new SocketKey(local, remote);
  }

  /** A connect() before the kernel chose its local port (it traces SYN_SENT first). */
  public boolean portless() {
    return local.endsWith(":0") && to == TcpState.SYN_SENT;
  }
}
