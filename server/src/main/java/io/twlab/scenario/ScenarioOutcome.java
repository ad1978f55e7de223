package io.twlab.scenario;

import java.util.List;

/**
 * The typed figures of a scenario's result: a record nested in its scenario, named by its
 * definition. Its components map by name onto the scenario's result message in the API.
 */
public interface ScenarioOutcome {

  /** The connection loads the run made, for the errors they met (none for scenarios without a load). */
  default List<LoadReport> loads() {
    return List.of();
  }
}
