package io.twlab.event;

import io.twlab.event.EventPayload.EventGap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lab's ordered event log with bounded retention. Writers never wait for readers: each watcher
 * pulls at its own pace from its last sequence number, and one that fell behind the retention
 * gets an {@link EventPayload.EventGap} for what it missed.
 *
 * <p>Sequences are contiguous, so the retained events sit in a ring indexed by sequence: finding
 * where a watcher resumes costs nothing however long the log is. The ring grows by doubling up to
 * the retention, so a quiet lab holds a small array.
 *
 * <p>A lab re-adopted by a restarted server gets a new log whose sequences start above any the
 * earlier server's could have reached ({@link #continuing}): a watcher resuming from one of those
 * gets a gap saying the server restarted, never a wait or another lab history's events.
 */
public final class EventLog {
  private static final int INITIAL_CAPACITY = 256;

  private final String labId;
  private final int retention;
  private final ReentrantLock lock = new ReentrantLock();
  private final LongAdder appendedTotal;
  /** The sequence before this log's first event: 0, or where a restarted server's log begins. */
  private final long base;
  private final String baseReason;
  /** Who asked to be called once the next event is appended ({@link #wakeAfter}). */
  private final List<Runnable> waiting = new ArrayList<>();
  private LabEvent[] ring;
  private long lastSequence;
  private boolean closed;

  public EventLog(String labId, int retention) {
    this(labId, retention, new LongAdder());
  }

  /** {@code appendedTotal}: counts every event appended here, with other logs' (the server's metrics). */
  public EventLog(String labId, int retention, LongAdder appendedTotal) {
    this(labId, retention, appendedTotal, 0, "");
  }

  private EventLog(String labId, int retention, LongAdder appendedTotal, long base, String baseReason) {
    this.labId = labId;
    this.retention = retention;
    this.appendedTotal = appendedTotal;
    this.base = base;
    this.baseReason = baseReason;
    this.lastSequence = base;
    this.ring = new LabEvent[Math.min(retention, INITIAL_CAPACITY)];
  }

  /**
   * The log of a lab an earlier server kept a log of until {@code restartedAt}: its sequences start
   * at the restart's epoch microsecond, above any the earlier log reached unless it averaged over a
   * million events a second of its life.
   */
  public static EventLog continuing(String labId, int retention, LongAdder appendedTotal, Instant restartedAt) {
    long base = restartedAt.getEpochSecond() * 1_000_000 + restartedAt.getNano() / 1_000;
    return new EventLog(labId, retention, appendedTotal, base, "the server restarted at " + restartedAt
        + ": what happened in the lab between the sequence you resumed from and the restart was not kept");
  }

  public LabEvent append(Instant time, EventPayload payload) {
    LabEvent event;
    List<Runnable> woken;
    lock.lock();
    try {
      event = new LabEvent(++lastSequence, labId, time, payload);
      if (lastSequence - base > ring.length && ring.length < retention) {
        grow();
      }
      ring[slot(event.sequence())] = event;
      appendedTotal.increment();
      woken = takeWaiting();
    } finally {
      lock.unlock();
    }
    woken.forEach(Runnable::run);
    return event;
  }

  /**
   * Calls {@code wake} once, on the appending thread and outside the log's lock, when an event after
   * {@code after} is appended or the log closes. Returns false, and calls nothing, when one already
   * is or the log is already closed: read again at once.
   */
  public boolean wakeAfter(long after, Runnable wake) {
    lock.lock();
    try {
      if (lastSequence > after || closed) {
        return false;
      }
      waiting.add(wake);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a {@link #wakeAfter} of a watcher that went away before anything was appended. */
  public void stopWaking(Runnable wake) {
    lock.lock();
    try {
      waiting.remove(wake);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns up to {@code max} events with a sequence above {@code after}, at once: empty when there
   * is none yet ({@link #wakeAfter} calls back when there is).
   */
  public List<LabEvent> readAfter(long after, int max) {
    lock.lock();
    try {
      List<LabEvent> out = new ArrayList<>();
      long firstRetained = Math.max(base + 1, lastSequence - ring.length + 1);
      long from = Math.max(after, base) + 1;
      if (after > 0 && after < base) {
        out.add(new LabEvent(base, labId, Instant.now(), new EventPayload.EventGap(after + 1, base, baseReason)));
      }
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

  /** Wakes every waiting watcher for the last time; events already retained can still be read. */
  public void close() {
    List<Runnable> woken;
    lock.lock();
    try {
      closed = true;
      woken = takeWaiting();
    } finally {
      lock.unlock();
    }
    woken.forEach(Runnable::run);
  }

  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private List<Runnable> takeWaiting() {
    if (waiting.isEmpty()) {
      return List.of();
    }
    List<Runnable> woken = List.copyOf(waiting);
    waiting.clear();
    return woken;
  }

  private int slot(long sequence) {
    return (int) ((sequence - base - 1) % ring.length);
  }

  /** Called only while every sequence so far still fits: the ring is full from the first sequence on. */
  private void grow() {
    ring = Arrays.copyOf(ring, (int) Math.min(retention, (long) ring.length * 2));
  }
}
