package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.event.Detail;
import io.twlab.event.EventFilter;
import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.event.LabEvent;
import io.twlab.event.WatchStream;
import io.twlab.lab.LabStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchPumpTest {
  private static final EventPayload READY = new EventPayload.LabStatusChanged(LabStatus.READY, "ready");

  private final ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(2);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private volatile boolean behind;
  private final ObservationGate gate = new ObservationGate(() -> behind, timer);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
    timer.shutdownNow();
  }

  @Test
  void twoHundredWatchersThatCannotReadHoldNoThreadAndGetEveryEventOnceTheyCan() throws Exception {
    EventLog log = new EventLog("lab-1", 100_000);
    List<Sink> sinks = new ArrayList<>();
    CountDownLatch ended = new CountDownLatch(200);
    for (int i = 0; i < 200; i++) {
      Sink sink = new Sink(false, ended);
      sinks.add(sink);
      pump(log, sink, () -> {}).start();
    }
    for (int i = 0; i < 10_000; i++) {
      log.append(Instant.EPOCH, READY);
    }
    awaitIdle();
    assertEquals(0, pool.getActiveCount(), "no watcher holds a pool thread while it cannot read");
    sinks.forEach(s -> assertEquals(List.of(), s.sequences()));

    sinks.forEach(Sink::turnReady);
    log.close();
    assertTrue(ended.await(30, TimeUnit.SECONDS), "every stream ended with its log");
    List<Long> all = new ArrayList<>();
    for (long s = 1; s <= 10_000; s++) {
      all.add(s);
    }
    for (Sink sink : sinks) {
      assertEquals(all, sink.sequences(), "every event, once, in order");
      assertEquals(1, sink.ends.get());
    }
  }

  @Test
  void aWatcherWaitingForEventsHoldsNoThreadAndIsWokenByTheNextOne() throws Exception {
    EventLog log = new EventLog("lab-1", 100);
    CountDownLatch ended = new CountDownLatch(1);
    Sink sink = new Sink(true, ended);
    pump(log, sink, () -> {}).start();
    awaitIdle();
    assertEquals(0, pool.getActiveCount());
    log.append(Instant.EPOCH, READY);
    log.close();
    assertTrue(ended.await(10, TimeUnit.SECONDS));
    assertEquals(List.of(1L), sink.sequences());
  }

  @Test
  void aWatcherThatWentAwayEndsOnTheNextTickAndGivesItsHoldBack() throws Exception {
    EventLog log = new EventLog("lab-1", 100);
    CountDownLatch ended = new CountDownLatch(1);
    Sink sink = new Sink(true, ended);
    CountDownLatch released = new CountDownLatch(1);
    WatchPump pump = pump(log, sink, released::countDown);
    pump.start();
    sink.open = false;
    pump.tick();
    assertTrue(released.await(10, TimeUnit.SECONDS));
    assertEquals(0, sink.ends.get(), "a sink that is gone is not ended again");
    log.append(Instant.EPOCH, READY);
    assertEquals(List.of(), sink.sequences());
  }

  @Test
  void aStreamEndedFromOutsideFailsItsSinkOnce() throws Exception {
    EventLog log = new EventLog("lab-1", 100);
    CountDownLatch ended = new CountDownLatch(1);
    Sink sink = new Sink(true, ended);
    WatchPump pump = pump(log, sink, () -> {});
    pump.start();
    pump.end(new IllegalStateException("stopping"));
    assertTrue(ended.await(10, TimeUnit.SECONDS));
    assertEquals("stopping", sink.failure.getMessage());
    assertTrue(pump.ended());
  }

  @Test
  void whileObservationIsBehindWatchersGoInLineOneBatchAtATurnAndAllGoOnceItCaughtUp() throws Exception {
    EventLog log = new EventLog("lab-1", 100_000);
    for (int i = 0; i < 3 * 1024; i++) {
      log.append(Instant.EPOCH, READY);
    }
    behind = true;
    CountDownLatch ended = new CountDownLatch(3);
    List<Sink> sinks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Sink sink = new Sink(true, ended);
      sinks.add(sink);
      pump(log, sink, () -> {}).start();
    }
    long started = System.nanoTime();
    Thread.sleep(5 * ObservationGate.STEP.toMillis());
    long turns = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) / ObservationGate.STEP.toMillis();
    int delivered = sinks.stream().mapToInt(s -> s.sequences().size()).sum();
    assertTrue(delivered > 0, "each turn in the line delivers a batch");
    assertTrue(delivered <= (turns + 1) * 1024, delivered + " events in " + turns + " turns: one batch a turn at most");
    assertTrue(gate.waiting() > 0, "the others wait in line");

    behind = false;
    log.close();
    assertTrue(ended.await(10, TimeUnit.SECONDS), "all go once observation caught up");
    for (Sink sink : sinks) {
      assertEquals(3 * 1024, sink.sequences().size());
    }
    assertEquals(0, gate.waiting());
  }

  @Test
  void aWatcherInLineGetsItsTurnHoweverLongObservationStaysBehind() throws Exception {
    EventLog log = new EventLog("lab-1", 100);
    CountDownLatch ended = new CountDownLatch(1);
    Sink sink = new Sink(true, ended);
    behind = true;
    log.append(Instant.EPOCH, READY);
    pump(log, sink, () -> {}).start();
    for (int i = 0; i < 300 && sink.sequences().isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertEquals(List.of(1L), sink.sequences(), "delivered at its turn, though observation is still behind");
    log.append(Instant.EPOCH, READY);
    log.close();
    assertTrue(ended.await(10, TimeUnit.SECONDS));
    assertEquals(List.of(1L, 2L), sink.sequences());
  }

  private WatchPump pump(EventLog log, Sink sink, Runnable onEnd) {
    return new WatchPump(new EventStreams.LogFeed(log, 0), new WatchStream(EventFilter.ALL, Detail.CONNECTIONS), sink,
        pool, gate, new LongAdder(), onEnd);
  }

  /** Until the pool has nothing queued or running: bounded, as every pass is. */
  private void awaitIdle() throws InterruptedException {
    for (int i = 0; i < 1_000 && (pool.getActiveCount() > 0 || !pool.getQueue().isEmpty()); i++) {
      Thread.sleep(10);
    }
  }

  private static final class Sink implements EventSink {
    private final List<Long> received = new ArrayList<>();
    private final AtomicInteger ends = new AtomicInteger();
    private final CountDownLatch ended;
    private volatile boolean ready;
    private volatile boolean open = true;
    private volatile Runnable wake;
    private volatile Exception failure;

    Sink(boolean ready, CountDownLatch ended) {
      this.ready = ready;
      this.ended = ended;
    }

    void turnReady() {
      ready = true;
      wake.run();
    }

    synchronized List<Long> sequences() {
      return List.copyOf(received);
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void onReady(Runnable wake) {
      this.wake = wake;
    }

    @Override
    public synchronized void sendAll(List<LabEvent> events) {
      events.forEach(e -> received.add(e.sequence()));
    }

    @Override
    public void end(Exception failure) {
      this.failure = failure;
      ends.incrementAndGet();
      ended.countDown();
    }
  }
}
