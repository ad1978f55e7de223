package io.twlab.app;

import java.time.Duration;

/**
 * What the whole server holds at once, whoever asks: labs, runs in progress, and the runs waiting
 * for one of those slots (each for at most {@code queueWait}); a run beyond the queue is refused.
 * {@code grading}: submissions graded at once; more wait in the grading queue. {@code shells}: shells
 * open at once, everyone's together; each closes after {@code shellIdle} without input or output.
 */
public record ServerLimits(int labs, int runs, int queue, Duration queueWait, int grading, int shells,
    Duration shellIdle) {
  public static final int MAX_GRADING = 32;
  public static final Duration SHELL_IDLE = Duration.ofMinutes(15);
  public static final ServerLimits DEFAULT = new ServerLimits(60, 16, 200, Duration.ofMinutes(10), gradingFittedToHost(),
      100, SHELL_IDLE);

  public ServerLimits(int labs, int runs, int queue, Duration queueWait) {
    this(labs, runs, queue, queueWait, DEFAULT.grading(), DEFAULT.shells(), DEFAULT.shellIdle());
  }

  /**
   * One grading per core, at most 8. `bench/run.sh grading N` on 2 cores, S1 assignments: 15-16 a
   * minute one at a time, 33.5 with 2, 42.0 with 3, 39.9 with 4. A light assignment gains a little
   * past one per core, a flood of connections loses: its runs then share cores, and a run starved of
   * CPU is one whose observation may miss changes.
   */
  public static int gradingFittedToHost() {
    return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  public ServerLimits withLabs(int max) {
    return new ServerLimits(max, runs, queue, queueWait, grading, shells, shellIdle);
  }

  public ServerLimits withRuns(int max) {
    return new ServerLimits(labs, max, queue, queueWait, grading, shells, shellIdle);
  }

  public ServerLimits withGrading(int max) {
    return new ServerLimits(labs, runs, queue, queueWait, max, shells, shellIdle);
  }

  public ServerLimits withShellIdle(Duration idle) {
    return new ServerLimits(labs, runs, queue, queueWait, grading, shells, idle);
  }
}
