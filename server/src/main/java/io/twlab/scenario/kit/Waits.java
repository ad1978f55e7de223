package io.twlab.scenario.kit;

import java.time.Duration;

/** How long scenarios wait for what they caused to be observed. */
public final class Waits {
  /** The longest one step (a listen, a connect, a close) may take to show up in the lab's observation. */
  public static final Duration STEP = Duration.ofSeconds(10);
  /**
   * How long a passive closer waits after the peer's FIN before it closes. Closing at once sends the
   * ACK of that FIN and its own FIN microseconds apart, from different CPUs; under load the lab's
   * veth delivers them swapped in about 1 close of 150, and the active closer then never enters
   * TIME_WAIT (docs/kernel-facts.md §3). Scenarios that show one close use it.
   */
  public static final int PASSIVE_CLOSE_MS = 200;
  private static final long SAMPLE_SETTLE_MS = 400;

  private Waits() {}

  /** Waits until the samplers (every 100 ms) have seen what just happened, so that counts are current. */
  public static void forSamples() throws InterruptedException {
    Thread.sleep(SAMPLE_SETTLE_MS);
  }
}
