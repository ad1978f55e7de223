package io.twlab.app;

import io.twlab.core.TooManyRequestsException;
import io.twlab.grading.Job;
import io.twlab.grading.Scorecard;
import io.twlab.store.CourseStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The grading queue. A submission is a job, recorded the moment it is accepted; {@code workers}
 * jobs are graded at once, each within its time limit, and their runs still wait for the server's
 * run slots like everyone's. Students take turns (round-robin, the longest unserved first), so one
 * student's many submissions cannot starve the others'; each may have {@value
 * #MAX_WAITING_PER_STUDENT} waiting or running, a credential (a platform's, for all its students)
 * {@value #MAX_WAITING_PER_SUBMITTER}. A job stopped by the server's end is failed, saying so; a
 * restarted server fails the jobs it finds running (their grading was lost) and resumes the queued
 * ones.
 */
public final class GradingQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GradingQueue.class);
  static final int MAX_QUEUED = 1_000;
  static final int MAX_WAITING_PER_STUDENT = 5;
  /** What one credential may have waiting: a grading platform's for all its students together. */
  static final int MAX_WAITING_PER_SUBMITTER = 300;
  static final String STOPPED = "not graded: the server stopped while this job ran; submit it again";
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(20);
  private static final int REMEMBERED_STUDENTS = 10_000;

  /** How a job is graded: the queue decides when and for how long, not how. */
  public interface Grader {
    Graded grade(Job job, ExperimentService.GradingProgress progress) throws InterruptedException;

    Duration timeLimit(Job job);

    /** Ends what a job is using (its lab), so that its grading stops; nothing when it has nothing. */
    void stop(Job job);
  }

  /** A job graded: its card and the runs it made. */
  public record Graded(Scorecard card, List<String> runIds) {}

  /** A job as the queue sees it now: its place in line (1: next; 0: not waiting) and what it does. */
  public record Snapshot(Job job, int position, String progress) {}

  private final CourseStore store;
  private final Grader grader;
  private final int workers;
  private final Clock clock;
  private final Map<String, Entry> live = new LinkedHashMap<>();
  private final ExecutorService executor;
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(Ids.daemonThreads("twlab-grading-deadline"));
  /** When each student's job last started, as a count of starts; students long idle are forgotten. */
  private final Map<String, Long> lastServed = new HashMap<>();
  private long services;
  private long changes;
  private boolean closing;

  /** A queued or running job, with what stops it. */
  private static final class Entry {
    private Job job;
    private String progress = "";
    private Job.State stopAs;
    private String stopReason;

    private Entry(Job job) {
      this.job = job;
    }
  }

  public GradingQueue(CourseStore store, Grader grader, int workers, Clock clock) {
    this.store = store;
    this.grader = grader;
    this.workers = workers;
    this.clock = clock;
    this.executor = Executors.newFixedThreadPool(workers, Ids.daemonThreads("twlab-grading"));
  }

  /** Fails the jobs a previous server left running, queues again those it left queued, and starts grading. */
  public void start() {
    for (Job job : store.jobsIn(List.of(Job.State.QUEUED, Job.State.RUNNING))) {
      if (job.state() == Job.State.RUNNING) {
        LOG.info("job={} was running when the server stopped: failed", job.id());
        try {
          grader.stop(job);
        } catch (RuntimeException e) {
          LOG.warn("job={} lab={} could not be removed: {}", job.id(), job.labId(), e.getMessage());
        }
        store.save(job.ended(Job.State.FAILED, STOPPED, clock.instant()));
      } else {
        synchronized (this) {
          live.put(job.id(), new Entry(job));
        }
      }
    }
    synchronized (this) {
      LOG.info("grading queue: {} at once, {} job(s) resumed", workers, live.size());
    }
    for (int i = 0; i < workers; i++) {
      executor.execute(this::work);
    }
  }

  /** Accepts a job: recorded at once, then graded in its turn; refused when its student or the queue is full. */
  public synchronized Snapshot submit(Job job) {
    long waiting = queued();
    if (waiting >= MAX_QUEUED) {
      throw TooManyRequestsException.quota("grading queue", (int) waiting, MAX_QUEUED,
          "the server grades " + workers + " at a time and that many wait already; submit again later", 60);
    }
    int submitted = (int) live.values().stream().filter(e -> e.job.submitterId().equals(job.submitterId())).count();
    if (submitted >= MAX_WAITING_PER_SUBMITTER) {
      throw TooManyRequestsException.quota("submissions of this credential in the queue", submitted,
          MAX_WAITING_PER_SUBMITTER, "wait until some are graded", 60);
    }
    int mine = (int) live.values().stream().filter(e -> e.job.student().equals(job.student())).count();
    if (mine >= MAX_WAITING_PER_STUDENT) {
      throw TooManyRequestsException.quota("submissions in the queue", mine, MAX_WAITING_PER_STUDENT,
          "wait until one of your submissions is graded (`twlab jobs list`)", 30);
    }
    store.save(job);
    live.put(job.id(), new Entry(job));
    changed();
    return snapshot(live.get(job.id()));
  }

  /** A job that is queued or running now; empty when it is finished (the store has it then). */
  /** Jobs waiting for a worker (the server's metrics). */
  public synchronized long queued() {
    return live.values().stream().filter(e -> e.job.state() == Job.State.QUEUED).count();
  }

  public synchronized Optional<Snapshot> live(String jobId) {
    return Optional.ofNullable(live.get(jobId)).map(this::snapshot);
  }

  /**
   * Stops a job: a queued one leaves the queue, a running one loses its lab and ends as soon as its
   * grading notices. {@code end} is CANCELLED or FAILED, {@code why} what the job will say.
   */
  public Optional<Snapshot> stop(String jobId, Job.State end, String why) {
    Job running;
    synchronized (this) {
      Entry e = live.get(jobId);
      if (e == null || e.stopReason != null) {
        return Optional.ofNullable(e).map(this::snapshot);
      }
      if (e.job.state() == Job.State.QUEUED) {
        live.remove(jobId);
        Job ended = e.job.ended(end, why, clock.instant());
        store.save(ended);
        changed();
        return Optional.of(new Snapshot(ended, 0, ""));
      }
      e.stopAs = end;
      e.stopReason = why;
      e.progress = "stopping: " + why;
      running = e.job;
      changed();
    }
    grader.stop(running);
    return live(jobId);
  }

  /** Waits until some job changed after change number {@code seen}, at most {@code max}; the current number. */
  public synchronized long awaitChange(long seen, Duration max) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (changes <= seen && !closing) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        break;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return changes;
  }

  public synchronized long changes() {
    return changes;
  }

  /** Records that the student's job starts now; the longest-unserved students come first. */
  private void served(String student) {
    lastServed.put(student, ++services);
    if (lastServed.size() > REMEMBERED_STUDENTS) {
      long oldestKept = services - REMEMBERED_STUDENTS / 2;
      lastServed.values().removeIf(at -> at < oldestKept);
    }
  }

  private void changed() {
    changes++;
    notifyAll();
  }

  private Snapshot snapshot(Entry e) {
    int position = 0;
    if (e.job.state() == Job.State.QUEUED) {
      position = waitingInTurn().indexOf(e) + 1;
    }
    return new Snapshot(e.job, position, e.progress);
  }

  /**
   * The waiting jobs in the order they will start: round-robin between students. Round k starts
   * each student's k-th waiting job, the students in the order they were last served (one never
   * served first, then by their oldest waiting job).
   */
  private List<Entry> waitingInTurn() {
    List<Entry> waiting = live.values().stream().filter(e -> e.job.state() == Job.State.QUEUED)
        .sorted(Comparator.comparing((Entry e) -> e.job.submittedAt()).thenComparing(e -> e.job.id())).toList();
    Map<String, Integer> rounds = new HashMap<>();
    Map<Entry, Integer> round = new HashMap<>();
    Map<String, Entry> oldest = new HashMap<>();
    for (Entry e : waiting) {
      round.put(e, rounds.merge(e.job.student(), 1, Integer::sum));
      oldest.putIfAbsent(e.job.student(), e);
    }
    Comparator<Entry> byStudent = Comparator.comparing((Entry e) -> lastServed.getOrDefault(e.job.student(), -1L))
        .thenComparing(e -> oldest.get(e.job.student()).job.submittedAt())
        .thenComparing(e -> e.job.student());
    List<Entry> ordered = new ArrayList<>(waiting);
    ordered.sort(Comparator.comparing((Entry e) -> round.get(e)).thenComparing(byStudent).thenComparing(e -> e.job.submittedAt()));
    return ordered;
  }

  private synchronized Entry next() throws InterruptedException {
    while (true) {
      if (closing) {
        throw new InterruptedException("closing");
      }
      List<Entry> waiting = waitingInTurn();
      if (!waiting.isEmpty()) {
        Entry e = waiting.get(0);
        served(e.job.student());
        e.job = e.job.running(clock.instant());
        e.progress = "starting";
        store.save(e.job);
        changed();
        return e;
      }
      wait();
    }
  }

  private void work() {
    while (true) {
      Entry e;
      try {
        e = next();
      } catch (InterruptedException stopped) {
        return;
      }
      try {
        if (!grade(e)) {
          return;
        }
      } catch (RuntimeException unrecorded) {
        // The job's end could not be saved: the next server finds it running and fails it.
        LOG.error("job={} ended but could not be recorded", e.job.id(), unrecorded);
        forget(e);
      }
    }
  }

  /** Grades one job to its end; false when the server is stopping. */
  private boolean grade(Entry e) {
    String jobId = e.job.id();
    ScheduledFuture<?> deadline = null;
    Job ended;
    boolean goOn = true;
    try {
      Duration limit = grader.timeLimit(e.job);
      deadline = deadlines.schedule(() -> stop(jobId, Job.State.FAILED, "not graded: it ran out of its time limit of "
          + limit.toMinutes() + " minutes; the server may be busy, submit it again later"), limit.toMillis(),
          TimeUnit.MILLISECONDS);
      Graded graded = grader.grade(e.job, progress(e));
      ended = stopped(e).orElseGet(() -> e.job.graded(graded.card(), graded.runIds(), clock.instant()));
    } catch (InterruptedException | RuntimeException failure) {
      if (closing()) {
        ended = e.job.ended(Job.State.FAILED, STOPPED, clock.instant());
        goOn = false;
        removeLab(e);
      } else {
        String why = "not graded: " + failure.getMessage();
        ended = stopped(e).orElseGet(() -> e.job.ended(Job.State.FAILED, why, clock.instant()));
        if (e.stopReason == null) {
          LOG.warn("job={} failed", jobId, failure);
        }
      }
    } finally {
      if (deadline != null) {
        deadline.cancel(false);
      }
    }
    finish(e, ended);
    LOG.info("job={} assignment={} student={} {}", jobId, ended.assignmentId(), ended.student(), ended.state());
    return goOn;
  }

  private synchronized boolean closing() {
    return closing;
  }

  /**
   * A grading the server's stop interrupted may have left its lab (removing it needs the engine,
   * which an interrupted thread cannot call): removed here, so that nothing outlives the job.
   */
  private void removeLab(Entry e) {
    boolean interrupted = Thread.interrupted();
    try {
      grader.stop(e.job);
    } catch (RuntimeException gone) {
      LOG.warn("job={} lab={} could not be removed: {}", e.job.id(), e.job.labId(), gone.getMessage());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized Optional<Job> stopped(Entry e) {
    return e.stopReason == null ? Optional.empty() : Optional.of(e.job.ended(e.stopAs, e.stopReason, clock.instant()));
  }

  private synchronized void forget(Entry e) {
    live.remove(e.job.id());
    changed();
  }

  private synchronized void finish(Entry e, Job ended) {
    store.save(ended);
    live.remove(ended.id());
    changed();
  }

  private ExperimentService.GradingProgress progress(Entry e) {
    return new ExperimentService.GradingProgress() {
      @Override
      public void labMade(String labId) {
        Job stopNow = null;
        synchronized (GradingQueue.this) {
          e.job = e.job.inLab(labId);
          e.progress = "lab " + labId + " ready";
          store.save(e.job);
          changed();
          if (e.stopReason != null) {
            stopNow = e.job;
          }
        }
        if (stopNow != null) {
          grader.stop(stopNow);
        }
      }

      @Override
      public void runStarting(int index, int of, String scenario) {
        synchronized (GradingQueue.this) {
          e.progress = "run " + (index + 1) + " of " + of + ": " + scenario;
          changed();
        }
      }
    };
  }

  /** Stops grading: running jobs are failed, saying the server stopped; queued ones wait for the next server. */
  @Override
  public void close() {
    synchronized (this) {
      closing = true;
      notifyAll();
    }
    executor.shutdownNow();
    deadlines.shutdownNow();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        LOG.warn("grading did not stop within {} s; the next server fails what was running", CLOSE_WAIT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
