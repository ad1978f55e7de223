package io.twlab.grading;

import io.twlab.observe.ObservedChange;
import io.twlab.observe.TcpState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one run showed, as the grader needs it: sockets per state per node at the end and at their
 * peak, every logged transition, counter deltas, connection errors by errno and the nodes'
 * effective sysctls.
 */
public record RunRecord(
    Instant startedAt,
    Instant finishedAt,
    Map<String, Map<TcpState, Integer>> endCounts,
    Map<String, Map<TcpState, Integer>> peakCounts,
    List<ObservedChange> transitions,
    Map<String, Map<String, Long>> counters,
    Map<String, Long> errors,
    Map<String, Map<String, String>> sysctls) {

  public RunRecord {
    endCounts = Map.copyOf(endCounts);
    peakCounts = Map.copyOf(peakCounts);
    transitions = List.copyOf(transitions);
    counters = Map.copyOf(counters);
    errors = Map.copyOf(errors);
    sysctls = Map.copyOf(sysctls);
  }
}
