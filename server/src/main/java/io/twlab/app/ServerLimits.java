package io.twlab.app;

import java.time.Duration;

/**
 * What the whole server holds at once, whoever asks: labs, runs in progress, and the runs waiting
 * for one of those slots (each for at most {@code queueWait}); a run beyond the queue is refused.
 */
public record ServerLimits(int labs, int runs, int queue, Duration queueWait) {
  public static final ServerLimits DEFAULT = new ServerLimits(60, 16, 200, Duration.ofMinutes(10));

  public ServerLimits withLabs(int max) {
    return new ServerLimits(max, runs, queue, queueWait);
  }

  public ServerLimits withRuns(int max) {
    return new ServerLimits(labs, max, queue, queueWait);
  }
}
