package io.twlab.observe;

import java.time.Instant;
import java.util.List;

/**
 * The changes one sample of a node's socket table found. A baseline batch lists the sockets that
 * existed when observation began: they are state, not transitions anyone saw.
 */
public record SamplerBatch(Instant time, boolean baseline, List<SocketDelta> deltas) {
  public SamplerBatch {
    deltas = List.copyOf(deltas);
  }
}
