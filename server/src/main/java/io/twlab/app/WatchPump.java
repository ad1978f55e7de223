package io.twlab.app;

import io.twlab.event.LabEvent;
import io.twlab.event.WatchStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watcher's stream, driven by events rather than by a thread of its own: it runs on a shared
 * pool when its feed has events and its sink can take them, and otherwise waits for either to call
 * it back ({@link #wake}). At most one run of a pump is in flight; a run delivers a few batches,
 * then gives the pool to the other watchers. While observation is far behind, streams wait for it
 * at the {@link ObservationGate}: a watcher a second late is better than a lab whose changes reach
 * its run after the run ended.
 */
final class WatchPump {
  private static final Logger LOG = LoggerFactory.getLogger(WatchPump.class);
  private static final int BATCH = 1024;
  private static final int BATCHES_PER_RUN = 4;
  /** How long a stream is quiet before it flushes its summaries and the sink gets {@link EventSink#idle}. */
  private static final Duration QUIET = Duration.ofMillis(500);

  /** Where a pump's events come from: a lab's live log, a run's recorded timeline. */
  interface Feed {
    /** Up to {@code max} events available now; empty when there is none yet. */
    List<LabEvent> next(int max) throws Exception;

    /** True when no event will come any more. */
    boolean ended();

    /** Arranges for {@code wake} to run once more events may be there. */
    void whenMore(Runnable wake);

    /** The pump ended: {@code wake} is no longer wanted. */
    void stop(Runnable wake);

    /** Events the feed has that the pump has not read yet. */
    long lag();
  }

  private final Feed feed;
  private final WatchStream stream;
  private final EventSink sink;
  private final Executor pool;
  private final ObservationGate gate;
  private final LongAdder delivered;
  private final Runnable onEnd;
  private final Runnable waker = this::wake;
  private final ObservationGate.Turn turn = new ObservationGate.Turn(waker);
  /** Wakes since the running pass began; the pass that brings it back to 0 leaves the pool. */
  private final AtomicInteger wakes = new AtomicInteger();
  private volatile boolean tickDue;
  private volatile boolean ended;
  private volatile Exception endedBy;
  private long lastRead = System.nanoTime();
  private long lastDelivery = lastRead;

  /**
   * {@code gate}: where the stream waits its turn while observation is behind, so that the lab's
   * observer gets the CPU first. {@code onEnd} runs once when the stream ends, however it ends.
   */
  WatchPump(Feed feed, WatchStream stream, EventSink sink, Executor pool, ObservationGate gate, LongAdder delivered,
      Runnable onEnd) {
    this.feed = feed;
    this.stream = stream;
    this.sink = sink;
    this.pool = pool;
    this.gate = gate;
    this.delivered = delivered;
    this.onEnd = onEnd;
  }

  void start() {
    sink.onReady(waker);
    wake();
  }

  /** The periodic look at a quiet stream: its summaries are flushed and its sink kept alive. */
  void tick() {
    tickDue = true;
    wake();
  }

  /** Ends the stream from outside its pass (the server is stopping). */
  void end(Exception failure) {
    endedBy = failure;
    wake();
  }

  long lag() {
    return feed.lag();
  }

  boolean ended() {
    return ended;
  }

  private void wake() {
    if (wakes.getAndIncrement() == 0) {
      submit();
    }
  }

  private void submit() {
    try {
      pool.execute(this::run);
    } catch (RejectedExecutionException shuttingDown) {
      ended = true;
    }
  }

  private void run() {
    int seen = wakes.get();
    boolean more;
    try {
      more = pass();
    } catch (Exception e) {
      finish(e);
      more = false;
    }
    if (more) {
      submit();
    } else if (wakes.addAndGet(-seen) != 0) {
      submit();
    }
  }

  /** One bounded pass; true when it stopped with more to deliver at once. */
  private boolean pass() throws Exception {
    if (ended) {
      return false;
    }
    if (endedBy != null) {
      finish(endedBy);
      return false;
    }
    if (!sink.isOpen()) {
      finish(null);
      return false;
    }
    ObservationGate.Passage passage = gate.enter(turn);
    if (passage == ObservationGate.Passage.WAIT) {
      return false;
    }
    boolean tick = tickDue;
    tickDue = false;
    int batches = passage == ObservationGate.Passage.ONE_BATCH ? 1 : BATCHES_PER_RUN;
    for (int i = 0; i < batches; i++) {
      if (!sink.isReady()) {
        return false;
      }
      List<LabEvent> batch = feed.next(BATCH);
      if (batch.isEmpty()) {
        waitForMore(tick);
        return false;
      }
      lastRead = System.nanoTime();
      deliver(stream.accept(batch));
    }
    return true;
  }

  private void waitForMore(boolean tick) throws Exception {
    if (feed.ended()) {
      deliver(stream.flush());
      finish(null);
      return;
    }
    if (tick) {
      long now = System.nanoTime();
      if (now - lastRead >= QUIET.toNanos()) {
        deliver(stream.flush());
      }
      if (now - lastDelivery >= QUIET.toNanos()) {
        sink.idle();
        lastDelivery = now;
      }
    }
    feed.whenMore(waker);
  }

  private void deliver(List<LabEvent> events) throws Exception {
    if (events.isEmpty()) {
      return;
    }
    sink.sendAll(events);
    delivered.add(events.size());
    lastDelivery = System.nanoTime();
  }

  private void finish(Exception failure) {
    if (ended) {
      return;
    }
    ended = true;
    feed.stop(waker);
    onEnd.run();
    if (failure != null) {
      LOG.debug("watch stream failed: {}", failure.toString());
    }
    if (sink.isOpen()) {
      sink.end(failure);
    }
  }
}
