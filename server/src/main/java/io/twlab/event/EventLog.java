package io.twlab.event;

import io.twlab.event.EventPayload.EventGap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lab's ordered event log with bounded retention. Writers never wait for readers: each watcher
 * pulls at its own pace from its last sequence number, and one that fell behind the retention
 * gets an {@link EventPayload.EventGap} for what it missed.
 *
 * <p>Sequences are contiguous, so the retained events sit in a ring indexed by sequence: finding
 * where a watcher resumes costs nothing however long the log is. The ring grows by doubling up to
 * the retention, so a quiet lab holds a small array.
 */
public final class EventLog {
  private static final int INITIAL_CAPACITY = 256;

  private final String labId;
  private final int retention;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private final LongAdder appendedTotal;
  private LabEvent[] ring;
  private long lastSequence;
  private boolean closed;

  public EventLog(String labId, int retention) {
    this(labId, retention, new LongAdder());
  }

  /** {@code appendedTotal}: counts every event appended here, with other logs' (the server's metrics). */
  public EventLog(String labId, int retention, LongAdder appendedTotal) {
    this.labId = labId;
    this.retention = retention;
    this.appendedTotal = appendedTotal;
    this.ring = new LabEvent[Math.min(retention, INITIAL_CAPACITY)];
  }

  public LabEvent append(Instant time, EventPayload payload) {
    lock.lock();
    try {
      LabEvent event = new LabEvent(++lastSequence, labId, time, payload);
      if (lastSequence > ring.length && ring.length < retention) {
        grow();
      }
      ring[slot(event.sequence())] = event;
      appendedTotal.increment();
      appended.signalAll();
      return event;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns up to {@code max} events with a sequence above {@code after}, waiting up to
   * {@code wait} for one to arrive. Empty when none came or the log is closed.
   */
  public List<LabEvent> readAfter(long after, int max, Duration wait) throws InterruptedException {
    lock.lock();
    try {
      long deadline = System.nanoTime() + wait.toNanos();
      while (lastSequence <= after && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return List.of();
        }
        appended.await(left, TimeUnit.NANOSECONDS);
      }
      List<LabEvent> out = new ArrayList<>();
      long firstRetained = Math.max(1, lastSequence - ring.length + 1);
      long from = after + 1;
      if (from < firstRetained) {
        out.add(new LabEvent(firstRetained - 1, labId, Instant.now(), new EventPayload.EventGap(from, firstRetained - 1)));
        from = firstRetained;
      }
      for (long s = from; s <= lastSequence && out.size() < max; s++) {
        out.add(ring[slot(s)]);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  public long lastSequence() {
    lock.lock();
    try {
      return lastSequence;
    } finally {
      lock.unlock();
    }
  }

  /** Ends every watcher's wait; events already retained can still be read. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      appended.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private int slot(long sequence) {
    return (int) ((sequence - 1) % ring.length);
  }

  /** Called only while every sequence so far still fits: the ring is full from sequence 1 on. */
  private void grow() {
    ring = Arrays.copyOf(ring, (int) Math.min(retention, (long) ring.length * 2));
  }
}
