package io.twlab.observe;

import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** What the sampler found changed for one socket between two dumps of a node's socket table. */
public record SocketDelta(SocketKey socket, TcpState from, TcpState to, Optional<Duration> timeWaitRemaining) {

  /** The change as a sample of {@code node} at {@code time} reports it. */
  public SocketChange sampledOn(String node, Instant time) {
    return new SocketChange(node, time, socket, from, to, timeWaitRemaining, false);
  }
}
