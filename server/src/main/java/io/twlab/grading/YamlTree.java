package io.twlab.grading;

import io.twlab.core.Bounded;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
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
 * A YAML document (or JSON, which is YAML too) read as its node tree, which keeps where each value
 * was written. Every read records the value's line under its path ({@code runs[0].expect[2]}); a
 * value of the wrong shape is a violation with its line, not an exception, so that one reading
 * names every fault of the file. Not thread-safe: one tree per document.
 */
final class YamlTree {
  static final int MAX_CHARS = 256 * 1024;
  /** A list or mapping written once and reused by more aliases than this is refused (a "billion laughs"). */
  private static final int MAX_ALIASES = 20;
  private static final int MAX_DEPTH = 20;
  private static final int MAX_DOCUMENTS = 10;
  private final List<FieldViolation> violations = new ArrayList<>();
  private final Map<String, Integer> lines = new LinkedHashMap<>();

  /** The document's root, or a refusal naming the line where it stops being YAML. */
  static Node parse(String text, String what) {
    return read(text, what, yaml -> yaml.compose(new StringReader(text)));
  }

  /** The roots of every document of a stream ({@code ---} between them), or a refusal naming the line. */
  static List<Node> parseAll(String text, String what) {
    return read(text, what, yaml -> {
      List<Node> roots = new ArrayList<>();
      yaml.composeAll(new StringReader(text)).forEach(root -> {
        if (roots.size() >= MAX_DOCUMENTS) {
          throw new YAMLException("at most " + MAX_DOCUMENTS + " documents in one stream");
        }
        roots.add(root);
      });
      return roots;
    });
  }

  private static <T> T read(String text, String what, Function<Yaml, T> compose) {
    if (text.length() > MAX_CHARS) {
      throw new InvalidArgumentException(what, "the file has " + text.length() + " characters; at most " + MAX_CHARS
          + " (an experiment is a page of YAML, not a data set)");
    }
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CHARS);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    try {
      return compose.apply(new Yaml(options));
    } catch (MarkedYAMLException e) {
      throw new InvalidArgumentException(what, "line " + (e.getProblemMark().getLine() + 1) + ": "
          + e.getProblem() + "; the file is not valid YAML or JSON");
    } catch (YAMLException e) {
      throw new InvalidArgumentException(what, e.getMessage());
    }
  }

  List<FieldViolation> violations() {
    return violations;
  }

  /** Each path read so far and the line of its value. */
  Map<String, Integer> lines() {
    return lines;
  }

  /** A violation found by a grammar, not by the tree's shape. */
  void add(FieldViolation violation) {
    violations.add(violation);
  }

  /** The entries of a mapping; {@code allowed} null: any key. */
  Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
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

  List<Node> sequence(Node node, String path) {
    lines.put(path, line(node));
    if (node instanceof SequenceNode list) {
      return list.getValue();
    }
    fail(path, node, "must be a list ('- ' items)");
    return List.of();
  }

  /** A list of single values. */
  List<String> texts(Node node, String path) {
    List<Node> items = sequence(node, path);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      values.add(text(items.get(i), path + "[" + i + "]").trim());
    }
    return values;
  }
  String text(Node node, String path) {
    lines.put(path, line(node));
    if (node instanceof ScalarNode scalar) {
      return scalar.getValue();
    }
    fail(path, node, "must be a single value");
    return "";
  }

  int integer(Node node, String path) {
    return parsed(node, path, Integer::parseInt, "a whole number", 0);
  }

  double number(Node node, String path) {
    return parsed(node, path, Double::parseDouble, "a number", 0.0);
  }

  /** A single value read by {@code parse}; {@code fallback} (with a violation) when it is not {@code what}. */
  private <T> T parsed(Node node, String path, Function<String, T> parse, String what, T fallback) {
    String value = text(node, path);
    try {
      return parse.apply(value.trim());
    } catch (NumberFormatException e) {
      fail(path, node, Bounded.quote(value) + " is not " + what);
      return fallback;
    }
  }

  Optional<Node> required(Map<String, Node> fields, String path, String key) {
    if (!fields.containsKey(key)) {
      String field = path.isEmpty() ? key : path + "." + key;
      violations.add(new FieldViolation(field, at(path) + "missing"));
    }
    return Optional.ofNullable(fields.get(key));
  }

  static Optional<Node> optional(Map<String, Node> fields, String key) {
    return Optional.ofNullable(fields.get(key));
  }

  void fail(String path, Node node, String reason) {
    violations.add(new FieldViolation(path, "line " + line(node) + ": " + reason));
  }

  /** "line N: " of the path, or of the nearest enclosing path read; "" when none. */
  String at(String path) {
    return Experiment.at(lines, path);
  }

  static int line(Node node) {
    return node == null ? 0 : node.getStartMark().getLine() + 1;
  }
}
