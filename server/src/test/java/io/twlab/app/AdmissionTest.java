package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.TooManyRequestsException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  @Test
  void beyondTheSlotsRunsWaitInTurnAndBeyondTheQueueTheyAreRefused() throws Exception {
    Admission admission = new Admission(new ServerLimits(10, 1, 1, Duration.ofSeconds(5)));
    Admission.Ticket first = admission.enter();
    assertEquals(0, first.position());
    assertTrue(first.await());
    Admission.Ticket second = admission.enter();
    assertEquals(1, second.position());
    TooManyRequestsException full = assertThrows(TooManyRequestsException.class, admission::enter);
    assertEquals(new TooManyRequestsException.Quota("server run queue", 1, 1), full.quota().orElseThrow());

    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return second.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(200);
    assertFalse(waiting.isDone(), "the second waits while the first holds the only slot");
    first.close();
    assertTrue(waiting.get(5, TimeUnit.SECONDS));
    second.close();
    try (Admission.Ticket third = admission.enter()) {
      assertEquals(0, third.position(), "every slot and place was given back");
    }
  }

  @Test
  void aRunThatWaitsLongerThanTheQueueAllowsIsNotAdmitted() throws Exception {
    Admission admission = new Admission(new ServerLimits(10, 1, 5, Duration.ofMillis(100)));
    try (Admission.Ticket holder = admission.enter(); Admission.Ticket late = admission.enter()) {
      assertTrue(holder.await());
      assertFalse(late.await());
    }
    try (Admission.Ticket next = admission.enter()) {
      assertEquals(0, next.position());
    }
  }
}
