package io.twlab.scenario;

import io.twlab.core.NotFoundException;
import java.util.List;

/** The scenarios twlab can run, by name. */
public final class ScenarioCatalog {
  private final List<Scenario> scenarios;

  public ScenarioCatalog(List<Scenario> scenarios) {
    this.scenarios = List.copyOf(scenarios);
  }

  public List<Scenario> scenarios() {
    return scenarios;
  }

  /** The outcome record type of every scenario, for whoever stores or maps results. */
  public List<Class<? extends ScenarioOutcome>> outcomeTypes() {
    return scenarios.stream().<Class<? extends ScenarioOutcome>>map(Scenario::outcomeType).toList();
  }

  public List<ScenarioDescriptor> descriptors() {
    return scenarios.stream().map(Scenario::descriptor).toList();
  }

  public Scenario byName(String name) {
    return scenarios.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new NotFoundException("scenario", name,
            "`twlab scenarios` lists them: " + String.join(", ", descriptors().stream().map(ScenarioDescriptor::name).toList())));
  }
}
