package io.twlab.observe;

/**
 * The kernel's monotonic clock as this JVM can tell it from the tracer's heartbeats: the heartbeat
 * that arrived soonest after its kernel time gives the offset between the clocks (a late one only
 * says it was late). The offset may grow by a millisecond a second, so that clocks that drift
 * apart (another host's engine, a slewed clock) are followed rather than read as a lag.
 */
final class HeartbeatClock {
  private static final long FORGIVEN_NANOS_PER_SECOND = 1_000_000;

  /** The least (receipt − kernel time) seen, in nanoseconds, as of {@link #since}. */
  private long offset;
  private long since;
  private boolean heard;

  synchronized void heard(long kernelNanos, long receivedNanos) {
    long candidate = receivedNanos - kernelNanos;
    if (!heard || candidate <= current(receivedNanos)) {
      offset = candidate;
      since = receivedNanos;
      heard = true;
    }
  }

  /** How far kernel time {@code upTo} is behind the kernel's clock at {@code nowNanos}; 0 before any heartbeat. */
  synchronized long lagNanos(long upTo, long nowNanos) {
    return heard ? Math.max(0, nowNanos - current(nowNanos) - upTo) : 0;
  }

  private long current(long nowNanos) {
    return offset + (nowNanos - since) / 1_000_000_000L * FORGIVEN_NANOS_PER_SECOND;
  }
}
