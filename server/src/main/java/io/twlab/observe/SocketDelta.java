package io.twlab.observe;

import java.time.Duration;
import java.util.Optional;

/** One socket of a node changed state between two samples. */
public record SocketDelta(String local, String remote, TcpState from, TcpState to, Optional<Duration> timeWaitRemaining) {

  public boolean localPort(int port) {
    return local.endsWith(":" + port);
  }
}
