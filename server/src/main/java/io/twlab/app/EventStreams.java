package io.twlab.app;

import io.twlab.core.Caller;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.TooManyRequestsException;
import io.twlab.event.Detail;
import io.twlab.event.EventFilter;
import io.twlab.event.EventLog;
import io.twlab.event.LabEvent;
import io.twlab.event.WatchStream;
import io.twlab.scenario.RunState;
import io.twlab.store.RecordedRun;
import io.twlab.store.RunStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A lab's live events and a finished run's recorded ones, streamed to a watcher as it asks for them. */
public final class EventStreams {
  /** The sequence a stream resumes after to see only what happens from now on. */
  public static final long FROM_NOW = -1;
  private static final int WATCH_BATCH = 1024;
  /** How long a watcher waits for new events before it flushes summaries or checks its client. */
  private static final Duration WATCH_WAIT = Duration.ofMillis(500);
  /** The longest pause between two replayed events, whatever the speed. */
  private static final Duration REPLAY_PAUSE_LIMIT = Duration.ofSeconds(5);

  private final Labs labs;
  private final Runs runs;
  private final RunStore history;
  /** Streams open (classroom views too), per tenant owner. */
  private final Holdings open = new Holdings();
  private final LongAdder delivered = new LongAdder();
  /** Each live lab watcher's lag: events of its lab's log it has not read yet. */
  private final Map<Object, Long> lags = new ConcurrentHashMap<>();

  public EventStreams(Labs labs, Runs runs, RunStore history) {
    this.labs = labs;
    this.runs = runs;
    this.history = history;
  }

  /** Where a watcher's events come from; it counts against its caller's watchers until closed. */
  public static final class Stream implements AutoCloseable {
    private final Source source;
    private final Holdings.Hold hold;

    private Stream(Source source, Holdings.Hold hold) {
      this.source = source;
      this.hold = hold;
    }

    /**
     * Streams the events after {@code afterSequence} into {@code sink}, as {@code filter} and
     * {@code detail} ask, until the sink closes or the events end. Runs on the caller's thread.
     */
    public void to(long afterSequence, EventFilter filter, Detail detail, EventSink sink) throws Exception {
      source.to(afterSequence, filter, detail, sink);
    }

    @Override
    public void close() {
      hold.close();
    }
  }

  /**
   * A lab's events: from {@code afterSequence} on ({@link #FROM_NOW}: from now on) until the lab is deleted.
   * The lab never waits for its watchers.
   */
  public Stream lab(Caller caller, String labId) {
    EventLog log = labs.session(caller, labId).log();
    return counted(caller, (afterSequence, filter, detail, sink) -> {
      Object watcher = new Object();
      try {
        watch(log, afterSequence, filter, detail, sink, watcher);
      } finally {
        lags.remove(watcher);
      }
    });
  }

  /** A finished run's recorded events, at {@code speed} times the pace they happened (0: at once). */
  public Stream replay(Caller caller, String runId, double speed) {
    if (!(speed >= 0 && speed <= 1_000)) {
      throw new InvalidArgumentException("replay_speed", "must be from 0 (at once) to 1000, got " + speed);
    }
    RecordedRun recorded = runs.get(caller, runId);
    if (recorded.run().state() == RunState.RUNNING) {
      throw new InvalidArgumentException("run_id", "run " + runId + " is still running: watch its lab "
          + recorded.run().labId() + " instead");
    }
    return counted(caller, (afterSequence, filter, detail, sink) -> replay(runId, afterSequence, filter, detail,
        speed, sink));
  }

  /** Events sent to watchers since the start (the server's metrics). */
  public long eventsDelivered() {
    return delivered.sum();
  }

  /** Lab watchers streaming now (the server's metrics). */
  public int watching() {
    return lags.size();
  }

  /** The most events any watcher is behind its lab's log (the server's metrics). */
  public long maxLag() {
    return lags.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private interface Source {
    void to(long afterSequence, EventFilter filter, Detail detail, EventSink sink) throws Exception;
  }

  private Stream counted(Caller caller, Source source) {
    return new Stream(source, watcher(caller));
  }

  /** One of the caller's watchers (an event stream, a classroom view), held until closed, or refused. */
  Holdings.Hold watcher(Caller caller) {
    return open.take(caller.self().owner(), caller.limits().watchers(), used ->
        TooManyRequestsException.quota("watchers", used, caller.limits().watchers(),
            "close another watch (each browser tab, `twlab watch` or classroom view is one)", 5));
  }

  private void watch(EventLog log, long afterSequence, EventFilter filter, Detail detail, EventSink sink, Object watcher)
      throws Exception {
    WatchStream stream = new WatchStream(filter, detail);
    long last = afterSequence == FROM_NOW ? log.lastSequence() : afterSequence;
    long lastDelivery = System.nanoTime();
    while (sink.isOpen()) {
      List<LabEvent> batch = log.readAfter(last, WATCH_BATCH, WATCH_WAIT);
      List<LabEvent> deliver = batch.isEmpty() ? stream.flush() : stream.accept(batch);
      if (!sink.isOpen()) {
        return;
      }
      if (!deliver.isEmpty()) {
        sink.sendAll(deliver);
      }
      delivered.add(deliver.size());
      if (!batch.isEmpty()) {
        last = batch.get(batch.size() - 1).sequence();
      }
      lags.put(watcher, Math.max(0, log.lastSequence() - last));
      if (!deliver.isEmpty()) {
        lastDelivery = System.nanoTime();
      } else if (batch.isEmpty() && log.isClosed()) {
        return;
      } else if (System.nanoTime() - lastDelivery > WATCH_WAIT.toNanos()) {
        sink.idle();
        lastDelivery = System.nanoTime();
      }
    }
  }

  private void replay(String runId, long afterSequence, EventFilter filter, Detail detail, double speed,
      EventSink sink) throws Exception {
    WatchStream stream = new WatchStream(filter, detail);
    Instant previous = null;
    for (LabEvent event : history.timeline(runId)) {
      if (!sink.isOpen()) {
        return;
      }
      if (event.sequence() <= afterSequence) {
        continue;
      }
      if (speed > 0 && previous != null) {
        long pauseMs = (long) (Duration.between(previous, event.time()).toMillis() / speed);
        Thread.sleep(Math.min(REPLAY_PAUSE_LIMIT.toMillis(), Math.max(0, pauseMs)));
      }
      previous = event.time();
      for (LabEvent out : stream.accept(List.of(event))) {
        sink.send(out);
      }
    }
    for (LabEvent out : stream.flush()) {
      sink.send(out);
    }
  }
}
