package io.twlab.grading;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.TcpState;
import io.twlab.grading.Comparison.Op;
import io.twlab.grading.Expectation.CounterDelta;
import io.twlab.grading.Expectation.EffectiveSysctl;
import io.twlab.grading.Expectation.ErrorCount;
import io.twlab.grading.Expectation.Sequence;
import io.twlab.grading.Expectation.StateCount;
import io.twlab.grading.Expectation.StateCount.When;
import io.twlab.grading.Expectation.StateDuration;
import io.twlab.grading.Experiment.Expect;
import io.twlab.grading.Experiment.Step;
import io.twlab.grading.SweepDimension.Param;
import io.twlab.grading.SweepDimension.Sysctl;
import io.twlab.lab.ExplicitTopology;
import io.twlab.lab.ExplicitTopology.Shape;
import io.twlab.lab.LabRequest;
import io.twlab.lab.NodePlan;
import io.twlab.lab.Role;
import io.twlab.sysctl.SysctlPolicy;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads an experiment file (YAML, or JSON, which is YAML too) and refuses it naming every bad
 * field with its path and line, before anything is started. Works on the YAML node tree, not on
 * objects, because the tree keeps where each value was written.
 */
public final class ExperimentReader {
  public static final int MAX_RUNS = 20;
  public static final int MAX_EXPECTATIONS = 100;
  public static final int MAX_SWEEP_VALUES = 16;
  private static final Pattern COUNT = Pattern.compile(
      "(\\S+)\\s+(\\S+)\\s*(<=|>=|==|<|>)\\s*(\\d+)(?:\\s+at\\s+(\\S+))?");
  private static final Pattern MOMENT = Pattern.compile("end|peak|(\\d+(?:\\.\\d+)?)\\s*s");
  private static final Pattern TTL = Pattern.compile("(\\d+)\\s*(s|m|h)");
  private static final Map<String, BiFunction<ExperimentReader, Field, Optional<Expectation>>> KINDS = Map.of(
      "count", ExperimentReader::count,
      "sequence", ExperimentReader::sequenceExpectation,
      "duration", ExperimentReader::duration,
      "counter", ExperimentReader::counter,
      "errors", ExperimentReader::errors,
      "sysctl", ExperimentReader::sysctl);

  private final SysctlPolicy policy;
  private final List<FieldViolation> violations = new ArrayList<>();
  private final Map<String, Integer> lines = new LinkedHashMap<>();

  private ExperimentReader(SysctlPolicy policy) {
    this.policy = policy;
  }

  public static Experiment read(String text, SysctlPolicy policy) {
    return new ExperimentReader(policy).parse(text);
  }

  private Experiment parse(String text) {
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      throw new InvalidArgumentException("experiment", "line " + (e.getProblemMark().getLine() + 1) + ": "
          + e.getProblem() + "; the file is not valid YAML or JSON");
    } catch (YAMLException e) {
      throw new InvalidArgumentException("experiment", e.getMessage());
    }
    if (root == null) {
      throw new InvalidArgumentException("experiment", "the file is empty; it needs name, lab and runs");
    }
    Map<String, Node> top = mapping(root, "", Set.of("name", "lab", "runs", "sweep"));
    String name = required(top, "", "name").map(n -> text(n, "name")).orElse("");
    LabRequest lab = required(top, "", "lab").map(n -> lab(n, "lab")).orElse(null);
    List<SweepDimension> sweep = optional(top, "sweep").map(n -> sweep(n, "sweep")).orElse(List.of());
    List<Experiment.Step> steps = required(top, "", "runs").map(n -> steps(n, "runs", sweep)).orElse(List.of());
    if (lab != null && violations.isEmpty()) {
      validate(lab, "");
    }
    if (lab != null) {
      for (SweepDimension d : sweep) {
        if (d instanceof SweepDimension.Sysctl s) {
          for (int i = 0; i < s.values().size(); i++) {
            validate(new LabRequest(lab.topology(), lab.clients(), "", Map.of(s.node(), Map.of(s.key(), s.values().get(i))),
                null), "sweep.sysctls[" + s.node() + "][" + s.key() + "][" + i + "]");
          }
        }
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
    return new Experiment(name, lab, steps, sweep, lines);
  }

  /** The lab as CreateLab checks it; {@code field}: where to report its violations, "" for the lab's own fields. */
  private void validate(LabRequest lab, String field) {
    try {
      lab.validate(policy);
    } catch (InvalidArgumentException e) {
      // A sweep value is to blame only for what its sysctl says; the lab's own faults are reported once.
      e.violations().stream().filter(v -> field.isEmpty() || v.field().contains("sysctls")).forEach(v -> {
        String at = field.isEmpty() ? v.field().replaceFirst("^spec\\.", "lab.") : field;
        violations.add(new FieldViolation(at, at(at) + v.reason()));
      });
    }
  }

  private List<SweepDimension> sweep(Node node, String path) {
    Map<String, Node> fields = mapping(node, path, Set.of("sysctls", "params"));
    List<SweepDimension> dimensions = new ArrayList<>();
    optional(fields, "sysctls").ifPresent(nodes -> mapping(nodes, path + ".sysctls", null).forEach((nodeName, keys) ->
        mapping(keys, path + ".sysctls[" + nodeName + "]", null).forEach((key, values) -> dimensions.add(
            new SweepDimension.Sysctl(nodeName, key, sweepValues(values, path + ".sysctls[" + nodeName + "][" + key + "]"))))));
    optional(fields, "params").ifPresent(params -> mapping(params, path + ".params", null).forEach((name, values) ->
        dimensions.add(new SweepDimension.Param(name, sweepValues(values, path + ".params[" + name + "]")))));
    if (dimensions.isEmpty()) {
      fail(path, node, "needs sysctls or params to vary");
    }
    long cells = dimensions.stream().mapToLong(d -> Math.max(1, d.values().size())).reduce(1, (a, b) -> a * b);
    if (cells > Experiment.MAX_CELLS) {
      fail(path, node, "makes " + cells + " cells; at most " + Experiment.MAX_CELLS + " (each runs in a fresh lab)");
    }
    return dimensions;
  }

  private List<String> sweepValues(Node node, String path) {
    List<Node> items = sequence(node, path);
    if (items.isEmpty() || items.size() > MAX_SWEEP_VALUES) {
      fail(path, node, "needs 1 to " + MAX_SWEEP_VALUES + " values, got " + items.size());
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String value = text(items.get(i), path + "[" + i + "]").trim();
      if (values.contains(value)) {
        fail(path + "[" + i + "]", items.get(i), "'" + value + "' is listed twice");
      }
      values.add(value);
    }
    return values;
  }

  /**
   * The lab by topology name, or written out: {@code networks} and every node with its role and
   * networks, which must spell out a built-in shape ({@link ExplicitTopology}).
   */
  private LabRequest lab(Node node, String path) {
    Map<String, Node> fields = mapping(node, path,
        Set.of("topology", "clients", "snat_port_range", "ttl", "networks", "nodes"));
    String topology = optional(fields, "topology").map(n -> text(n, path + ".topology")).orElse("");
    int clients = optional(fields, "clients").map(n -> integer(n, path + ".clients")).orElse(0);
    String snat = optional(fields, "snat_port_range").map(n -> text(n, path + ".snat_port_range")).orElse("");
    Duration ttl = optional(fields, "ttl").map(n -> ttl(n, path + ".ttl")).orElse(null);
    Optional<List<String>> networks = optional(fields, "networks").map(n -> texts(n, path + ".networks"));
    Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
    List<NodePlan> explicitNodes = new ArrayList<>();
    optional(fields, "nodes").ifPresent(nodes -> mapping(nodes, path + ".nodes", null).forEach((nodeName, config) -> {
      String nodePath = path + ".nodes[" + nodeName + "]";
      Map<String, Node> nodeFields = mapping(config, nodePath, networks.isPresent()
          ? Set.of("role", "networks", "sysctls") : Set.of("sysctls"));
      Map<String, String> values = new LinkedHashMap<>();
      optional(nodeFields, "sysctls").ifPresent(s -> mapping(s, nodePath + ".sysctls", null)
          .forEach((key, value) -> values.put(key, text(value, nodePath + ".sysctls[" + key + "]"))));
      sysctls.put(nodeName, values);
      if (networks.isPresent()) {
        Optional<Role> role = required(nodeFields, nodePath, "role").flatMap(r -> role(r, nodePath + ".role"));
        List<String> joined = required(nodeFields, nodePath, "networks").map(n -> texts(n, nodePath + ".networks"))
            .orElse(List.of());
        role.ifPresent(r -> explicitNodes.add(new NodePlan(nodeName, r, joined, Map.of())));
      }
    }));
    if (networks.isPresent()) {
      for (String spelled : List.of("topology", "clients")) {
        optional(fields, spelled).ifPresent(n -> fail(path + "." + spelled, n,
            "a lab written out as networks and nodes takes its " + spelled + " from them; remove this line"));
      }
      if (violations.isEmpty()) {
        try {
          ExplicitTopology.Shape shape = new ExplicitTopology(networks.get(), explicitNodes).shape();
          topology = shape.kind().id();
          clients = shape.clients();
        } catch (InvalidArgumentException e) {
          e.violations().forEach(v -> violations.add(new FieldViolation(path + "." + v.field(),
              at(path + "." + v.field()) + v.reason())));
        }
      }
    }
    return new LabRequest(topology, clients, snat, sysctls, ttl);
  }

  private Optional<Role> role(Node node, String path) {
    String id = text(node, path).trim();
    Optional<Role> role = Role.fromId(id);
    if (role.isEmpty()) {
      fail(path, node, "unknown role '" + id + "'; use one of "
          + Arrays.stream(Role.values()).map(Role::id).collect(Collectors.joining(", ")));
    }
    return role;
  }

  private List<String> texts(Node node, String path) {
    List<Node> items = sequence(node, path);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      values.add(text(items.get(i), path + "[" + i + "]").trim());
    }
    return values;
  }

  private List<Experiment.Step> steps(Node node, String path, List<SweepDimension> sweep) {
    List<Node> runs = sequence(node, path);
    if (runs.isEmpty() || runs.size() > MAX_RUNS) {
      fail(path, node, "needs 1 to " + MAX_RUNS + " runs, got " + runs.size());
    }
    List<Experiment.Step> steps = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      String runPath = path + "[" + i + "]";
      Map<String, Node> fields = mapping(runs.get(i), runPath, Set.of("scenario", "params", "expect"));
      String scenario = required(fields, runPath, "scenario").map(n -> text(n, runPath + ".scenario")).orElse("");
      Map<String, String> params = new LinkedHashMap<>();
      optional(fields, "params").ifPresent(p -> mapping(p, runPath + ".params", null)
          .forEach((key, value) -> params.put(key, text(value, runPath + ".params[" + key + "]"))));
      List<Experiment.Expect> expectations = new ArrayList<>();
      optional(fields, "expect").ifPresent(e -> {
        List<Node> entries = sequence(e, runPath + ".expect");
        if (entries.size() > MAX_EXPECTATIONS) {
          fail(runPath + ".expect", e, "at most " + MAX_EXPECTATIONS + " expectations per run, got " + entries.size());
        }
        for (int j = 0; j < entries.size(); j++) {
          expectation(entries.get(j), runPath + ".expect[" + j + "]", sweep).ifPresent(expectations::add);
        }
      });
      steps.add(new Experiment.Step(scenario, params, expectations));
    }
    return steps;
  }

  /** One field of an expectation: its value and its path. */
  private record Field(Node node, String path) {}

  private Optional<Experiment.Expect> expectation(Node node, String path, List<SweepDimension> sweep) {
    Set<String> allowed = new java.util.TreeSet<>(KINDS.keySet());
    allowed.add("where");
    Map<String, Node> fields = mapping(node, path, allowed);
    Map<String, String> where = Optional.ofNullable(fields.remove("where")).map(w -> where(w, path + ".where", sweep))
        .orElse(Map.of());
    if (fields.size() != 1) {
      fail(path, node, "needs exactly one of " + String.join(", ", KINDS.keySet().stream().sorted().toList()));
      return Optional.empty();
    }
    Map.Entry<String, Node> kind = fields.entrySet().iterator().next();
    return KINDS.get(kind.getKey()).apply(this, new Field(kind.getValue(), path + "." + kind.getKey()))
        .map(e -> new Experiment.Expect(e, where));
  }

  /** The sweep cells an expectation applies in: dimension (label or short title) → value. */
  private Map<String, String> where(Node node, String path, List<SweepDimension> sweep) {
    Map<String, String> where = new LinkedHashMap<>();
    mapping(node, path, null).forEach((key, value) -> {
      String keyPath = path + "[" + key + "]";
      String wanted = text(value, keyPath).trim();
      List<SweepDimension> named = sweep.stream().filter(d -> d.label().equals(key)).toList();
      if (named.isEmpty()) {
        named = sweep.stream().filter(d -> d.title().equals(key)).toList();
      }
      if (named.size() != 1) {
        fail(keyPath, value, (named.isEmpty() ? "'" + key + "' is not swept" : "'" + key + "' is ambiguous")
            + "; the sweep varies " + (sweep.isEmpty() ? "nothing (no sweep)"
            : String.join(", ", sweep.stream().map(SweepDimension::label).toList())));
      } else if (!named.get(0).values().contains(wanted)) {
        fail(keyPath, value, "'" + wanted + "' is not one of the sweep's values " + named.get(0).values());
      } else {
        where.put(named.get(0).label(), wanted);
      }
    });
    return where;
  }

  private Optional<Expectation> count(Field f) {
    if (f.node() instanceof ScalarNode scalar) {
      Matcher m = COUNT.matcher(scalar.getValue().trim());
      if (!m.matches()) {
        fail(f.path(), f.node(), "'" + scalar.getValue() + "' is not 'NODE STATE OP NUMBER [at end|peak|Ns]', "
            + "e.g. 'client TIME_WAIT >= 8000'");
        return Optional.empty();
      }
      Optional<TcpState> state = state(m.group(2), f);
      Optional<Moment> moment = moment(m.group(5) == null ? "end" : m.group(5), f);
      return state.flatMap(st -> moment.flatMap(at -> Op.of(m.group(3)).map(op -> new Expectation.StateCount(
          m.group(1), st, new Comparison(op, Double.parseDouble(m.group(4)), 0), at.when(), at.after()))));
    }
    Map<String, Node> fields = mapping(f.node(), f.path(), Set.of("node", "state", "op", "value", "at"));
    Optional<String> node = required(fields, f.path(), "node").map(n -> text(n, f.path() + ".node"));
    Optional<TcpState> state = required(fields, f.path(), "state").flatMap(n -> state(text(n, f.path() + ".state"),
        new Field(n, f.path() + ".state")));
    Optional<Comparison> comparison = comparison(fields, f.path(), "value");
    Optional<Moment> moment = optional(fields, "at").map(n -> moment(text(n, f.path() + ".at"), new Field(n, f.path() + ".at")))
        .orElse(Optional.of(new Moment(When.END, Duration.ZERO)));
    return node.flatMap(n -> state.flatMap(s -> comparison.flatMap(c -> moment.map(at ->
        new Expectation.StateCount(n, s, c, at.when(), at.after())))));
  }

  private Optional<Expectation> sequenceExpectation(Field f) {
    Map<String, Node> fields = mapping(f.node(), f.path(), Set.of("node", "states"));
    Optional<String> node = required(fields, f.path(), "node").map(n -> text(n, f.path() + ".node"));
    List<TcpState> states = new ArrayList<>();
    required(fields, f.path(), "states").ifPresent(list -> {
      List<Node> items = sequence(list, f.path() + ".states");
      if (items.size() < 2) {
        fail(f.path() + ".states", list, "needs at least two states in the order they must come");
      }
      for (int i = 0; i < items.size(); i++) {
        String itemPath = f.path() + ".states[" + i + "]";
        state(text(items.get(i), itemPath), new Field(items.get(i), itemPath)).ifPresent(states::add);
      }
    });
    return node.filter(n -> states.size() >= 2).map(n -> new Expectation.Sequence(n, states));
  }

  private Optional<Expectation> duration(Field f) {
    Map<String, Node> fields = mapping(f.node(), f.path(), Set.of("node", "state", "op", "seconds", "tolerance"));
    Optional<String> node = required(fields, f.path(), "node").map(n -> text(n, f.path() + ".node"));
    Optional<TcpState> state = required(fields, f.path(), "state").flatMap(n -> state(text(n, f.path() + ".state"),
        new Field(n, f.path() + ".state")));
    Optional<Comparison> seconds = comparison(fields, f.path(), "seconds");
    return node.flatMap(n -> state.flatMap(s -> seconds.map(c -> new Expectation.StateDuration(n, s, c))));
  }

  private Optional<Expectation> counter(Field f) {
    Map<String, Node> fields = mapping(f.node(), f.path(), Set.of("node", "name", "op", "value", "tolerance"));
    Optional<String> node = required(fields, f.path(), "node").map(n -> text(n, f.path() + ".node"));
    Optional<String> name = required(fields, f.path(), "name").map(n -> text(n, f.path() + ".name"));
    Optional<Comparison> comparison = comparison(fields, f.path(), "value");
    return node.flatMap(n -> name.flatMap(c -> comparison.map(v -> new Expectation.CounterDelta(n, c, v))));
  }

  private Optional<Expectation> errors(Field f) {
    Map<String, Node> fields = mapping(f.node(), f.path(), Set.of("errno", "op", "value", "tolerance"));
    Optional<String> errno = required(fields, f.path(), "errno").map(n -> text(n, f.path() + ".errno"));
    errno.filter(e -> !e.matches("E[A-Z0-9]+")).ifPresent(e ->
        fail(f.path() + ".errno", fields.get("errno"), "'" + e + "' is not an errno name such as EADDRNOTAVAIL"));
    Optional<Comparison> comparison = comparison(fields, f.path(), "value");
    return errno.filter(e -> e.matches("E[A-Z0-9]+")).flatMap(e -> comparison.map(c -> new Expectation.ErrorCount(e, c)));
  }

  private Optional<Expectation> sysctl(Field f) {
    Map<String, Node> fields = mapping(f.node(), f.path(), Set.of("node", "name", "value"));
    Optional<String> node = required(fields, f.path(), "node").map(n -> text(n, f.path() + ".node"));
    Optional<String> name = required(fields, f.path(), "name").map(n -> text(n, f.path() + ".name"));
    Optional<String> value = required(fields, f.path(), "value").map(n -> text(n, f.path() + ".value"));
    return node.flatMap(n -> name.flatMap(k -> value.map(v -> new Expectation.EffectiveSysctl(n, k, v))));
  }

  /** {@code op} (default {@code >=}), the number under {@code valueKey}, and {@code tolerance} for {@code ±}. */
  private Optional<Comparison> comparison(Map<String, Node> fields, String path, String valueKey) {
    Optional<Double> value = required(fields, path, valueKey).map(n -> number(n, path + "." + valueKey));
    double tolerance = optional(fields, "tolerance").map(n -> number(n, path + ".tolerance")).orElse(0.0);
    Op op = Op.AT_LEAST;
    Node opNode = fields.get("op");
    if (opNode != null) {
      String symbol = text(opNode, path + ".op");
      Optional<Op> chosen = Op.of(symbol);
      if (chosen.isEmpty()) {
        fail(path + ".op", opNode, "'" + symbol + "' is not one of " + Op.symbols());
        return Optional.empty();
      }
      op = chosen.get();
    }
    if (op == Op.ABOUT && !fields.containsKey("tolerance")) {
      fail(path + ".tolerance", opNode, "'±' needs a tolerance");
      return Optional.empty();
    }
    Op finalOp = op;
    return value.map(v -> new Comparison(finalOp, v, tolerance));
  }

  private Optional<TcpState> state(String name, Field f) {
    Optional<TcpState> state = TcpState.parse(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    if (state.isEmpty()) {
      fail(f.path(), f.node(), "'" + name + "' is not a TCP state (ESTABLISHED, TIME_WAIT, CLOSE_WAIT, ...)");
    }
    return state;
  }

  /** When a count is taken: at the end, at the peak, or some seconds into the run. */
  private record Moment(When when, Duration after) {}

  private Optional<Moment> moment(String text, Field f) {
    Matcher m = MOMENT.matcher(text.trim());
    if (!m.matches()) {
      fail(f.path(), f.node(), "'" + text + "' is not 'end', 'peak' or a time into the run such as '5s'");
      return Optional.empty();
    }
    if (m.group(1) != null) {
      return Optional.of(new Moment(When.AT, Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * 1000))));
    }
    return Optional.of(new Moment(text.trim().equals("peak") ? When.PEAK : When.END, Duration.ZERO));
  }

  private Duration ttl(Node node, String path) {
    Matcher m = TTL.matcher(text(node, path).trim());
    if (!m.matches()) {
      fail(path, node, "'" + text(node, path) + "' is not a duration such as 90s, 30m or 2h");
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  // The YAML tree: every read records the value's line; a wrong shape is a violation, not an exception.

  /** The entries of a mapping; {@code allowed} null: any key. */
  private Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
    lines.put(path, line(node));
    Map<String, Node> entries = new LinkedHashMap<>();
    if (!(node instanceof MappingNode map)) {
      fail(path.isEmpty() ? "experiment" : path, node, "must be a mapping (key: value lines)");
      return entries;
    }
    for (NodeTuple tuple : map.getValue()) {
      String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
      String keyPath = path.isEmpty() ? key : path + "." + key;
      if (allowed != null && !allowed.contains(key)) {
        fail(keyPath, tuple.getKeyNode(), "unknown field; expected one of "
            + String.join(", ", allowed.stream().sorted().toList()));
      } else if (entries.put(key, tuple.getValueNode()) != null) {
        fail(keyPath, tuple.getKeyNode(), "given twice");
      }
    }
    return entries;
  }

  private List<Node> sequence(Node node, String path) {
    lines.put(path, line(node));
    if (node instanceof SequenceNode list) {
      return list.getValue();
    }
    fail(path, node, "must be a list ('- ' items)");
    return List.of();
  }

  private String text(Node node, String path) {
    lines.put(path, line(node));
    if (node instanceof ScalarNode scalar) {
      return scalar.getValue();
    }
    fail(path, node, "must be a single value");
    return "";
  }

  private int integer(Node node, String path) {
    String value = text(node, path);
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      fail(path, node, "'" + value + "' is not a whole number");
      return 0;
    }
  }

  private double number(Node node, String path) {
    String value = text(node, path);
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      fail(path, node, "'" + value + "' is not a number");
      return 0;
    }
  }

  private Optional<Node> required(Map<String, Node> fields, String path, String key) {
    if (!fields.containsKey(key)) {
      String field = path.isEmpty() ? key : path + "." + key;
      violations.add(new FieldViolation(field, at(path) + "missing"));
    }
    return Optional.ofNullable(fields.get(key));
  }

  private static Optional<Node> optional(Map<String, Node> fields, String key) {
    return Optional.ofNullable(fields.get(key));
  }

  private void fail(String path, Node node, String reason) {
    violations.add(new FieldViolation(path, "line " + line(node) + ": " + reason));
  }

  private String at(String path) {
    return Experiment.at(lines, path);
  }

  private static int line(Node node) {
    return node == null ? 0 : node.getStartMark().getLine() + 1;
  }
}
