package io.twlab.scenario;

import java.time.Duration;
import java.util.Optional;

/**
 * A student's program started for a run, in a container of its own. The run that started it owns
 * it: it is removed once the run has ended, whether or not the scenario {@link #stop stopped} it.
 */
public interface RunningProgram {

  /** How it ended, if it has. */
  Optional<ProgramExit> exited();

  /**
   * Waits for it to end by itself, at most {@code timeout} and never past its time limit, after
   * which it is killed; returns how it ended.
   */
  ProgramExit await(Duration timeout) throws InterruptedException;

  /** Kills it if it still runs; returns how it ended (killed by twlab when it was still running). */
  ProgramExit stop();

  /** The last lines it wrote (standard output and error), bounded. */
  String output();
}
