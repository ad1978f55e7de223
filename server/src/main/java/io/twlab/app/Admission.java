package io.twlab.app;

import io.twlab.core.TooManyRequestsException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The server's run slots. A run takes one at once when one is free; otherwise it queues, first come
 * first served, for at most the limits' wait; beyond the queue's length it is refused at once. Every
 * run enters here, a student's and a grading job's alike.
 */
final class Admission {
  private final ServerLimits limits;
  private final Semaphore slots;
  private int queued;

  Admission(ServerLimits limits) {
    this.limits = limits;
    this.slots = new Semaphore(limits.runs(), true);
  }

  /** A place in line, taken on the caller's thread so that a full queue is refused before the run starts. */
  synchronized Ticket enter() {
    if (queued == 0 && slots.tryAcquire()) {
      return new Ticket(0);
    }
    if (queued >= limits.queue()) {
      throw TooManyRequestsException.quota("server run queue", queued, limits.queue(),
          "the server runs " + limits.runs() + " at a time and that many wait already; try again later", 30);
    }
    queued++;
    return new Ticket(queued);
  }

  synchronized int queued() {
    return queued;
  }

  private synchronized void left() {
    queued--;
  }

  /** A run's place: admitted already (ahead 0), or waiting behind {@code ahead} - 1 others. */
  final class Ticket implements AutoCloseable {
    private final int position;
    private boolean admitted;
    private boolean waiting;

    private Ticket(int position) {
      this.position = position;
      this.admitted = position == 0;
      this.waiting = position > 0;
    }

    /** Where it stood in the queue when it entered: 0 if it was admitted at once. */
    int position() {
      return position;
    }

    /** Waits for a slot, at most the limits' queue wait; false if none came in time. */
    boolean await() throws InterruptedException {
      if (admitted) {
        return true;
      }
      try {
        admitted = slots.tryAcquire(limits.queueWait().toMillis(), TimeUnit.MILLISECONDS);
        return admitted;
      } finally {
        leaveQueue();
      }
    }

    private void leaveQueue() {
      if (waiting) {
        waiting = false;
        left();
      }
    }

    /** Gives the slot back, or the place in line. */
    @Override
    public void close() {
      leaveQueue();
      if (admitted) {
        admitted = false;
        slots.release();
      }
    }
  }
}
