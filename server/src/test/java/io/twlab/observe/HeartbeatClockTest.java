package io.twlab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HeartbeatClockTest {
  private static final long MS = 1_000_000;
  /** The JVM's clock minus the kernel's: what the heartbeats let the clock find. */
  private static final long SKEW = 7_000 * MS;

  @Test
  void theSoonestHeartbeatSetsTheClockAndLateOnesDoNot() {
    HeartbeatClock clock = new HeartbeatClock();
    assertEquals(0, clock.lagNanos(0, SKEW), "nothing heard, nothing to tell");
    clock.heard(100 * MS, 100 * MS + SKEW + 5 * MS);
    clock.heard(150 * MS, 150 * MS + SKEW + 1 * MS);
    clock.heard(200 * MS, 200 * MS + SKEW + 900 * MS);

    assertEquals(0, clock.lagNanos(200 * MS, 200 * MS + SKEW + 1 * MS));
    assertEquals(800 * MS, clock.lagNanos(200 * MS, 1_000 * MS + SKEW + 1 * MS), "up to 200 ms at 1 000 ms");
  }

  @Test
  void clocksThatDriftApartAreFollowedAMillisecondASecond() {
    HeartbeatClock clock = new HeartbeatClock();
    clock.heard(0, SKEW);
    // Ten seconds on, the JVM's clock is 5 ms ahead of where it was against the kernel's.
    clock.heard(10_000 * MS, 10_000 * MS + SKEW + 5 * MS);
    assertEquals(0, clock.lagNanos(10_000 * MS, 10_000 * MS + SKEW + 5 * MS), "a drift, not a lag");
  }
}
