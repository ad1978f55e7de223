package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.TooManyRequestsException;
import io.twlab.grading.Job;
import io.twlab.grading.Scorecard;
import io.twlab.store.SqliteCourseStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grading queue with a grader that grades when the test lets it: turns, places, stops, deadlines, restarts. */
class GradingQueueTest {
  @TempDir
  Path data;

  /** Grades a job each time the test releases one; a stopped job's grading ends at once. */
  private static class HeldGrader implements GradingQueue.Grader {
    final Semaphore release = new Semaphore(0);
    final List<String> order = Collections.synchronizedList(new ArrayList<>());
    final ConcurrentHashMap<String, CountDownLatch> stopped = new ConcurrentHashMap<>();
    Duration limit = Duration.ofMinutes(10);

    @Override
    public GradingQueue.Graded grade(Job job, ExperimentService.GradingProgress progress) throws InterruptedException {
      order.add(job.student() + ":" + job.id());
      CountDownLatch stop = stopped.computeIfAbsent(job.id(), k -> new CountDownLatch(1));
      while (!release.tryAcquire(10, TimeUnit.MILLISECONDS)) {
        if (stop.getCount() == 0) {
          throw new IllegalStateException("its lab was deleted");
        }
      }
      return new GradingQueue.Graded(new Scorecard(List.of(), 0, ""), List.of());
    }

    @Override
    public Duration timeLimit(Job job) {
      return limit;
    }

    @Override
    public void stop(Job job) {
      stopped.computeIfAbsent(job.id(), k -> new CountDownLatch(1)).countDown();
    }
  }

  private static Job job(String id, String student, int second) {
    return Job.queued(id, "assignment-1", 1, "platform-1", student, Instant.ofEpochSecond(1_000 + second), "settings: {}");
  }

  private static void awaitState(SqliteCourseStore store, String id, Job.State state) throws InterruptedException {
    for (int i = 0; i < 500 && store.job(id).map(Job::state).orElse(null) != state; i++) {
      Thread.sleep(10);
    }
    assertEquals(state, store.job(id).orElseThrow().state(), id + ": " + store.job(id).orElseThrow().error());
  }

  @Test
  void studentsTakeTurnsSoThatOneStudentsManySubmissionsDoNotStarveTheOthers() throws Exception {
    HeldGrader grader = new HeldGrader();
    try (SqliteCourseStore store = SqliteCourseStore.open(data); GradingQueue queue = new GradingQueue(store, grader, 1,
        Clock.systemUTC())) {
      queue.submit(job("job-a1", "alice", 1));
      queue.submit(job("job-a2", "alice", 2));
      queue.submit(job("job-a3", "alice", 3));
      queue.submit(job("job-b1", "bob", 4));
      queue.submit(job("job-c1", "carol", 5));
      assertEquals(1, queue.live("job-a1").orElseThrow().position());
      assertEquals(2, queue.live("job-b1").orElseThrow().position(), "bob's first comes before alice's second");
      assertEquals(3, queue.live("job-c1").orElseThrow().position());
      assertEquals(4, queue.live("job-a2").orElseThrow().position());
      assertEquals(5, queue.live("job-a3").orElseThrow().position());
      queue.start();
      grader.release.release(5);
      awaitState(store, "job-a3", Job.State.GRADED);
      assertEquals(List.of("alice:job-a1", "bob:job-b1", "carol:job-c1", "alice:job-a2", "alice:job-a3"), grader.order);
    }
  }

  @Test
  void aStudentMayHaveFiveWaitingAndAPlatformsCredentialThreeHundred() throws Exception {
    try (SqliteCourseStore store = SqliteCourseStore.open(data); GradingQueue queue = new GradingQueue(store,
        new HeldGrader(), 1, Clock.systemUTC())) {
      for (int i = 0; i < GradingQueue.MAX_WAITING_PER_STUDENT; i++) {
        queue.submit(job("job-" + i, "alice", i));
      }
      TooManyRequestsException full = assertThrows(TooManyRequestsException.class, () -> queue.submit(job("job-x", "alice", 9)));
      assertEquals(new TooManyRequestsException.Quota("submissions in the queue", 5, 5), full.quota().orElseThrow());
      assertTrue(store.job("job-x").isEmpty(), "a refused submission leaves nothing behind");
      queue.submit(job("job-b", "bob", 10));
      for (int i = 0; i < GradingQueue.MAX_WAITING_PER_SUBMITTER - 6; i++) {
        queue.submit(job("job-s" + i, "student-" + i, 20 + i));
      }
      TooManyRequestsException platformFull = assertThrows(TooManyRequestsException.class,
          () -> queue.submit(job("job-y", "carol", 9_999)));
      assertEquals("submissions of this credential in the queue", platformFull.quota().orElseThrow().limit());
    }
  }

  @Test
  void cancellingAQueuedJobTakesItOutAndStoppingARunningOneEndsItsGrading() throws Exception {
    HeldGrader grader = new HeldGrader();
    try (SqliteCourseStore store = SqliteCourseStore.open(data); GradingQueue queue = new GradingQueue(store, grader, 1,
        Clock.systemUTC())) {
      queue.submit(job("job-1", "alice", 1));
      queue.submit(job("job-2", "bob", 2));
      queue.start();
      awaitState(store, "job-1", Job.State.RUNNING);
      queue.stop("job-2", Job.State.CANCELLED, "cancelled by bob");
      assertEquals(Job.State.CANCELLED, store.job("job-2").orElseThrow().state());
      queue.stop("job-1", Job.State.CANCELLED, "cancelled by the instructor");
      awaitState(store, "job-1", Job.State.CANCELLED);
      assertEquals("cancelled by the instructor", store.job("job-1").orElseThrow().error());
      assertEquals(List.of("alice:job-1"), grader.order, "the cancelled queued job never ran");
    }
  }

  @Test
  void aJobPastItsTimeLimitFailsSayingSo() throws Exception {
    HeldGrader grader = new HeldGrader();
    grader.limit = Duration.ofMillis(200);
    try (SqliteCourseStore store = SqliteCourseStore.open(data); GradingQueue queue = new GradingQueue(store, grader, 1,
        Clock.systemUTC())) {
      queue.submit(job("job-1", "alice", 1));
      queue.start();
      awaitState(store, "job-1", Job.State.FAILED);
      assertTrue(store.job("job-1").orElseThrow().error().contains("ran out of its time limit"),
          store.job("job-1").orElseThrow().error());
    }
  }

  @Test
  void aJobThatCannotBeGradedFailsSayingWhyAndTheNextIsGraded() throws Exception {
    HeldGrader grader = new HeldGrader() {
      @Override
      public Duration timeLimit(Job job) {
        if (job.id().equals("job-1")) {
          throw new IllegalStateException("assignment assignment-1 version 1 is gone");
        }
        return super.timeLimit(job);
      }
    };
    grader.release.release(1);
    try (SqliteCourseStore store = SqliteCourseStore.open(data); GradingQueue queue = new GradingQueue(store, grader, 1,
        Clock.systemUTC())) {
      queue.submit(job("job-1", "alice", 1));
      queue.submit(job("job-2", "bob", 2));
      queue.start();
      awaitState(store, "job-2", Job.State.GRADED);
      assertEquals("not graded: assignment assignment-1 version 1 is gone", store.job("job-1").orElseThrow().error());
    }
  }

  @Test
  void aRestartFailsTheRunningJobAndResumesTheQueuedOnes() throws Exception {
    HeldGrader first = new HeldGrader();
    try (SqliteCourseStore store = SqliteCourseStore.open(data)) {
      GradingQueue queue = new GradingQueue(store, first, 1, Clock.systemUTC());
      queue.submit(job("job-1", "alice", 1));
      queue.submit(job("job-2", "bob", 2));
      queue.start();
      awaitState(store, "job-1", Job.State.RUNNING);
      queue.close();
      assertEquals(Job.State.FAILED, store.job("job-1").orElseThrow().state());
      assertEquals(GradingQueue.STOPPED, store.job("job-1").orElseThrow().error());
      assertEquals(Job.State.QUEUED, store.job("job-2").orElseThrow().state());

      HeldGrader second = new HeldGrader();
      second.release.release(1);
      try (GradingQueue restarted = new GradingQueue(store, second, 1, Clock.systemUTC())) {
        restarted.start();
        awaitState(store, "job-2", Job.State.GRADED);
        assertEquals(List.of("bob:job-2"), second.order);
      }
    }
  }

  @Test
  void aJobLeftRunningByACrashIsFailedAndItsLabRemovedOnStart() throws Exception {
    HeldGrader grader = new HeldGrader();
    try (SqliteCourseStore store = SqliteCourseStore.open(data)) {
      store.save(job("job-1", "alice", 1).running(Instant.now()).inLab("lab-1"));
      try (GradingQueue queue = new GradingQueue(store, grader, 1, Clock.systemUTC())) {
        queue.start();
        assertEquals(Job.State.FAILED, store.job("job-1").orElseThrow().state());
        assertEquals(0, grader.stopped.get("job-1").getCount(), "its lab was removed");
      }
    }
  }
}
