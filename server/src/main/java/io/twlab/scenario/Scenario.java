package io.twlab.scenario;

import java.util.List;

/** A reproduction that runs in a lab and reports what the kernel did. */
public interface Scenario {

  ScenarioDescriptor descriptor();

  /**
   * The names of the nodes a run with these parameters adds to the lab, so that an experiment
   * can be checked against them before anything starts; a run may add no other node.
   */
  default List<String> runNodes(ScenarioParams params) {
    return List.of();
  }

  /**
   * Runs to the end within bounded time, stopping every helper process it started, and returns
   * the measured outcome; throws {@link ScenarioFailure} when the lab did not behave as needed.
   */
  ScenarioResult run(ScenarioContext context, ScenarioParams params) throws InterruptedException;
}
