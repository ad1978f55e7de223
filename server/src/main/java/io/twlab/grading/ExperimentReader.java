package io.twlab.grading;

import io.twlab.core.Bounded;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.grading.Experiment.Expect;
import io.twlab.grading.Experiment.Step;
import io.twlab.grading.SweepDimension.Param;
import io.twlab.grading.SweepDimension.Sysctl;
import io.twlab.lab.ExplicitTopology;
import io.twlab.lab.ExplicitTopology.Shape;
import io.twlab.lab.LabRequest;
import io.twlab.lab.LabSpec;
import io.twlab.lab.NodePlan;
import io.twlab.lab.Role;
import io.twlab.sysctl.SysctlPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads an experiment file (YAML, or JSON, which is YAML too) and refuses it naming every bad
 * field with its path and line, before anything is started. Works on the YAML node tree, not on
 * objects, because the tree keeps where each value was written.
 */
public final class ExperimentReader {
  public static final int MAX_RUNS = 20;
  public static final int MAX_EXPECTATIONS = 100;
  public static final int MAX_SWEEP_VALUES = 16;
  private static final int MAX_NAME = 100;
  private static final Pattern TTL = Pattern.compile("(\\d+)\\s*(s|m|h)");

  /** The top-level fields of an experiment file. */
  static final Set<String> FIELDS = Set.of("name", "lab", "runs", "sweep");
  /** What an assignment adds to an expectation: how it is marked. */
  private static final Set<String> MARK_FIELDS = Set.of("name", "points", "feedback", "visibility");
  private static final int MAX_FEEDBACK = 2_000;

  private final SysctlPolicy policy;
  private final YamlTree tree;
  private final ExpectationGrammar expectations;
  private final boolean marked;

  /** {@code marked}: expectations may say how an assignment marks them. */
  ExperimentReader(SysctlPolicy policy, YamlTree tree, boolean marked) {
    this.policy = policy;
    this.tree = tree;
    this.expectations = new ExpectationGrammar(tree);
    this.marked = marked;
  }

  ExpectationGrammar grammar() {
    return expectations;
  }

  public static Experiment read(String text, SysctlPolicy policy) {
    YamlTree tree = new YamlTree();
    Node root = YamlTree.parse(text, "experiment");
    if (root == null) {
      throw new InvalidArgumentException("experiment", "the file is empty; it needs name, lab and runs");
    }
    Experiment experiment = new ExperimentReader(policy, tree, false).experiment(tree.mapping(root, "", FIELDS));
    if (!tree.violations().isEmpty()) {
      throw new InvalidArgumentException(tree.violations());
    }
    return experiment;
  }

  /**
   * The experiment of a file's top-level fields; its faults are the tree's violations, and when
   * there are any, what it returns is incomplete.
   */
  Experiment experiment(Map<String, Node> top) {
    String name = tree.required(top, "", "name").map(n -> name(n, "name")).orElse("");
    LabRequest lab = tree.required(top, "", "lab").map(n -> lab(n, "lab")).orElse(null);
    List<SweepDimension> sweep = YamlTree.optional(top, "sweep").map(n -> sweep(n, "sweep")).orElse(List.of());
    List<Experiment.Step> steps = tree.required(top, "", "runs").map(n -> steps(n, "runs", sweep)).orElse(List.of());
    LabSpec spec = lab != null && tree.violations().isEmpty() ? validate(lab) : null;
    if (lab != null) {
      for (SweepDimension d : sweep) {
        if (d instanceof SweepDimension.Sysctl s) {
          for (int i = 0; i < s.values().size(); i++) {
            validateSweepValue(lab, s, i);
          }
        }
      }
    }
    return new Experiment(name, spec, steps, sweep, tree.lines());
  }

  /** The lab as CreateLab checks it, its faults named under {@code lab}; null when refused. */
  private LabSpec validate(LabRequest lab) {
    try {
      return lab.validate(policy);
    } catch (InvalidArgumentException e) {
      e.under("lab").violations().forEach(v -> tree.add(new FieldViolation(v.field(), tree.at(v.field()) + v.reason())));
      return null;
    }
  }

  /** A sweep value is to blame only for what its sysctl says; the lab's own faults are reported once. */
  private void validateSweepValue(LabRequest lab, SweepDimension.Sysctl sysctl, int index) {
    String field = "sweep.sysctls[" + sysctl.node() + "][" + sysctl.key() + "][" + index + "]";
    try {
      new LabRequest(lab.topology(), lab.clients(), "", Map.of(sysctl.node(), Map.of(sysctl.key(),
          sysctl.values().get(index))), null).validate(policy);
    } catch (InvalidArgumentException e) {
      String nodeField = "sweep.sysctls[" + sysctl.node() + "]";
      for (FieldViolation v : e.violations()) {
        if (v.field().contains("sysctls")) {
          tree.add(new FieldViolation(field, tree.at(field) + v.reason()));
        } else if (v.field().startsWith("nodes[") && index == 0) {
          tree.add(new FieldViolation(nodeField, tree.at(nodeField) + v.reason()));
        }
      }
    }
  }

  private List<SweepDimension> sweep(Node node, String path) {
    Map<String, Node> fields = tree.mapping(node, path, Set.of("sysctls", "params"));
    List<SweepDimension> dimensions = new ArrayList<>();
    YamlTree.optional(fields, "sysctls").ifPresent(nodes -> tree.mapping(nodes, path + ".sysctls", null).forEach((nodeName, keys) ->
        tree.mapping(keys, path + ".sysctls[" + nodeName + "]", null).forEach((key, values) -> dimensions.add(
            new SweepDimension.Sysctl(nodeName, key, sweepValues(values, path + ".sysctls[" + nodeName + "][" + key + "]"))))));
    YamlTree.optional(fields, "params").ifPresent(params -> tree.mapping(params, path + ".params", null).forEach((name, values) ->
        dimensions.add(new SweepDimension.Param(name, sweepValues(values, path + ".params[" + name + "]")))));
    if (dimensions.isEmpty()) {
      tree.fail(path, node, "needs sysctls or params to vary");
    }
    // Saturates instead of overflowing: many long dimensions must not wrap round to a small count.
    long cells = dimensions.stream().mapToLong(d -> Math.max(1, d.values().size()))
        .reduce(1, (a, b) -> Math.min(a * b, Experiment.MAX_CELLS + 1L));
    if (cells > Experiment.MAX_CELLS) {
      tree.fail(path, node, "makes " + cells + " cells; at most " + Experiment.MAX_CELLS + " (each runs in a fresh lab)");
    }
    return dimensions;
  }

  private List<String> sweepValues(Node node, String path) {
    List<Node> items = tree.sequence(node, path);
    if (items.isEmpty() || items.size() > MAX_SWEEP_VALUES) {
      tree.fail(path, node, "needs 1 to " + MAX_SWEEP_VALUES + " values, got " + items.size());
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String value = tree.text(items.get(i), path + "[" + i + "]").trim();
      if (values.contains(value)) {
        tree.fail(path + "[" + i + "]", items.get(i), Bounded.quote(value) + " is listed twice");
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
    Map<String, Node> fields = tree.mapping(node, path,
        Set.of("topology", "clients", "snat_port_range", "ttl", "networks", "nodes"));
    String topology = YamlTree.optional(fields, "topology").map(n -> tree.text(n, path + ".topology")).orElse("");
    int clients = YamlTree.optional(fields, "clients").map(n -> tree.integer(n, path + ".clients")).orElse(0);
    String snat = YamlTree.optional(fields, "snat_port_range").map(n -> tree.text(n, path + ".snat_port_range")).orElse("");
    Duration ttl = YamlTree.optional(fields, "ttl").map(n -> duration(n, path + ".ttl")).orElse(null);
    Optional<List<String>> networks = YamlTree.optional(fields, "networks").map(n -> tree.texts(n, path + ".networks"));
    Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
    List<NodePlan> explicitNodes = new ArrayList<>();
    YamlTree.optional(fields, "nodes").ifPresent(nodes -> tree.mapping(nodes, path + ".nodes", null).forEach((nodeName, config) -> {
      String nodePath = path + ".nodes[" + nodeName + "]";
      Map<String, Node> nodeFields = tree.mapping(config, nodePath, networks.isPresent()
          ? Set.of("role", "networks", "sysctls") : Set.of("sysctls"));
      Map<String, String> values = new LinkedHashMap<>();
      YamlTree.optional(nodeFields, "sysctls").ifPresent(s -> tree.mapping(s, nodePath + ".sysctls", null)
          .forEach((key, value) -> values.put(key, tree.text(value, nodePath + ".sysctls[" + key + "]"))));
      sysctls.put(nodeName, values);
      if (networks.isPresent()) {
        Optional<Role> role = tree.required(nodeFields, nodePath, "role").flatMap(r -> role(r, nodePath + ".role"));
        List<String> joined = tree.required(nodeFields, nodePath, "networks").map(n -> tree.texts(n, nodePath + ".networks"))
            .orElse(List.of());
        role.ifPresent(r -> explicitNodes.add(new NodePlan(nodeName, r, joined, Map.of())));
      }
    }));
    if (networks.isPresent()) {
      for (String spelled : List.of("topology", "clients")) {
        YamlTree.optional(fields, spelled).ifPresent(n -> tree.fail(path + "." + spelled, n,
            "a lab written out as networks and nodes takes its " + spelled + " from them; remove this line"));
      }
      if (tree.violations().isEmpty()) {
        try {
          ExplicitTopology.Shape shape = new ExplicitTopology(networks.get(), explicitNodes).shape();
          topology = shape.kind().id();
          clients = shape.clients();
        } catch (InvalidArgumentException e) {
          e.violations().forEach(v -> tree.add(new FieldViolation(path + "." + v.field(),
              tree.at(path + "." + v.field()) + v.reason())));
        }
      }
    }
    return new LabRequest(topology, clients, snat, sysctls, ttl);
  }

  private Optional<Role> role(Node node, String path) {
    String id = tree.text(node, path).trim();
    Optional<Role> role = Role.fromId(id);
    if (role.isEmpty()) {
      tree.fail(path, node, "unknown role " + Bounded.quote(id) + "; use one of "
          + Arrays.stream(Role.values()).map(Role::id).collect(Collectors.joining(", ")));
    }
    return role;
  }



  private List<Experiment.Step> steps(Node node, String path, List<SweepDimension> sweep) {
    List<Node> runs = tree.sequence(node, path);
    if (runs.isEmpty() || runs.size() > MAX_RUNS) {
      tree.fail(path, node, "needs 1 to " + MAX_RUNS + " runs, got " + runs.size());
    }
    List<Experiment.Step> steps = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      String runPath = path + "[" + i + "]";
      Map<String, Node> fields = tree.mapping(runs.get(i), runPath, Set.of("scenario", "params", "expect"));
      String scenario = tree.required(fields, runPath, "scenario").map(n -> tree.text(n, runPath + ".scenario")).orElse("");
      Map<String, String> params = new LinkedHashMap<>();
      YamlTree.optional(fields, "params").ifPresent(p -> tree.mapping(p, runPath + ".params", null)
          .forEach((key, value) -> params.put(key, tree.text(value, runPath + ".params[" + key + "]"))));
      List<Experiment.Expect> expectations = new ArrayList<>();
      YamlTree.optional(fields, "expect").ifPresent(e -> {
        List<Node> entries = tree.sequence(e, runPath + ".expect");
        if (entries.size() > MAX_EXPECTATIONS) {
          tree.fail(runPath + ".expect", e, "at most " + MAX_EXPECTATIONS + " expectations per run, got " + entries.size());
        }
        for (int j = 0; j < entries.size(); j++) {
          expectation(entries.get(j), runPath + ".expect[" + j + "]", sweep).ifPresent(expectations::add);
        }
      });
      steps.add(new Experiment.Step(scenario, params, expectations));
    }
    return steps;
  }

  private Optional<Experiment.Expect> expectation(Node node, String path, List<SweepDimension> sweep) {
    Set<String> allowed = ExpectationGrammar.kinds();
    allowed.add("where");
    if (marked) {
      allowed.addAll(MARK_FIELDS);
    }
    Map<String, Node> fields = tree.mapping(node, path, allowed);
    Map<String, String> where = Optional.ofNullable(fields.remove("where")).map(w -> where(w, path + ".where", sweep))
        .orElse(Map.of());
    Mark mark = mark(fields, path);
    if (fields.size() != 1) {
      tree.fail(path, node, "needs exactly one of " + String.join(", ", ExpectationGrammar.kinds()));
      return Optional.empty();
    }
    Map.Entry<String, Node> kind = fields.entrySet().iterator().next();
    return expectations.read(kind.getKey(), kind.getValue(), path + "." + kind.getKey())
        .map(e -> new Experiment.Expect(e, where, mark));
  }

  /** How an assignment marks the expectation; its fields are taken out of {@code fields}. */
  private Mark mark(Map<String, Node> fields, String path) {
    String name = Optional.ofNullable(fields.remove("name")).map(n -> name(n, path + ".name")).orElse("");
    double points = Optional.ofNullable(fields.remove("points")).map(n -> points(n, path + ".points")).orElse(1.0);
    String feedback = Optional.ofNullable(fields.remove("feedback")).map(n -> feedback(n, path + ".feedback")).orElse("");
    Mark.Visibility visibility = Optional.ofNullable(fields.remove("visibility"))
        .flatMap(n -> visibility(n, path + ".visibility")).orElse(Mark.Visibility.VISIBLE);
    return new Mark(name, points, feedback, visibility);
  }

  double points(Node node, String path) {
    double points = tree.number(node, path);
    if (!(points >= 0 && points <= Mark.MAX_POINTS)) {
      tree.fail(path, node, "must be 0 to " + Comparison.number(Mark.MAX_POINTS) + ", got " + Bounded.quote(tree.text(node, path)));
    }
    return points;
  }

  String feedback(Node node, String path) {
    String text = tree.text(node, path).strip();
    if (text.length() > MAX_FEEDBACK) {
      tree.fail(path, node, "at most " + MAX_FEEDBACK + " characters, got " + text.length());
    }
    return text;
  }

  Optional<Mark.Visibility> visibility(Node node, String path) {
    String id = tree.text(node, path);
    Optional<Mark.Visibility> visibility = Mark.Visibility.of(id);
    if (visibility.isEmpty()) {
      tree.fail(path, node, Bounded.quote(id) + " is not one of visible, hidden, after_due_date");
    }
    return visibility;
  }

  /** The sweep cells an expectation applies in: dimension (label or short title) → value. */
  private Map<String, String> where(Node node, String path, List<SweepDimension> sweep) {
    Map<String, String> where = new LinkedHashMap<>();
    tree.mapping(node, path, null).forEach((key, value) -> {
      String keyPath = path + "[" + key + "]";
      String wanted = tree.text(value, keyPath).trim();
      List<SweepDimension> named = sweep.stream().filter(d -> d.label().equals(key)).toList();
      if (named.isEmpty()) {
        named = sweep.stream().filter(d -> d.title().equals(key)).toList();
      }
      if (named.size() != 1) {
        tree.fail(keyPath, value, (named.isEmpty() ? Bounded.quote(key) + " is not swept" : Bounded.quote(key) + " is ambiguous")
            + "; the sweep varies " + (sweep.isEmpty() ? "nothing (no sweep)"
            : String.join(", ", sweep.stream().map(SweepDimension::label).toList())));
      } else if (!named.get(0).values().contains(wanted)) {
        tree.fail(keyPath, value, Bounded.quote(wanted) + " is not one of the sweep's values " + named.get(0).values());
      } else {
        where.put(named.get(0).label(), wanted);
      }
    });
    return where;
  }

  /**
   * The experiment's name goes into reports (JUnit XML, HTML) and logs: printable characters only,
   * as XML 1.0 cannot hold most control characters.
   */
  String name(Node node, String path) {
    String name = tree.text(node, path).trim();
    if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      tree.fail(path, node, "must be 1 to " + MAX_NAME + " printable characters, got " + Bounded.quote(name));
    }
    return name;
  }

  Duration duration(Node node, String path) {
    Matcher m = TTL.matcher(tree.text(node, path).trim());
    if (!m.matches()) {
      tree.fail(path, node, Bounded.quote(tree.text(node, path)) + " is not a duration such as 90s, 30m or 2h");
      return null;
    }
    try {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      tree.fail(path, node, Bounded.quote(m.group(0)) + " is far longer than a lab may live (1 minute to 24 hours)");
      return null;
    }
  }
}
