package io.twlab.observe;

import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;

/**
 * A node sent an RST from {@code socket}'s local end to its remote end (tracepoint {@code
 * tcp:tcp_send_reset}). {@code state}: the sending socket's, CLOSED when no socket matched the
 * segment it answers. The receiving end's node sees it as an RST to its reversed 4-tuple.
 */
public record ResetSent(long monotonicNanos, long netns, SocketKey socket, TcpState state) implements Traced {

  /** The 4-tuple as the receiver of the RST names it. */
  public SocketKey receiver() {
    return new SocketKey(socket.remote(), socket.local());
  }
}
