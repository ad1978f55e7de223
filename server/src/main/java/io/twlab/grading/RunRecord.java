package io.twlab.grading;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one run showed, as the grader needs it: sockets per state per node at the end and at their
 * peak, every logged transition, counter deltas, connection errors per node by errno, the nodes'
 * effective sysctls, and per node what its observation said it missed (lost or late traced changes).
 */
public record RunRecord(
    Instant startedAt,
    Instant finishedAt,
    Map<String, Map<TcpState, Integer>> endCounts,
    Map<String, Map<TcpState, Integer>> peakCounts,
    List<CountSample> countSeries,
    List<SocketChange> transitions,
    Map<String, Map<String, Long>> counters,
    Map<String, Map<String, Long>> errors,
    Map<String, Map<String, String>> sysctls,
    Map<String, List<String>> observationHoles) {

  public RunRecord {
    endCounts = Map.copyOf(endCounts);
    peakCounts = Map.copyOf(peakCounts);
    countSeries = List.copyOf(countSeries);
    transitions = List.copyOf(transitions);
    counters = Map.copyOf(counters);
    errors = errors.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Map.copyOf(e.getValue())));
    sysctls = Map.copyOf(sysctls);
    observationHoles = Map.copyOf(observationHoles);
  }

  /** A node's sockets per state from {@code at} on (until its next sample). */
  public record CountSample(Instant at, String node, Map<TcpState, Integer> counts) {
    public CountSample {
      counts = Map.copyOf(counts);
    }
  }

  /** A node's sockets per state as last reported at or before {@code time}; none before its first report. */
  public Map<TcpState, Integer> countsAt(String node, Instant time) {
    Map<TcpState, Integer> counts = Map.of();
    for (CountSample sample : countSeries) {
      if (sample.at().isAfter(time)) {
        break;
      }
      if (sample.node().equals(node)) {
        counts = sample.counts();
      }
    }
    return counts;
  }
}
