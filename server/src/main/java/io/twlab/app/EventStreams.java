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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lab's live events and a finished run's recorded ones, streamed to watchers as they can take
 * them. No watcher holds a thread: each is a {@link WatchPump} on a small shared pool, woken by its
 * lab's log and by its sink's flow control.
 */
public final class EventStreams implements AutoCloseable {
  /** The sequence a stream resumes after to see only what happens from now on. */
  public static final long FROM_NOW = -1;
  /** The longest pause between two replayed events, whatever the speed. */
  private static final Duration REPLAY_PAUSE_LIMIT = Duration.ofSeconds(5);
  /**
   * How far observation may trail the kernel before watchers wait for it: its heartbeats come every
   * 50 ms, so a stream more than this behind is starved of CPU, and watchers are what it competes with.
   */
  private static final Duration OBSERVATION_AHEAD_OF_WATCHERS = Duration.ofMillis(250);
  /** How often quiet streams are looked at (summaries flushed, connections kept alive). */
  private static final Duration TICK = Duration.ofMillis(250);

  private final Labs labs;
  private final Runs runs;
  private final RunStore history;
  /** Streams open (classroom views too), per tenant owner. */
  private final Holdings open = new Holdings();
  private final LongAdder delivered = new LongAdder();
  private final Set<WatchPump> live = ConcurrentHashMap.newKeySet();
  private final ExecutorService pool;
  private final ScheduledExecutorService timer;
  private final ObservationGate gate;

  public EventStreams(Labs labs, Runs runs, RunStore history) {
    this.labs = labs;
    this.runs = runs;
    this.history = history;
    // A core is left to the observer, and watchers wait while it is behind: 200 watchers of a flood
    // on every core starved it, and changes reached the log after their run had ended
    // (bench/run.sh fanout, docs/scaling.md).
    this.pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
        Ids.daemonThreads("twlab-watch"));
    this.timer = Executors.newSingleThreadScheduledExecutor(Ids.daemonThreads("twlab-watch-timer"));
    timer.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    this.gate = new ObservationGate(() -> labs.observationBehind().compareTo(OBSERVATION_AHEAD_OF_WATCHERS) > 0, timer);
  }

  /** Where a watcher's events come from; it counts against its caller's watchers until its stream ends. */
  public final class Stream implements AutoCloseable {
    private final FeedOpener feeds;
    private final Holdings.Hold hold;

    private Stream(FeedOpener feeds, Holdings.Hold hold) {
      this.feeds = feeds;
      this.hold = hold;
    }

    /**
     * Starts streaming the events after {@code afterSequence} into {@code sink}, as {@code filter}
     * and {@code detail} ask, until the sink closes or the events end; returns at once. From here
     * on the stream belongs to the sink: it ends, and gives its watcher back, with the sink.
     */
    public void start(long afterSequence, EventFilter filter, Detail detail, EventSink sink) {
      WatchPump.Feed feed;
      try {
        feed = feeds.open(afterSequence);
      } catch (RuntimeException e) {
        hold.close();
        throw e;
      }
      WatchPump pump = new WatchPump(feed, new WatchStream(filter, detail), sink, pool, gate, delivered, hold::close);
      live.add(pump);
      pump.start();
    }

    /** Gives the watcher back without streaming (a stream that never started). */
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
    return counted(caller, afterSequence -> new LogFeed(log, afterSequence == FROM_NOW ? log.lastSequence()
        : afterSequence));
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
    return counted(caller, afterSequence -> new ReplayFeed(history.timeline(runId).stream()
        .filter(e -> e.sequence() > afterSequence).toList(), speed, timer));
  }

  /** Events sent to watchers since the start (the server's metrics). */
  public long eventsDelivered() {
    return delivered.sum();
  }

  /** Lab and replay watchers streaming now (the server's metrics). */
  public int watching() {
    return (int) live.stream().filter(p -> !p.ended()).count();
  }

  /** Watchers waiting in line for observation to catch up (the server's metrics). */
  public int waitingForObservation() {
    return gate.waiting();
  }

  /** The most events any watcher is behind its lab's log or its run's timeline (the server's metrics). */
  public long maxLag() {
    return live.stream().filter(p -> !p.ended()).mapToLong(WatchPump::lag).max().orElse(0);
  }

  /**
   * Ends every stream now, its watcher told the server is stopping: gRPC then has no watch call to
   * wait for.
   */
  public void endAll() {
    IllegalStateException stopping = new IllegalStateException("the server is stopping: watch again once it is back, "
        + "resuming after the last sequence you got");
    live.forEach(pump -> pump.end(stopping));
  }

  @Override
  public void close() {
    endAll();
    timer.shutdownNow();
    pool.shutdownNow();
  }

  private void tick() {
    live.removeIf(WatchPump::ended);
    live.forEach(WatchPump::tick);
  }

  private interface FeedOpener {
    WatchPump.Feed open(long afterSequence);
  }

  private Stream counted(Caller caller, FeedOpener feeds) {
    return new Stream(feeds, watcher(caller));
  }

  /** One of the caller's watchers (an event stream, a classroom view), held until closed, or refused. */
  Holdings.Hold watcher(Caller caller) {
    return open.take(caller.self().owner(), caller.limits().watchers(), used ->
        TooManyRequestsException.quota("watchers", used, caller.limits().watchers(),
            "close another watch (each browser tab, `twlab watch` or classroom view is one)", 5));
  }

  /** A lab's live log, read from {@code last} on. */
  static final class LogFeed implements WatchPump.Feed {
    private final EventLog log;
    private long last;

    LogFeed(EventLog log, long after) {
      this.log = log;
      this.last = after;
    }

    @Override
    public List<LabEvent> next(int max) {
      List<LabEvent> batch = log.readAfter(last, max);
      if (!batch.isEmpty()) {
        last = batch.get(batch.size() - 1).sequence();
      }
      return batch;
    }

    @Override
    public boolean ended() {
      return log.isClosed() && log.lastSequence() <= last;
    }

    @Override
    public void whenMore(Runnable wake) {
      if (!log.wakeAfter(last, wake)) {
        wake.run();
      }
    }

    @Override
    public void stop(Runnable wake) {
      log.stopWaking(wake);
    }

    @Override
    public long lag() {
      return Math.max(0, log.lastSequence() - last);
    }
  }

  /** A run's recorded timeline, released at {@code speed} times the pace it happened (0: at once). */
  static final class ReplayFeed implements WatchPump.Feed {
    private final List<LabEvent> events;
    private final double speed;
    private final ScheduledExecutorService timer;
    private int next;
    /** When the next event may go, on System.nanoTime()'s clock. */
    private long due = System.nanoTime();

    ReplayFeed(List<LabEvent> events, double speed, ScheduledExecutorService timer) {
      this.events = events;
      this.speed = speed;
      this.timer = timer;
    }

    @Override
    public List<LabEvent> next(int max) {
      List<LabEvent> out = new ArrayList<>();
      while (next < events.size() && out.size() < max && System.nanoTime() - due >= 0) {
        LabEvent event = events.get(next++);
        out.add(event);
        if (speed > 0 && next < events.size()) {
          long pauseNanos = (long) (Duration.between(event.time(), events.get(next).time()).toNanos() / speed);
          due = System.nanoTime() + Math.min(REPLAY_PAUSE_LIMIT.toNanos(), Math.max(0, pauseNanos));
        }
      }
      return out;
    }

    @Override
    public boolean ended() {
      return next >= events.size();
    }

    @Override
    public void whenMore(Runnable wake) {
      timer.schedule(wake, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void stop(Runnable wake) {}

    @Override
    public long lag() {
      return events.size() - next;
    }
  }
}
