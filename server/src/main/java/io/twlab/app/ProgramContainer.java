package io.twlab.app;

import io.twlab.runtime.Confinement;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerState;
import io.twlab.scenario.ProgramExit;
import io.twlab.scenario.RunningProgram;
import java.time.Duration;
import java.util.Optional;

/**
 * A student's program in its container. Its time limit is kept from outside: the program runs as
 * an unprivileged user and could kill anything inside its container that would time it.
 */
final class ProgramContainer implements RunningProgram {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int OUTPUT_LINES = 30;

  private final LabRuntime runtime;
  private final String containerId;
  private final long deadlineNanos;
  private final long memoryMiB;
  private final long timeLimitSeconds;
  private ProgramExit exit;

  ProgramContainer(LabRuntime runtime, String containerId, Duration timeLimit, Confinement confinement) {
    this.runtime = runtime;
    this.containerId = containerId;
    this.deadlineNanos = System.nanoTime() + timeLimit.toNanos();
    this.memoryMiB = confinement.memoryBytes() / Confinement.MIB;
    this.timeLimitSeconds = timeLimit.toSeconds();
  }

  @Override
  public synchronized Optional<ProgramExit> exited() {
    if (exit == null) {
      if (pastTimeLimit()) {
        end(true, false);
      } else {
        ContainerState state = runtime.state(containerId);
        if (!state.running()) {
          exit = exitOf(state, false, false);
        }
      }
    }
    return Optional.ofNullable(exit);
  }

  @Override
  public ProgramExit await(Duration timeout) throws InterruptedException {
    long until = Math.min(deadlineNanos, System.nanoTime() + timeout.toNanos());
    while (System.nanoTime() < until) {
      Optional<ProgramExit> ended = exited();
      if (ended.isPresent()) {
        return ended.get();
      }
      Thread.sleep(POLL.toMillis());
    }
    return exited().orElseGet(this::stop);
  }

  @Override
  public synchronized ProgramExit stop() {
    return exited().orElseGet(() -> end(false, true));
  }

  /** Whether its time limit has passed: it is then killed on the next look. */
  private boolean pastTimeLimit() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  @Override
  public String output() {
    return runtime.logs(containerId, OUTPUT_LINES).strip();
  }

  private synchronized ProgramExit end(boolean timedOut, boolean stoppedByTwlab) {
    ContainerState before = runtime.state(containerId);
    if (!before.running()) {
      exit = exitOf(before, false, false);
      return exit;
    }
    runtime.kill(containerId);
    exit = exitOf(runtime.state(containerId), timedOut, stoppedByTwlab);
    return exit;
  }

  private ProgramExit exitOf(ContainerState state, boolean timedOut, boolean stoppedByTwlab) {
    return new ProgramExit(state.exitCode(), state.outOfMemory(), timedOut, stoppedByTwlab, memoryMiB, timeLimitSeconds);
  }
}
