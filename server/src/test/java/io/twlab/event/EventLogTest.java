package io.twlab.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.event.EventPayload.EventGap;
import io.twlab.event.EventPayload.LabStatusChanged;
import io.twlab.lab.LabStatus;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventLogTest {
  private static final EventPayload READY = new EventPayload.LabStatusChanged(LabStatus.READY, "ready");

  @Test
  void resumesAfterASequenceAndNumbersFromOne() throws Exception {
    EventLog log = new EventLog("lab-1", 100);
    for (int i = 0; i < 5; i++) {
      log.append(Instant.EPOCH, READY);
    }
    List<LabEvent> after2 = log.readAfter(2, 10);
    assertEquals(List.of(3L, 4L, 5L), after2.stream().map(LabEvent::sequence).toList());
    assertEquals(2, log.readAfter(0, 2).size());
  }

  @Test
  void aWatcherBehindTheRetentionGetsAGapThenTheRest() throws Exception {
    EventLog log = new EventLog("lab-1", 3);
    for (int i = 0; i < 10; i++) {
      log.append(Instant.EPOCH, READY);
    }
    List<LabEvent> events = log.readAfter(1, 10);
    EventPayload.EventGap gap = assertInstanceOf(EventPayload.EventGap.class, events.get(0).payload());
    assertEquals(2, gap.fromSequence());
    assertEquals(7, gap.toSequence());
    assertEquals(List.of(8L, 9L, 10L), events.subList(1, 4).stream().map(LabEvent::sequence).toList());
  }

  @Test
  void aRestartedServersLogStartsAboveTheOldOneAndTellsAWatcherResumingFromItWhatWasLost() throws Exception {
    Instant restart = Instant.parse("2026-12-04T00:00:00.000123Z");
    EventLog log = EventLog.continuing("lab-1", 3, new java.util.concurrent.atomic.LongAdder(), restart);
    long base = 1_796_342_400_000_123L;
    for (int i = 0; i < 5; i++) {
      log.append(Instant.EPOCH, READY);
    }
    assertEquals(base + 5, log.lastSequence());
    List<LabEvent> resumed = log.readAfter(42, 10);
    EventGap reset = assertInstanceOf(EventGap.class, resumed.get(0).payload());
    assertEquals(List.of(43L, base), List.of(reset.fromSequence(), reset.toSequence()));
    assertEquals(true, reset.reason().contains("the server restarted at 2026-12-04T00:00:00.000123Z"), reset.reason());
    EventGap retention = assertInstanceOf(EventGap.class, resumed.get(1).payload());
    assertEquals(List.of(base + 1, base + 2, ""), List.of(retention.fromSequence(), retention.toSequence(),
        retention.reason()));
    assertEquals(List.of(base + 3, base + 4, base + 5), resumed.subList(2, 5).stream().map(LabEvent::sequence).toList());
    List<LabEvent> fresh = log.readAfter(0, 10);
    assertEquals(base + 2, fresh.get(0).sequence(), "a new watcher is told only of what retention dropped");
    assertEquals("", assertInstanceOf(EventGap.class, fresh.get(0).payload()).reason());
    assertEquals(List.of(base + 5), log.readAfter(base + 4, 10).stream().map(LabEvent::sequence)
        .toList(), "one resuming within this log just continues");
  }

  @Test
  void theRingGrowsToTheRetentionThenWrapsKeepingTheNewestInOrder() throws Exception {
    EventLog log = new EventLog("lab-1", 300);
    for (int i = 0; i < 1000; i++) {
      log.append(Instant.EPOCH, READY);
    }
    List<LabEvent> tail = log.readAfter(900, 1000);
    assertEquals(100, tail.size());
    for (int i = 0; i < tail.size(); i++) {
      assertEquals(901 + i, tail.get(i).sequence());
    }
    List<LabEvent> fromStart = log.readAfter(0, 2);
    EventPayload.EventGap gap = assertInstanceOf(EventPayload.EventGap.class, fromStart.get(0).payload());
    assertEquals(700, gap.toSequence());
    assertEquals(701, fromStart.get(1).sequence());
  }

  @Test
  void aWaitingWatcherIsWokenOnceOnAppendAndOnceOnClose() {
    EventLog log = new EventLog("lab-1", 10);
    AtomicInteger woken = new AtomicInteger();
    assertTrue(log.wakeAfter(0, woken::incrementAndGet));
    log.append(Instant.EPOCH, READY);
    log.append(Instant.EPOCH, READY);
    assertEquals(1, woken.get(), "one wake per wait, not one per event");
    assertFalse(log.wakeAfter(0, woken::incrementAndGet), "an event is already there: read it now");
    assertTrue(log.wakeAfter(2, woken::incrementAndGet));
    log.close();
    assertEquals(2, woken.get());
    assertFalse(log.wakeAfter(2, woken::incrementAndGet), "a closed log has nothing to wait for");
    assertEquals(List.of(), log.readAfter(2, 10));
  }

  @Test
  void aWatcherThatStoppedWaitingIsNotWoken() {
    EventLog log = new EventLog("lab-1", 10);
    AtomicInteger woken = new AtomicInteger();
    Runnable wake = woken::incrementAndGet;
    assertTrue(log.wakeAfter(0, wake));
    log.stopWaking(wake);
    log.append(Instant.EPOCH, READY);
    assertEquals(0, woken.get());
  }
}
