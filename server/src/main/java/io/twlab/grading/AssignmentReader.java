package io.twlab.grading;

import io.twlab.core.Bounded;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.TcpState;
import io.twlab.grading.Assignment.Observed;
import io.twlab.grading.Assignment.Prediction;
import io.twlab.grading.Assignment.Setting;
import io.twlab.grading.Assignment.Target;
import io.twlab.lab.NodePlan;
import io.twlab.lab.Topologies;
import io.twlab.scenario.Program;
import io.twlab.sysctl.SysctlPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads an assignment file (an experiment file with an {@code assignment} section, whose checks may
 * carry points, feedback and visibility) and the submissions made for it, naming every bad field
 * with its path and line.
 */
public final class AssignmentReader {
  public static final int MAX_SLOTS = 20;
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
  private static final Set<String> FIELDS = Set.of("due", "time_limit", "settings", "predictions", "programs");
  private static final Set<String> OBSERVED = Set.of("count", "counter", "sequence");

  private final YamlTree tree = new YamlTree();

  private AssignmentReader() {
  }

  public static Assignment read(String text, SysctlPolicy policy) {
    return new AssignmentReader().assignment(text, policy);
  }

  private Assignment assignment(String text, SysctlPolicy policy) {
    Node root = YamlTree.parse(text, "assignment");
    if (root == null) {
      throw new InvalidArgumentException("assignment", "the file is empty; it needs name, lab, runs and assignment");
    }
    Set<String> top = new HashSet<>(ExperimentReader.FIELDS);
    top.add("assignment");
    Map<String, Node> fields = tree.mapping(root, "", top);
    ExperimentReader experiments = new ExperimentReader(policy, tree, true);
    Experiment experiment = experiments.experiment(fields);
    YamlTree.optional(fields, "sweep").ifPresent(n -> tree.fail("sweep", n,
        "an assignment grades each submission in one lab; remove the sweep"));
    Map<String, Node> section = tree.required(fields, "", "assignment").map(n -> tree.mapping(n, "assignment", FIELDS))
        .orElse(Map.of());
    Instant due = tree.required(section, "assignment", "due").map(n -> instant(n, "assignment.due")).orElse(Instant.EPOCH);
    Duration limit = YamlTree.optional(section, "time_limit").map(n -> timeLimit(experiments, n, "assignment.time_limit"))
        .orElse(Assignment.DEFAULT_TIME_LIMIT);
    int runs = experiment.steps().size();
    Set<String> nodes = new TreeSet<>();
    if (experiment.lab() != null) {
      for (NodePlan node : Topologies.nodes(experiment.lab().topology(), experiment.lab().clients())) {
        nodes.add(node.name());
        nodes.add(node.role().id());
      }
    }
    Set<String> names = new HashSet<>();
    List<Setting> settings = new ArrayList<>();
    YamlTree.optional(section, "settings").ifPresent(list -> items(list, "assignment.settings", (node, path) ->
        setting(node, path, runs, nodes, policy, names).ifPresent(settings::add)));
    List<Prediction> predictions = new ArrayList<>();
    YamlTree.optional(section, "predictions").ifPresent(list -> items(list, "assignment.predictions", (node, path) ->
        prediction(experiments, node, path, runs, names).ifPresent(predictions::add)));
    List<Assignment.ProgramSlot> programs = new ArrayList<>();
    YamlTree.optional(section, "programs").ifPresent(list -> items(list, "assignment.programs", (node, path) ->
        program(experiments, node, path, runs, limit, names).ifPresent(p -> {
          programs.stream().filter(q -> q.run() == p.run() && q.slot().equals(p.slot())).findFirst().ifPresentOrElse(
              q -> tree.fail(path + ".slot", node, "run " + p.run() + "'s slot " + Bounded.quote(p.slot())
                  + " is filled by program " + q.name() + " already"), () -> programs.add(p));
        })));
    if (!tree.violations().isEmpty()) {
      throw new InvalidArgumentException(tree.violations());
    }
    return new Assignment(due, limit, experiment, settings, predictions, programs);
  }

  private Optional<Assignment.ProgramSlot> program(ExperimentReader experiments, Node node, String path, int runs,
      Duration assignmentLimit, Set<String> names) {
    Map<String, Node> fields = tree.mapping(node, path, Set.of("name", "description", "run", "slot", "languages",
        "max_bytes", "time_limit"));
    String name = slotName(fields, path, names);
    String description = YamlTree.optional(fields, "description").map(n -> tree.text(n, path + ".description").strip())
        .orElse("");
    int run = run(fields, path, runs);
    Optional<String> slot = tree.required(fields, path, "slot").map(n -> tree.text(n, path + ".slot").trim());
    List<Program.Language> languages = new ArrayList<>();
    YamlTree.optional(fields, "languages").ifPresentOrElse(n -> {
      List<String> given = tree.texts(n, path + ".languages");
      for (String id : given) {
        Program.Language.of(id).ifPresentOrElse(languages::add, () -> tree.fail(path + ".languages", n,
            Bounded.quote(id) + " is not a language twlab runs; it runs " + Program.Language.ids()));
      }
      if (given.isEmpty()) {
        tree.fail(path + ".languages", n, "name at least one of " + Program.Language.ids());
      }
    }, () -> languages.addAll(List.of(Program.Language.values())));
    int largest = languages.stream().mapToInt(Program.Language::maxBytes).max().orElse(0);
    int maxBytes = YamlTree.optional(fields, "max_bytes").map(n -> {
      int bytes = tree.integer(n, path + ".max_bytes");
      if (bytes < 1 || bytes > largest) {
        tree.fail(path + ".max_bytes", n, "must be 1 to " + largest + " (the most its languages allow)");
      }
      return bytes;
    }).orElse(largest);
    Duration limit = YamlTree.optional(fields, "time_limit").map(n -> {
      Duration given = experiments.duration(n, path + ".time_limit");
      if (given != null && (given.compareTo(Program.MIN_TIME_LIMIT) < 0 || given.compareTo(Program.MAX_TIME_LIMIT) > 0
          || given.compareTo(assignmentLimit) > 0)) {
        tree.fail(path + ".time_limit", n, "must be " + Program.MIN_TIME_LIMIT.toSeconds() + " s to "
            + Math.min(Program.MAX_TIME_LIMIT.toSeconds(), assignmentLimit.toSeconds())
            + " s (at most the assignment's time_limit)");
      }
      return given == null ? Assignment.DEFAULT_PROGRAM_TIME_LIMIT : given;
    }).orElse(Assignment.DEFAULT_PROGRAM_TIME_LIMIT);
    return slot.filter(x -> !languages.isEmpty()).map(x -> new Assignment.ProgramSlot(name, description, run, x,
        languages, maxBytes, limit));
  }

  private interface Item {
    void read(Node node, String path);
  }

  private void items(Node list, String path, Item item) {
    List<Node> nodes = tree.sequence(list, path);
    if (nodes.size() > MAX_SLOTS) {
      tree.fail(path, list, "at most " + MAX_SLOTS + ", got " + nodes.size());
    }
    for (int i = 0; i < nodes.size(); i++) {
      item.read(nodes.get(i), path + "[" + i + "]");
    }
  }

  private Instant instant(Node node, String path) {
    String text = tree.text(node, path).trim();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      tree.fail(path, node, Bounded.quote(text) + " is not a date and time with its offset, e.g. 2026-12-20T23:59:00Z");
      return Instant.EPOCH;
    }
  }

  private Duration timeLimit(ExperimentReader experiments, Node node, String path) {
    Duration limit = experiments.duration(node, path);
    if (limit != null && (limit.compareTo(Duration.ofMinutes(1)) < 0 || limit.compareTo(Assignment.MAX_TIME_LIMIT) > 0)) {
      tree.fail(path, node, "must be 1 to " + Assignment.MAX_TIME_LIMIT.toMinutes() + " minutes");
    }
    return limit == null ? Assignment.DEFAULT_TIME_LIMIT : limit;
  }

  private String slotName(Map<String, Node> fields, String path, Set<String> names) {
    return tree.required(fields, path, "name").map(n -> {
      String name = tree.text(n, path + ".name").trim();
      if (!SLOT_NAME.matcher(name).matches()) {
        tree.fail(path + ".name", n, Bounded.quote(name) + " is not 1 to 40 of a-z, 0-9, - and _ (a submission names it)");
      } else if (!names.add(name)) {
        tree.fail(path + ".name", n, Bounded.quote(name) + " names another setting or prediction already");
      }
      return name;
    }).orElse("");
  }

  private int run(Map<String, Node> fields, String path, int runs) {
    return YamlTree.optional(fields, "run").map(n -> {
      int run = tree.integer(n, path + ".run");
      if (run < 0 || run >= runs) {
        tree.fail(path + ".run", n, "no run " + run + "; the experiment's runs are 0 to " + (runs - 1));
        return 0;
      }
      return run;
    }).orElse(0);
  }

  private Optional<Setting> setting(Node node, String path, int runs, Set<String> nodes, SysctlPolicy policy,
      Set<String> names) {
    Map<String, Node> fields = tree.mapping(node, path, Set.of("name", "description", "sysctl", "param", "values", "min", "max"));
    String name = slotName(fields, path, names);
    String description = YamlTree.optional(fields, "description").map(n -> tree.text(n, path + ".description").strip())
        .orElse("");
    Optional<Target> target = Optional.empty();
    if (fields.containsKey("sysctl") == fields.containsKey("param")) {
      tree.fail(path, node, "needs exactly one of sysctl ({node, name}) or param ({run, name})");
    } else if (fields.containsKey("sysctl")) {
      Map<String, Node> s = tree.mapping(fields.get("sysctl"), path + ".sysctl", Set.of("node", "name"));
      Optional<String> target0 = tree.required(s, path + ".sysctl", "node").map(n -> tree.text(n, path + ".sysctl.node").trim());
      target0.filter(n -> !nodes.isEmpty() && !nodes.contains(n)).ifPresent(n -> tree.fail(path + ".sysctl.node",
          s.get("node"), "no node or role " + Bounded.quote(n) + " in the lab; it has " + String.join(", ", nodes)));
      Optional<String> key = tree.required(s, path + ".sysctl", "name").map(n -> tree.text(n, path + ".sysctl.name").trim());
      target = target0.flatMap(n -> key.map(k -> new Target.Sysctl(n, k)));
    } else {
      Map<String, Node> p = tree.mapping(fields.get("param"), path + ".param", Set.of("run", "name"));
      int run = run(p, path + ".param", runs);
      target = tree.required(p, path + ".param", "name").map(n -> new Target.Param(run, tree.text(n, path + ".param.name").trim()));
    }
    List<String> values = YamlTree.optional(fields, "values").map(n -> tree.texts(n, path + ".values")).orElse(List.of());
    boolean range = fields.containsKey("min") || fields.containsKey("max");
    if (values.isEmpty() == !range || range && !(fields.containsKey("min") && fields.containsKey("max"))) {
      tree.fail(path, node, "needs either values (a list) or both min and max (whole numbers)");
    }
    long min = YamlTree.optional(fields, "min").map(n -> (long) tree.integer(n, path + ".min")).orElse(0L);
    long max = YamlTree.optional(fields, "max").map(n -> (long) tree.integer(n, path + ".max")).orElse(0L);
    if (range && min > max) {
      tree.fail(path + ".max", fields.get("max"), "is below min (" + min + ")");
    }
    Optional<Setting> setting = target.map(t -> new Setting(name, description, t, values, min, max));
    if (target.orElse(null) instanceof Target.Sysctl s) {
      for (String value : setting.get().ends()) {
        policy.reasonAgainst(s.key(), value).ifPresent(reason -> tree.fail(path + ".sysctl", fields.get("sysctl"),
            "a student could set " + s.key() + "=" + Bounded.quote(value) + ": " + reason));
      }
    }
    return setting;
  }

  private Optional<Prediction> prediction(ExperimentReader experiments, Node node, String path, int runs, Set<String> names) {
    Set<String> allowed = new HashSet<>(Set.of("name", "question", "run", "tolerance", "points", "feedback", "visibility"));
    allowed.addAll(OBSERVED);
    Map<String, Node> fields = tree.mapping(node, path, allowed);
    String name = slotName(fields, path, names);
    String question = tree.required(fields, path, "question").map(n -> experiments.feedback(n, path + ".question")).orElse("");
    int run = run(fields, path, runs);
    double tolerance = YamlTree.optional(fields, "tolerance").map(n -> tree.number(n, path + ".tolerance")).orElse(0.0);
    if (tolerance < 0) {
      tree.fail(path + ".tolerance", fields.get("tolerance"), "must not be negative");
    }
    double points = YamlTree.optional(fields, "points").map(n -> experiments.points(n, path + ".points")).orElse(1.0);
    String feedback = YamlTree.optional(fields, "feedback").map(n -> experiments.feedback(n, path + ".feedback")).orElse("");
    Mark.Visibility visibility = YamlTree.optional(fields, "visibility").flatMap(n -> experiments.visibility(n, path + ".visibility"))
        .orElse(Mark.Visibility.VISIBLE);
    List<String> kinds = OBSERVED.stream().filter(fields::containsKey).sorted().toList();
    if (kinds.size() != 1) {
      tree.fail(path, node, "needs exactly one of count ({node, state, at}), counter ({node, name}) or sequence ({node})");
      return Optional.empty();
    }
    String kind = kinds.get(0);
    String at = path + "." + kind;
    Optional<Observed> observed = switch (kind) {
      case "count" -> count(experiments, fields.get(kind), at);
      case "counter" -> {
        Map<String, Node> f = tree.mapping(fields.get(kind), at, Set.of("node", "name"));
        Optional<String> n = tree.required(f, at, "node").map(x -> tree.text(x, at + ".node").trim());
        yield n.flatMap(x -> tree.required(f, at, "name").map(c -> new Observed.Counter(x, tree.text(c, at + ".name").trim())));
      }
      default -> {
        Map<String, Node> f = tree.mapping(fields.get(kind), at, Set.of("node"));
        yield tree.required(f, at, "node").map(x -> new Observed.Sequence(tree.text(x, at + ".node").trim()));
      }
    };
    return observed.map(o -> new Prediction(name, question, run, o, tolerance, new Mark(name, points, feedback, visibility)));
  }

  private Optional<Observed> count(ExperimentReader experiments, Node node, String path) {
    Map<String, Node> f = tree.mapping(node, path, Set.of("node", "state", "at"));
    Optional<String> name = tree.required(f, path, "node").map(x -> tree.text(x, path + ".node").trim());
    Optional<TcpState> state = tree.required(f, path, "state").flatMap(x ->
        experiments.grammar().state(tree.text(x, path + ".state"), x, path + ".state"));
    Optional<ExpectationGrammar.Moment> moment = YamlTree.optional(f, "at")
        .map(x -> experiments.grammar().moment(tree.text(x, path + ".at"), x, path + ".at"))
        .orElse(Optional.of(new ExpectationGrammar.Moment(Expectation.StateCount.When.END, Duration.ZERO)));
    return name.flatMap(n -> state.flatMap(s -> moment.map(m -> new Observed.Count(n, s, m.when(), m.after()))));
  }

  /**
   * A submission for {@code assignment}: one YAML document, or several ({@code ---} between them, as
   * {@code twlab submit} joins its files), each with {@code settings} and {@code predictions} by name.
   */
  public static Submission submission(String text, Assignment assignment) {
    return submission(text, assignment, List.of());
  }

  /** A submission with the files of its programs, each for one of the assignment's program slots. */
  public static Submission submission(String text, Assignment assignment, List<Submission.ProgramFile> files) {
    return new AssignmentReader().readSubmission(text, assignment, files);
  }

  private Submission readSubmission(String text, Assignment assignment, List<Submission.ProgramFile> files) {
    List<Node> documents = text.isBlank() ? List.of() : YamlTree.parseAll(text, "submission");
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, Submission.Answer> answers = new LinkedHashMap<>();
    Map<String, Setting> settingSlots = new LinkedHashMap<>();
    assignment.settings().forEach(s -> settingSlots.put(s.name(), s));
    Map<String, Prediction> predictionSlots = new LinkedHashMap<>();
    assignment.predictions().forEach(p -> predictionSlots.put(p.name(), p));
    ExpectationGrammar grammar = new ExpectationGrammar(tree);
    for (Node document : documents) {
      Map<String, Node> fields = tree.mapping(document, "", Set.of("settings", "predictions"));
      YamlTree.optional(fields, "settings").ifPresent(s -> tree.mapping(s, "settings", null).forEach((name, value) -> {
        String path = "settings." + name;
        Setting slot = settingSlots.get(name);
        String chosen = tree.text(value, path).trim();
        if (slot == null) {
          tree.fail(path, value, "this assignment has no setting " + Bounded.quote(name) + "; its settings are "
              + (settingSlots.isEmpty() ? "none" : String.join(", ", settingSlots.keySet())));
        } else if (settings.put(name, chosen) != null) {
          tree.fail(path, value, "given twice");
        } else if (!slot.allows(chosen)) {
          tree.fail(path, value, Bounded.quote(chosen) + " is not allowed: " + slot.allowed());
        }
      }));
      YamlTree.optional(fields, "predictions").ifPresent(p -> tree.mapping(p, "predictions", null).forEach((name, value) -> {
        String path = "predictions." + name;
        Prediction slot = predictionSlots.get(name);
        if (slot == null) {
          tree.fail(path, value, "this assignment asks no prediction " + Bounded.quote(name) + "; it asks "
              + (predictionSlots.isEmpty() ? "none" : String.join(", ", predictionSlots.keySet())));
        } else if (answers.containsKey(name)) {
          tree.fail(path, value, "given twice");
        } else {
          answer(grammar, slot, value, path).ifPresent(a -> answers.put(name, a));
        }
      }));
    }
    settingSlots.values().stream().filter(s -> !settings.containsKey(s.name())).forEach(s -> tree.add(
        new FieldViolation("settings." + s.name(), "missing: " + (s.description().isEmpty() ? "" : s.description() + "; ")
            + s.allowed())));
    predictionSlots.values().stream().filter(p -> !answers.containsKey(p.name()) && tree.violations().stream()
        .noneMatch(v -> v.field().startsWith("predictions." + p.name()))).forEach(p -> tree.add(
        new FieldViolation("predictions." + p.name(), "missing: " + p.question() + " (" + p.answerForm() + ")")));
    Map<String, Program> programs = programs(assignment, files);
    if (!tree.violations().isEmpty()) {
      throw new InvalidArgumentException(tree.violations());
    }
    return new Submission(settings, answers, programs);
  }

  /** Each program slot's file, checked: named once, in a language the slot takes, within its size. */
  private Map<String, Program> programs(Assignment assignment, List<Submission.ProgramFile> files) {
    Map<String, Assignment.ProgramSlot> slots = new LinkedHashMap<>();
    assignment.programs().forEach(p -> slots.put(p.name(), p));
    Map<String, Program> programs = new LinkedHashMap<>();
    for (Submission.ProgramFile file : files) {
      String path = "programs[" + Bounded.quote(file.name()).replace("'", "") + "]";
      Assignment.ProgramSlot slot = slots.get(file.name());
      if (slot == null) {
        tree.add(new FieldViolation(path, "this assignment has no program " + Bounded.quote(file.name())
            + "; its programs are " + (slots.isEmpty() ? "none" : String.join(", ", slots.keySet()))));
        continue;
      }
      if (programs.containsKey(slot.name())) {
        tree.add(new FieldViolation(path, "given twice"));
        continue;
      }
      byte[] code = file.content();
      Optional<Program.Language> language = file.language().isBlank()
          ? Program.Language.detect(code, file.fileName()) : Program.Language.of(file.language());
      if (language.isEmpty()) {
        tree.add(new FieldViolation(path + ".language", file.language().isBlank()
            ? "cannot tell what " + Bounded.quote(file.fileName()) + " is written in: name its language ("
                + Program.Language.ids() + "), e.g. --program " + slot.name() + "=python:FILE"
            : Bounded.quote(file.language()) + " is not a language twlab runs; it runs " + Program.Language.ids()));
        continue;
      }
      if (!slot.languages().contains(language.get())) {
        tree.add(new FieldViolation(path + ".language", "program " + slot.name() + " may be written in "
            + String.join(", ", slot.languages().stream().map(Program.Language::id).toList()) + ", not "
            + language.get().id()));
        continue;
      }
      if (code.length > slot.maxBytes()) {
        tree.add(new FieldViolation(path, "has " + code.length + " bytes; program " + slot.name()
            + " may have at most " + slot.maxBytes()));
        continue;
      }
      Optional<String> problem = Program.problem(language.get(), code);
      if (problem.isPresent()) {
        tree.add(new FieldViolation(path, Bounded.quote(file.fileName()) + " " + problem.get()));
        continue;
      }
      programs.put(slot.name(), new Program(language.get(), code, slot.timeLimit()));
    }
    slots.values().stream().filter(s -> !programs.containsKey(s.name()) && tree.violations().stream()
        .noneMatch(v -> v.field().startsWith("programs[" + s.name() + "]"))).forEach(s -> tree.add(
        new FieldViolation("programs[" + s.name() + "]", "missing: " + (s.description().isEmpty() ? "" : s.description()
            + "; ") + "a program in " + String.join(" or ", s.languages().stream().map(Program.Language::id).toList()))));
    return programs;
  }

  private Optional<Submission.Answer> answer(ExpectationGrammar grammar, Prediction slot, Node value, String path) {
    if (slot.observed() instanceof Observed.Sequence) {
      List<String> names = tree.texts(value, path);
      List<TcpState> states = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        grammar.state(names.get(i), value, path + "[" + i + "]").ifPresent(states::add);
      }
      if (names.size() < 2 || names.size() > 12) {
        tree.fail(path, value, "needs 2 to 12 TCP states in the order one connection goes through them");
      }
      return states.size() == names.size() && names.size() >= 2 ? Optional.of(new Submission.Answer.States(states))
          : Optional.empty();
    }
    double number = tree.number(value, path);
    return Double.isFinite(number) ? Optional.of(new Submission.Answer.Number(number)) : Optional.empty();
  }
}
