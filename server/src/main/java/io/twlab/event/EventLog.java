package io.twlab.event;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lab's ordered event log with bounded retention. Writers never wait for readers: each watcher
 * pulls at its own pace from its last sequence number, and one that fell behind the retention
 * gets an {@link EventPayload.EventGap} for what it missed.
 */
public final class EventLog {
  private final String labId;
  private final int retention;
  private final Deque<LabEvent> events = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private long lastSequence;
  private boolean closed;

  public EventLog(String labId, int retention) {
    this.labId = labId;
    this.retention = retention;
  }

  public LabEvent append(Instant time, EventPayload payload) {
    lock.lock();
    try {
      LabEvent event = new LabEvent(++lastSequence, labId, time, payload);
      events.addLast(event);
      if (events.size() > retention) {
        events.removeFirst();
      }
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
      long firstRetained = events.isEmpty() ? lastSequence + 1 : events.getFirst().sequence();
      if (after + 1 < firstRetained) {
        out.add(new LabEvent(firstRetained - 1, labId, Instant.now(),
            new EventPayload.EventGap(after + 1, firstRetained - 1)));
      }
      for (LabEvent e : events) {
        if (out.size() >= max) {
          break;
        }
        if (e.sequence() > after) {
          out.add(e);
        }
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
}
