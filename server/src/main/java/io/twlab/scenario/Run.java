package io.twlab.scenario;

import io.twlab.core.Tenant;
import io.twlab.observe.ObservationAudit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One execution of a scenario in a lab. Immutable: finishing makes a new value. {@code
 * programFault}: it failed because a student's program did not do what its slot asks (a grade,
 * not a fault of twlab's).
 */
public record Run(
    String id,
    String labId,
    Tenant tenant,
    String scenario,
    Map<String, String> params,
    RunState state,
    Instant startedAt,
    Optional<Instant> finishedAt,
    Optional<String> error,
    Optional<ScenarioResult> result,
    long startSequence,
    List<ObservationAudit.Finding> observationIncomplete,
    boolean programFault,
    List<String> shellsOpen) {

  public Run {
    // Runs recorded before twlab had identities have none.
    tenant = tenant == null ? Tenant.NOBODY : tenant;
    params = Map.copyOf(params);
    observationIncomplete = List.copyOf(observationIncomplete);
    // Runs recorded before twlab had shells name none.
    shellsOpen = shellsOpen == null ? List.of() : List.copyOf(shellsOpen);
  }

  /** {@code startSequence}: the lab's last event sequence before the run's first event. */
  public static Run started(String id, String labId, Tenant tenant, String scenario, ScenarioParams params, Instant now,
      long startSequence) {
    return new Run(id, labId, tenant, scenario, params.values(), RunState.RUNNING, now, Optional.empty(),
        Optional.empty(), Optional.empty(), startSequence, List.of(), false, List.of());
  }

  public Run succeeded(ScenarioResult outcome, Instant now) {
    return new Run(id, labId, tenant, scenario, params, RunState.SUCCEEDED, startedAt, Optional.of(now),
        Optional.empty(), Optional.of(outcome), startSequence, observationIncomplete, false, shellsOpen);
  }

  public Run failed(String why, Instant now) {
    return new Run(id, labId, tenant, scenario, params, RunState.FAILED, startedAt, Optional.of(now),
        Optional.of(why), Optional.empty(), startSequence, observationIncomplete, false, shellsOpen);
  }

  /** Failed because a student's program did not do what its slot asks; {@code why} says what it did. */
  public Run failedByProgram(String why, Instant now) {
    return new Run(id, labId, tenant, scenario, params, RunState.FAILED, startedAt, Optional.of(now),
        Optional.of(why), Optional.empty(), startSequence, observationIncomplete, true, shellsOpen);
  }

  /** Ended by the server's stop or death, not by anything in the run; {@code why} says which. */
  public Run interrupted(String why, Instant now) {
    return new Run(id, labId, tenant, scenario, params, RunState.INTERRUPTED, startedAt, Optional.of(now),
        Optional.of(why), Optional.empty(), startSequence, observationIncomplete, false, shellsOpen);
  }

  /**
   * The run with what its audit found: where what was traced disagrees with the kernel's counters,
   * what depends on transitions cannot be judged.
   */
  public Run withObservationIncomplete(List<ObservationAudit.Finding> findings) {
    return new Run(id, labId, tenant, scenario, params, state, startedAt, finishedAt, error, result, startSequence, findings,
        programFault, shellsOpen);
  }

  /**
   * The run with the nodes in which a shell was open at some time during it: what was typed there
   * may show in its results.
   */
  public Run withShellsOpen(List<String> nodes) {
    return new Run(id, labId, tenant, scenario, params, state, startedAt, finishedAt, error, result, startSequence,
        observationIncomplete, programFault, nodes);
  }
}
