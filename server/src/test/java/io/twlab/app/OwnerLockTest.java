package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.testing.FakeEngine;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the owner lock keeps itself, on an in-memory engine; DockerRestartIT restarts a real one. */
class OwnerLockTest {
  private static final ServerSettings SETTINGS = ServerSettings.defaults().withOwner("lock-test");

  @Test
  void aLockTheEngineRestartStoppedIsTakenAgain() {
    FakeEngine engine = new FakeEngine();
    try (OwnerLock lock = OwnerLock.acquire(engine, SETTINGS, "test", Clock.systemUTC())) {
      String before = onlyLock(engine);

      engine.restart();
      lock.keep();

      String after = onlyLock(engine);
      assertTrue(!after.isEmpty() && engine.objects().size() == 1, engine.objects().toString());
      assertEquals(before, after, "the same name, made again");
    }
    assertEquals(List.of(), engine.running(OwnerLock.LABEL, "lock-test"), "closing the lock removes it");
  }

  @Test
  void aFailedAttemptToTakeTheLockAgainIsTriedAgainAtTheNextLook() {
    FakeEngine engine = new FakeEngine();
    try (OwnerLock lock = OwnerLock.acquire(engine, SETTINGS, "test", Clock.systemUTC())) {
      engine.restart();
      engine.refusingRemovals(1);

      lock.keep(); // the engine refuses to remove the stopped lock: nothing thrown, nothing taken
      assertEquals(List.of(), engine.running(OwnerLock.LABEL, "lock-test"));
      lock.keep();

      onlyLock(engine);
    }
  }

  @Test
  void aSecondServerWithTheSameOwnerIsRefusedWhileTheFirstHoldsTheLock() {
    FakeEngine engine = new FakeEngine();
    try (OwnerLock lock = OwnerLock.acquire(engine, SETTINGS, "first", Clock.systemUTC())) {
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> OwnerLock.acquire(engine, SETTINGS, "second", Clock.systemUTC()));
      assertTrue(refused.getMessage().contains("first"), refused.getMessage());
      lock.keep();
      onlyLock(engine);
    }
  }

  private static String onlyLock(FakeEngine engine) {
    List<String> running = engine.running(OwnerLock.LABEL, "lock-test");
    assertEquals(1, running.size(), "running locks: " + running);
    return running.get(0);
  }
}
