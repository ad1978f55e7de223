package io.twlab.grading;

import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.grading.Comparison.Op;
import io.twlab.grading.Expectation.CounterDelta;
import io.twlab.grading.Expectation.EffectiveSysctl;
import io.twlab.grading.Expectation.ErrorCount;
import io.twlab.grading.Expectation.Sequence;
import io.twlab.grading.Expectation.StateCount;
import io.twlab.grading.Expectation.StateDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Grades expectations against what a run showed. Pure: no lab, no clock. */
public final class Grader {
  private Grader() {}

  public static List<Verdict> grade(List<Expectation> expectations, RunRecord run) {
    return expectations.stream().map(e -> grade(e, run)).toList();
  }

  static Verdict grade(Expectation expectation, RunRecord run) {
    if (expectation instanceof Expectation.StateCount c) {
      return count(c, run);
    } else if (expectation instanceof Expectation.Sequence s) {
      return judgeable(sequence(s, run), s.node(), run);
    } else if (expectation instanceof Expectation.StateDuration d) {
      return judgeable(duration(d, run), d.node(), run);
    } else if (expectation instanceof Expectation.CounterDelta c) {
      return compared(c, c.comparison(), run.counters().getOrDefault(c.node(), Map.of()).getOrDefault(c.counter(), 0L),
          c.node() + " " + c.counter() + " moved by ");
    } else if (expectation instanceof Expectation.ErrorCount e) {
      long errors = run.errors().entrySet().stream().filter(n -> e.node().map(n.getKey()::equals).orElse(true))
          .mapToLong(n -> n.getValue().getOrDefault(e.errno(), 0L)).sum();
      return compared(e, e.comparison(), errors, e.node().map(n -> n + " ").orElse("") + e.errno() + " errors: ");
    } else if (expectation instanceof Expectation.EffectiveSysctl s) {
      String value = run.sysctls().getOrDefault(s.node(), Map.of()).get(s.key());
      String observed = value == null ? s.node() + " has no " + s.key() + " read back" : s.node() + " " + s.key() + " = " + value;
      return s.value().trim().equals(value == null ? null : value.trim()) ? Verdict.pass(s, observed)
          : Verdict.fail(s, observed, "expected " + s.value());
    }
    throw new IllegalArgumentException("unknown expectation " + expectation);
  }

  /**
   * Sequences and durations are read from transitions: where observation of the node said it missed
   * some (lost or late traced changes), a failure may be the observer's, and is an ERROR instead.
   * Counts come from the socket table's samples, counters from the kernel: neither is affected.
   */
  private static Verdict judgeable(Verdict verdict, String node, RunRecord run) {
    List<String> holes = run.observationHoles().getOrDefault(node, List.of());
    return verdict.outcome() == Verdict.Outcome.FAILED && !holes.isEmpty() ? verdict.unjudgeable(holes.get(0)) : verdict;
  }

  private static Verdict count(Expectation.StateCount c, RunRecord run) {
    if (!run.endCounts().containsKey(c.node())) {
      return Verdict.fail(c, "no node " + c.node(), "the lab has no node " + c.node() + "; it has "
          + String.join(", ", run.endCounts().keySet().stream().sorted().toList()));
    }
    Map<TcpState, Integer> counts = switch (c.when()) {
      case END -> run.endCounts().get(c.node());
      case PEAK -> run.peakCounts().getOrDefault(c.node(), Map.of());
      case AT -> run.countsAt(c.node(), run.startedAt().plus(c.at()));
    };
    if (c.when() == Expectation.StateCount.When.AT && run.startedAt().plus(c.at()).isAfter(run.finishedAt())) {
      return Verdict.fail(c, "the run lasted " + Comparison.number(
          java.time.Duration.between(run.startedAt(), run.finishedAt()).toMillis() / 1000.0) + " s",
          "it ended before " + c.moment());
    }
    int n = counts.getOrDefault(c.state(), 0);
    String moment = switch (c.when()) {
      case END -> " at the end: ";
      case PEAK -> " peaked at ";
      case AT -> " " + c.moment() + ": ";
    };
    return compared(c, c.comparison(), n, c.node() + " " + c.state() + moment);
  }

  private static Verdict compared(Expectation e, Comparison comparison, long observed, String prefix) {
    String text = prefix + observed;
    return comparison.holds(observed) ? Verdict.pass(e, text) : Verdict.fail(e, text, "expected " + comparison.describe());
  }

  private static Verdict sequence(Expectation.Sequence s, RunRecord run) {
    List<List<TcpState>> connections = connections(s.node(), run);
    for (List<TcpState> states : connections) {
      if (java.util.Collections.indexOfSubList(states, s.states()) >= 0) {
        return Verdict.pass(s, s.node() + " had " + connections.size() + " connection(s); one went " + arrows(states));
      }
    }
    Map<String, Long> seen = connections.stream().collect(Collectors.groupingBy(Grader::arrows,
        LinkedHashMap::new, Collectors.counting()));
    String observed = seen.isEmpty() ? "no transitions on " + s.node()
        : seen.entrySet().stream().limit(3).map(x -> x.getKey() + " (" + x.getValue() + ")").collect(Collectors.joining("; "));
    return Verdict.fail(s, observed, "no connection of " + s.node() + " went " + arrows(s.states()));
  }

  private static Verdict duration(Expectation.StateDuration d, RunRecord run) {
    List<Double> lasted = new ArrayList<>();
    List<Double> stillIn = new ArrayList<>();
    Map<SocketKey, SocketChange> entered = new LinkedHashMap<>();
    for (SocketChange c : run.transitions()) {
      if (!c.node().equals(d.node())) {
        continue;
      }
      SocketKey socket = c.socket();
      if (c.to() == d.state()) {
        entered.put(socket, c);
      } else if (c.from() == d.state() && entered.containsKey(socket)) {
        lasted.add(seconds(Duration.between(entered.remove(socket).time(), c.time())));
      }
    }
    entered.values().forEach(c -> stillIn.add(seconds(Duration.between(c.time(), run.finishedAt()))));
    if (lasted.isEmpty() && stillIn.isEmpty()) {
      return Verdict.fail(d, "no socket of " + d.node() + " entered " + d.state(), "nothing to measure");
    }
    String observed = (lasted.isEmpty() ? "" : lasted.size() + " left " + d.state() + " after " + range(lasted) + " s")
        + (lasted.isEmpty() || stillIn.isEmpty() ? "" : "; ")
        + (stillIn.isEmpty() ? "" : stillIn.size() + " still in it at the end, after " + range(stillIn) + " s");
    Optional<Double> wrong = lasted.stream().filter(s -> !d.seconds().holds(s)).findFirst();
    if (wrong.isPresent()) {
      return Verdict.fail(d, observed, "one lasted " + Comparison.number(wrong.get()) + " s, expected "
          + d.seconds().describe());
    }
    // A socket still in the state has lasted at least this long: that settles only a lower bound.
    boolean lowerBound = d.seconds().op() == Comparison.Op.MORE || d.seconds().op() == Comparison.Op.AT_LEAST;
    if (!stillIn.isEmpty() && !(lowerBound && stillIn.stream().allMatch(d.seconds()::holds))) {
      return Verdict.fail(d, observed, "the run ended before " + d.state() + " did; let it run longer (e.g. the "
          + "scenario's wait-expiry) to measure " + d.seconds().describe() + " s");
    }
    return Verdict.pass(d, observed);
  }

  /**
   * The node's connections, each as the states it went through. A tuple used again (a NAT hands
   * the same source port to the next client) starts a new connection when it leaves CLOSED.
   */
  private static List<List<TcpState>> connections(String node, RunRecord run) {
    Map<SocketKey, List<TcpState>> current = new LinkedHashMap<>();
    List<List<TcpState>> connections = new ArrayList<>();
    for (SocketChange c : run.transitions()) {
      if (!c.node().equals(node)) {
        continue;
      }
      SocketKey socket = c.socket();
      List<TcpState> states = current.get(socket);
      if (states == null || c.from() == TcpState.CLOSED) {
        states = new ArrayList<>(List.of(c.from()));
        current.put(socket, states);
        connections.add(states);
      }
      states.add(c.to());
    }
    return connections;
  }

  private static String arrows(List<TcpState> states) {
    return states.stream().map(TcpState::name).collect(Collectors.joining(" → "));
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static String range(List<Double> values) {
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return min == max ? Comparison.number(round(min)) : Comparison.number(round(min)) + "–" + Comparison.number(round(max));
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
