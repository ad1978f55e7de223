package io.twlab.app;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Observation before watchers, for all of them together. While the host's observer trails the
 * kernel, watch streams wait in one line and go one at a time, one batch each, a {@link #STEP}
 * apart; once it has caught up, every stream in the line is let go. Each stream waiting on its own
 * was not enough: after its own wait each went on, and two hundred of them together still took
 * more CPU than a flood's observation (bench/run.sh fanout, docs/scaling.md). In line, a watcher
 * still gets a batch at every turn, however long observation stays behind.
 */
final class ObservationGate {
  /** Between two turns in the line while observation is behind. */
  static final Duration STEP = Duration.ofMillis(20);

  /** What a stream's pass may do now. */
  enum Passage {
    /** Deliver what it can: observation keeps up. */
    FREE,
    /** Deliver one batch: its turn in the line. */
    ONE_BATCH,
    /** Deliver nothing: it is in the line, and woken at its turn. */
    WAIT
  }

  /** One stream's place at the gate. */
  static final class Turn {
    private final Runnable wake;
    private final AtomicBoolean inLine = new AtomicBoolean();
    private volatile boolean granted;

    Turn(Runnable wake) {
      this.wake = wake;
    }
  }

  private final BooleanSupplier behind;
  private final ScheduledExecutorService timer;
  private final Queue<Turn> line = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stepping = new AtomicBoolean();

  /** {@code behind}: whether observation trails the kernel by more than watchers may cost it. */
  ObservationGate(BooleanSupplier behind, ScheduledExecutorService timer) {
    this.behind = behind;
    this.timer = timer;
  }

  /** Asked by a stream's pass before it delivers. */
  Passage enter(Turn turn) {
    if (turn.granted) {
      turn.granted = false;
      return behind.getAsBoolean() ? Passage.ONE_BATCH : Passage.FREE;
    }
    if (turn.inLine.get()) {
      return Passage.WAIT;
    }
    if (!behind.getAsBoolean()) {
      return Passage.FREE;
    }
    if (turn.inLine.compareAndSet(false, true)) {
      line.add(turn);
      startStepping();
    }
    return Passage.WAIT;
  }

  /** Streams waiting in the line now. */
  int waiting() {
    return line.size();
  }

  private void startStepping() {
    if (stepping.compareAndSet(false, true)) {
      schedule();
    }
  }

  private void schedule() {
    try {
      timer.schedule(this::step, STEP.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      stepping.set(false);
    }
  }

  private void step() {
    if (behind.getAsBoolean()) {
      let(line.poll());
    } else {
      for (Turn turn = line.poll(); turn != null; turn = line.poll()) {
        let(turn);
      }
    }
    if (!line.isEmpty()) {
      schedule();
      return;
    }
    stepping.set(false);
    // A stream that joined between the look and the flag would otherwise wait for the next one to join.
    if (!line.isEmpty()) {
      startStepping();
    }
  }

  private static void let(Turn turn) {
    if (turn == null) {
      return;
    }
    turn.granted = true;
    turn.inLine.set(false);
    turn.wake.run();
  }
}
