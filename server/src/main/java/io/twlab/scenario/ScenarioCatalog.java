package io.twlab.scenario;

import io.twlab.core.NotFoundException;
import java.util.List;

/** The scenarios twlab can run, by name. */
public final class ScenarioCatalog {
  private final List<Scenario> scenarios;

  public ScenarioCatalog(List<Scenario> scenarios) {
    this.scenarios = List.copyOf(scenarios);
  }

  public static ScenarioCatalog builtIn() {
    return new ScenarioCatalog(List.of(new NcTimeWait(), new RedisFlood(), new PortExhaustion(), new TwReuse(),
        new TwBuckets(), new LingerRst(), new CloseWaitLeak(), new ListenerRestart(), new NatCollision(),
        new LostFinalAck(), new FinTimeout()));
  }

  public List<ScenarioDescriptor> descriptors() {
    return scenarios.stream().map(Scenario::descriptor).toList();
  }

  public Scenario byName(String name) {
    return scenarios.stream().filter(s -> s.descriptor().name().equals(name)).findFirst()
        .orElseThrow(() -> new NotFoundException("scenario", name,
            "`twlab scenarios` lists them: " + String.join(", ", descriptors().stream().map(ScenarioDescriptor::name).toList())));
  }
}
