package io.twlab.observe;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The changes one sample of a node's socket table found, and the kernel counters that moved since
 * the previous counter read (nstat names). A baseline batch lists the sockets that existed when
 * observation began: they are state, not transitions anyone saw; it also names the node's network
 * namespace (inode; 0 when unknown). {@code time} is when the dump ended, on the wall clock: every
 * change it shows had happened by then. On the kernel's monotonic clock, the clock of traced changes,
 * {@code monotonicNanos} is when the dump began (a socket it lists was there at or after it) and
 * {@code dumpedNanos} when it ended (a socket it no longer lists was gone by then).
 */
public record SamplerBatch(Instant time, long monotonicNanos, long dumpedNanos, boolean baseline, long netns,
    List<SocketDelta> deltas, Map<String, Long> counterDeltas) {
  public SamplerBatch {
    deltas = List.copyOf(deltas);
    counterDeltas = Map.copyOf(counterDeltas);
  }
}
