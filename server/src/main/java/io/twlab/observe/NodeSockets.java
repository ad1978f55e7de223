package io.twlab.observe;

import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/** One node's socket table, kept up to date from sampler batches. Not thread-safe. */
public final class NodeSockets {
  private final Map<SocketKey, TcpState> states = new HashMap<>();

  public void apply(SamplerBatch batch) {
    for (SocketDelta d : batch.deltas()) {
      if (d.to() == TcpState.CLOSED) {
        states.remove(d.socket());
      } else {
        states.put(d.socket(), d.to());
      }
    }
  }

  /** Sockets per state, LISTEN aside (listeners are not connections). */
  public Map<TcpState, Integer> counts() {
    Map<TcpState, Integer> counts = new EnumMap<>(TcpState.class);
    states.values().stream().filter(s -> s != TcpState.LISTEN).forEach(s -> counts.merge(s, 1, Integer::sum));
    return counts;
  }
}
