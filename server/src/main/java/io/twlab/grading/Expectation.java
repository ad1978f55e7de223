package io.twlab.grading;

import io.twlab.core.TcpState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** One thing an experiment expects of the kernel; each is graded into a verdict. */
public sealed interface Expectation {

  /** As a grader reads it, e.g. "client TIME_WAIT >= 8000 at the end". */
  String describe();

  /** Its key in an experiment file: count, sequence, duration, counter, errors or sysctl. */
  String kind();

  /** The node it is about; empty when it is about the whole run. */
  default Optional<String> onNode() {
    return Optional.empty();
  }

  /**
   * Sockets in a state on a node: at the end of the run, at the run's peak, or {@code at} after the
   * run started.
   */
  record StateCount(String node, TcpState state, Comparison comparison, When when, Duration at) implements Expectation {
    public enum When { END, PEAK, AT }

    public StateCount(String node, TcpState state, Comparison comparison, When when) {
      this(node, state, comparison, when, Duration.ZERO);
    }

    @Override
    public String kind() {
      return "count";
    }

    @Override
    public Optional<String> onNode() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return node + " " + state + " " + comparison.describe() + " " + moment();
    }

    /** "at the end", "at its peak" or "2.5 s into the run". */
    public String moment() {
      return switch (when) {
        case END -> "at the end";
        case PEAK -> "at its peak";
        case AT -> Comparison.number(at.toMillis() / 1000.0) + " s into the run";
      };
    }
  }

  /** Some connection on the node goes through these states in this order, one after the other. */
  record Sequence(String node, List<TcpState> states) implements Expectation {
    public Sequence {
      states = List.copyOf(states);
    }

    @Override
    public String kind() {
      return "sequence";
    }

    @Override
    public Optional<String> onNode() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return node + " goes " + states.stream().map(TcpState::name).collect(Collectors.joining(" → "));
    }
  }

  /** How long a socket of the node stays in a state, in seconds. */
  record StateDuration(String node, TcpState state, Comparison seconds) implements Expectation {
    @Override
    public String kind() {
      return "duration";
    }

    @Override
    public Optional<String> onNode() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return node + " stays in " + state + " for " + seconds.describe() + " s";
    }
  }

  /** A kernel counter's change over the run on the node (nstat names, conntrack.* on the gateway). */
  record CounterDelta(String node, String counter, Comparison comparison) implements Expectation {
    @Override
    public String kind() {
      return "counter";
    }

    @Override
    public Optional<String> onNode() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return node + " " + counter + " " + comparison.describe();
    }
  }

  /** Failed connection attempts with this errno (e.g. EADDRNOTAVAIL), on one node's loads or on all of the run's. */
  record ErrorCount(Optional<String> node, String errno, Comparison comparison) implements Expectation {
    public ErrorCount(String errno, Comparison comparison) {
      this(Optional.empty(), errno, comparison);
    }

    @Override
    public String kind() {
      return "errors";
    }

    @Override
    public Optional<String> onNode() {
      return node;
    }

    @Override
    public String describe() {
      return node.map(n -> n + " ").orElse("") + errno + " errors " + comparison.describe();
    }
  }

  /** A sysctl as read back from the node. */
  record EffectiveSysctl(String node, String key, String value) implements Expectation {
    @Override
    public String kind() {
      return "sysctl";
    }

    @Override
    public Optional<String> onNode() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return node + " " + key + " = " + value;
    }
  }
}
