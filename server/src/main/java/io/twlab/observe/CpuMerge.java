package io.twlab.observe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Puts the tracer's changes back in kernel time order. Changes made on different CPUs at nearly the
 * same time can reach the tracer's output swapped (a socket's close on one CPU and the ACK that
 * follows on another). Each CPU's lines are in order, so every change up to the oldest of
 * the CPUs' clocks (the watermark) has arrived and can be released, oldest first. A CPU silent for
 * longer than {@code limit} holds nothing back. Not thread-safe: one merge per tracer stream.
 */
final class CpuMerge {
  private final long limitNanos;
  private final Map<Integer, Long> cpuClocks = new HashMap<>();
  private final PriorityQueue<Traced> pending =
      new PriorityQueue<>(Comparator.comparingLong(Traced::monotonicNanos));
  private long watermark = Long.MIN_VALUE;

  CpuMerge(Duration limit) {
    this.limitNanos = limit.toNanos();
  }

  /**
   * Holds a change until every CPU has reported past it. Returns false for a change older than
   * what was already released: its CPU's lines came over {@code limit} late, so it arrives after
   * later changes (it is still held, and released next, out of order).
   */
  boolean hold(Traced event) {
    pending.add(event);
    return event.monotonicNanos() >= watermark;
  }

  /**
   * CPU {@code cpu} has reported everything up to {@code monotonicNanos} (a change or a heartbeat
   * of its own); returns the changes now known to be complete, in kernel time order.
   */
  List<Traced> advance(int cpu, long monotonicNanos) {
    cpuClocks.merge(cpu, monotonicNanos, Math::max);
    long newest = Collections.max(cpuClocks.values());
    watermark = Math.max(Collections.min(cpuClocks.values()), newest - limitNanos);
    List<Traced> released = new ArrayList<>();
    while (!pending.isEmpty() && pending.peek().monotonicNanos() <= watermark) {
      released.add(pending.poll());
    }
    return released;
  }

  /** Every change before this kernel time has been released. */
  long watermark() {
    return watermark;
  }
}
