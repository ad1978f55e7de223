package io.twlab.grading;

import io.twlab.lab.LabRequest;
import java.util.List;
import java.util.Map;

/**
 * An experiment file: a lab, the scenarios to run in it in order, and what each run must show.
 * {@code lines} maps each field's path (as violations name it) to its line in the file.
 */
public record Experiment(String name, LabRequest lab, List<Step> steps, Map<String, Integer> lines) {

  public Experiment {
    steps = List.copyOf(steps);
    lines = Map.copyOf(lines);
  }

  /** "line N: " of the field, or of the nearest enclosing field the file has; "" when none. */
  public String at(String field) {
    return at(lines, field);
  }

  static String at(Map<String, Integer> lines, String field) {
    for (String p = field; ; p = p.substring(0, Math.max(0, Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))))) {
      Integer line = lines.get(p);
      if (line != null) {
        return "line " + line + ": ";
      }
      if (p.isEmpty()) {
        return "";
      }
    }
  }

  /** One scenario run and its expectations. */
  public record Step(String scenario, Map<String, String> params, List<Expectation> expectations) {
    public Step {
      params = Map.copyOf(params);
      expectations = List.copyOf(expectations);
    }
  }
}
