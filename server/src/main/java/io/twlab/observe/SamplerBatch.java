package io.twlab.observe;

import java.time.Instant;
import java.util.List;

/** The changes one sample of a node's socket table found. */
public record SamplerBatch(Instant time, List<SocketDelta> deltas) {
  public SamplerBatch {
    deltas = List.copyOf(deltas);
  }
}
