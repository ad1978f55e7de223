package io.twlab.scenario.kit;

import java.time.Duration;

/** How long scenarios wait for what they caused to be observed. */
public final class Waits {
  /** The longest one step (a listen, a connect, a close) may take to show up in the lab's observation. */
  public static final Duration STEP = Duration.ofSeconds(10);
  private static final long SAMPLE_SETTLE_MS = 400;

  private Waits() {}

  /** Waits until the samplers (every 100 ms) have seen what just happened, so that counts are current. */
  public static void forSamples() throws InterruptedException {
    Thread.sleep(SAMPLE_SETTLE_MS);
  }
}
