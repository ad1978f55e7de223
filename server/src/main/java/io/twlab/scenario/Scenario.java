package io.twlab.scenario;

/** A reproduction that runs in a lab and reports what the kernel did. */
public interface Scenario {

  ScenarioDescriptor descriptor();

  /**
   * Runs to the end within bounded time, stopping every helper process it started, and returns
   * the measured outcome; throws {@link ScenarioFailure} when the lab did not behave as needed.
   */
  ScenarioResult run(ScenarioContext context, ScenarioParams params) throws InterruptedException;
}
