package io.twlab.grading;

import io.twlab.core.Bounded;
import io.twlab.core.TcpState;
import io.twlab.grading.Comparison.Op;
import io.twlab.grading.Expectation.CounterDelta;
import io.twlab.grading.Expectation.EffectiveSysctl;
import io.twlab.grading.Expectation.ErrorCount;
import io.twlab.grading.Expectation.Sequence;
import io.twlab.grading.Expectation.StateCount;
import io.twlab.grading.Expectation.StateCount.When;
import io.twlab.grading.Expectation.StateDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The grammars of the expectations an experiment's run may state, one per kind ({@code count},
 * {@code sequence}, {@code duration}, {@code counter}, {@code errors}, {@code sysctl}), read from
 * the YAML tree so that every bad field is named with its line.
 */
final class ExpectationGrammar {
  private static final Pattern COUNT = Pattern.compile(
      "(\\S+)\\s+(\\S+)\\s*(<=|>=|==|<|>)\\s*(\\d+)(?:\\s+at\\s+(\\S+))?");
  private static final Pattern MOMENT = Pattern.compile("end|peak|(\\d+(?:\\.\\d+)?)\\s*s");
  private static final Map<String, BiFunction<ExpectationGrammar, Field, Optional<Expectation>>> KINDS = Map.of(
      "count", ExpectationGrammar::count,
      "sequence", ExpectationGrammar::sequenceExpectation,
      "duration", ExpectationGrammar::duration,
      "counter", ExpectationGrammar::counter,
      "errors", ExpectationGrammar::errors,
      "sysctl", ExpectationGrammar::sysctl);

  private final YamlTree tree;

  ExpectationGrammar(YamlTree tree) {
    this.tree = tree;
  }

  /** The kinds of expectation, sorted. */
  static Set<String> kinds() {
    return new TreeSet<>(KINDS.keySet());
  }

  /** The expectation of kind {@code kind} written at {@code path}, or empty when it is refused. */
  Optional<Expectation> read(String kind, Node node, String path) {
    return KINDS.get(kind).apply(this, new Field(node, path));
  }

  /** One field of an expectation: its value and its path. */
  private record Field(Node node, String path) {}

  private Optional<Expectation> count(Field f) {
    if (f.node() instanceof ScalarNode scalar) {
      Matcher m = COUNT.matcher(scalar.getValue().trim());
      if (!m.matches()) {
        tree.fail(f.path(), f.node(), Bounded.quote(scalar.getValue()) + " is not 'NODE STATE OP NUMBER [at end|peak|Ns]', "
            + "e.g. 'client TIME_WAIT >= 8000'");
        return Optional.empty();
      }
      Optional<TcpState> state = state(m.group(2), f);
      Optional<Moment> moment = moment(m.group(5) == null ? "end" : m.group(5), f);
      return state.flatMap(st -> moment.flatMap(at -> Op.of(m.group(3)).map(op -> new Expectation.StateCount(
          m.group(1), st, new Comparison(op, Double.parseDouble(m.group(4)), 0), at.when(), at.after()))));
    }
    Map<String, Node> fields = tree.mapping(f.node(), f.path(), Set.of("node", "state", "op", "value", "at"));
    Optional<String> node = tree.required(fields, f.path(), "node").map(n -> tree.text(n, f.path() + ".node"));
    Optional<TcpState> state = tree.required(fields, f.path(), "state").flatMap(n -> state(tree.text(n, f.path() + ".state"),
        new Field(n, f.path() + ".state")));
    Optional<Comparison> comparison = comparison(fields, f.path(), "value");
    Optional<Moment> moment = YamlTree.optional(fields, "at").map(n -> moment(tree.text(n, f.path() + ".at"), new Field(n, f.path() + ".at")))
        .orElse(Optional.of(new Moment(When.END, Duration.ZERO)));
    return node.flatMap(n -> state.flatMap(s -> comparison.flatMap(c -> moment.map(at ->
        new Expectation.StateCount(n, s, c, at.when(), at.after())))));
  }

  private Optional<Expectation> sequenceExpectation(Field f) {
    Map<String, Node> fields = tree.mapping(f.node(), f.path(), Set.of("node", "states"));
    Optional<String> node = tree.required(fields, f.path(), "node").map(n -> tree.text(n, f.path() + ".node"));
    List<TcpState> states = new ArrayList<>();
    tree.required(fields, f.path(), "states").ifPresent(list -> {
      List<Node> items = tree.sequence(list, f.path() + ".states");
      if (items.size() < 2) {
        tree.fail(f.path() + ".states", list, "needs at least two states in the order they must come");
      }
      for (int i = 0; i < items.size(); i++) {
        String itemPath = f.path() + ".states[" + i + "]";
        state(tree.text(items.get(i), itemPath), new Field(items.get(i), itemPath)).ifPresent(states::add);
      }
    });
    return node.filter(n -> states.size() >= 2).map(n -> new Expectation.Sequence(n, states));
  }

  private Optional<Expectation> duration(Field f) {
    Map<String, Node> fields = tree.mapping(f.node(), f.path(), Set.of("node", "state", "op", "seconds", "tolerance"));
    Optional<String> node = tree.required(fields, f.path(), "node").map(n -> tree.text(n, f.path() + ".node"));
    Optional<TcpState> state = tree.required(fields, f.path(), "state").flatMap(n -> state(tree.text(n, f.path() + ".state"),
        new Field(n, f.path() + ".state")));
    Optional<Comparison> seconds = comparison(fields, f.path(), "seconds");
    return node.flatMap(n -> state.flatMap(s -> seconds.map(c -> new Expectation.StateDuration(n, s, c))));
  }

  private Optional<Expectation> counter(Field f) {
    Map<String, Node> fields = tree.mapping(f.node(), f.path(), Set.of("node", "name", "op", "value", "tolerance"));
    Optional<String> node = tree.required(fields, f.path(), "node").map(n -> tree.text(n, f.path() + ".node"));
    Optional<String> name = tree.required(fields, f.path(), "name").map(n -> tree.text(n, f.path() + ".name"));
    Optional<Comparison> comparison = comparison(fields, f.path(), "value");
    return node.flatMap(n -> name.flatMap(c -> comparison.map(v -> new Expectation.CounterDelta(n, c, v))));
  }

  private Optional<Expectation> errors(Field f) {
    Map<String, Node> fields = tree.mapping(f.node(), f.path(), Set.of("node", "errno", "op", "value", "tolerance"));
    Optional<String> node = Optional.ofNullable(fields.get("node")).map(n -> tree.text(n, f.path() + ".node"));
    Optional<String> errno = tree.required(fields, f.path(), "errno").map(n -> tree.text(n, f.path() + ".errno"));
    errno.filter(e -> !e.matches("E[A-Z0-9]+")).ifPresent(e ->
        tree.fail(f.path() + ".errno", fields.get("errno"), Bounded.quote(e) + " is not an errno name such as EADDRNOTAVAIL"));
    Optional<Comparison> comparison = comparison(fields, f.path(), "value");
    return errno.filter(e -> e.matches("E[A-Z0-9]+")).flatMap(e -> comparison.map(c -> new Expectation.ErrorCount(node, e, c)));
  }

  private Optional<Expectation> sysctl(Field f) {
    Map<String, Node> fields = tree.mapping(f.node(), f.path(), Set.of("node", "name", "value"));
    Optional<String> node = tree.required(fields, f.path(), "node").map(n -> tree.text(n, f.path() + ".node"));
    Optional<String> name = tree.required(fields, f.path(), "name").map(n -> tree.text(n, f.path() + ".name"));
    Optional<String> value = tree.required(fields, f.path(), "value").map(n -> tree.text(n, f.path() + ".value"));
    return node.flatMap(n -> name.flatMap(k -> value.map(v -> new Expectation.EffectiveSysctl(n, k, v))));
  }

  /** {@code op} (default {@code >=}), the number under {@code valueKey}, and {@code tolerance} for {@code ±}. */
  private Optional<Comparison> comparison(Map<String, Node> fields, String path, String valueKey) {
    Optional<Double> value = tree.required(fields, path, valueKey).map(n -> tree.number(n, path + "." + valueKey));
    double tolerance = YamlTree.optional(fields, "tolerance").map(n -> tree.number(n, path + ".tolerance")).orElse(0.0);
    Op op = Op.AT_LEAST;
    Node opNode = fields.get("op");
    if (opNode != null) {
      String symbol = tree.text(opNode, path + ".op");
      Optional<Op> chosen = Op.of(symbol);
      if (chosen.isEmpty()) {
        tree.fail(path + ".op", opNode, Bounded.quote(symbol) + " is not one of " + Op.symbols());
        return Optional.empty();
      }
      op = chosen.get();
    }
    if (op == Op.ABOUT && !fields.containsKey("tolerance")) {
      tree.fail(path + ".tolerance", opNode, "'±' needs a tolerance");
      return Optional.empty();
    }
    Op finalOp = op;
    return value.map(v -> new Comparison(finalOp, v, tolerance));
  }

  Optional<TcpState> state(String name, Node node, String path) {
    return state(name, new Field(node, path));
  }

  private Optional<TcpState> state(String name, Field f) {
    Optional<TcpState> state = TcpState.parse(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    if (state.isEmpty()) {
      tree.fail(f.path(), f.node(), Bounded.quote(name) + " is not a TCP state (ESTABLISHED, TIME_WAIT, CLOSE_WAIT, ...)");
    }
    return state;
  }

  /** When a count is taken: at the end, at the peak, or some seconds into the run. */
  record Moment(When when, Duration after) {}

  Optional<Moment> moment(String text, Node node, String path) {
    return moment(text, new Field(node, path));
  }

  private Optional<Moment> moment(String text, Field f) {
    Matcher m = MOMENT.matcher(text.trim());
    if (!m.matches()) {
      tree.fail(f.path(), f.node(), Bounded.quote(text) + " is not 'end', 'peak' or a time into the run such as '5s'");
      return Optional.empty();
    }
    if (m.group(1) != null) {
      return Optional.of(new Moment(When.AT, Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * 1000))));
    }
    return Optional.of(new Moment(text.trim().equals("peak") ? When.PEAK : When.END, Duration.ZERO));
  }
}
