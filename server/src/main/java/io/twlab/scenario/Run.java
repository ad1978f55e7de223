package io.twlab.scenario;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** One execution of a scenario in a lab. Immutable: finishing makes a new value. */
public record Run(
    String id,
    String labId,
    String scenario,
    Map<String, String> params,
    RunState state,
    Instant startedAt,
    Optional<Instant> finishedAt,
    Optional<String> error,
    Optional<ScenarioResult> result) {

  public Run {
    params = Map.copyOf(params);
  }

  public static Run started(String id, String labId, String scenario, ScenarioParams params, Instant now) {
    return new Run(id, labId, scenario, params.values(), RunState.RUNNING, now, Optional.empty(),
        Optional.empty(), Optional.empty());
  }

  public Run succeeded(ScenarioResult outcome, Instant now) {
    return new Run(id, labId, scenario, params, RunState.SUCCEEDED, startedAt, Optional.of(now),
        Optional.empty(), Optional.of(outcome));
  }

  public Run failed(String why, Instant now) {
    return new Run(id, labId, scenario, params, RunState.FAILED, startedAt, Optional.of(now),
        Optional.of(why), Optional.empty());
  }
}
