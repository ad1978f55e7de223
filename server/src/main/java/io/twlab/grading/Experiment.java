package io.twlab.grading;

import io.twlab.grading.SweepDimension.Param;
import io.twlab.grading.SweepDimension.Sysctl;
import io.twlab.lab.LabSpec;
import io.twlab.scenario.Program;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An experiment file: a lab, the scenarios to run in it in order, what each run must show, and
 * optionally a sweep: the whole experiment once per cell of a matrix of sysctls and parameters.
 * {@code lines} maps each field's path (as violations name it) to its line in the file.
 */
public record Experiment(String name, LabSpec lab, List<Step> steps, List<SweepDimension> sweep,
    Map<String, Integer> lines) {
  public static final int MAX_CELLS = 32;

  public Experiment {
    steps = List.copyOf(steps);
    sweep = List.copyOf(sweep);
    lines = Map.copyOf(lines);
  }

  /**
   * The sweep's cells, each a dimension label → value, the first dimension varying slowest; one
   * empty cell without a sweep.
   */
  public List<Map<String, String>> cells() {
    List<Map<String, String>> cells = List.of(Map.of());
    for (SweepDimension dimension : sweep) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> cell : cells) {
        for (String value : dimension.values()) {
          Map<String, String> grown = new LinkedHashMap<>(cell);
          grown.put(dimension.label(), value);
          next.add(grown);
        }
      }
      cells = next;
    }
    return cells;
  }

  /**
   * The lab of one cell: the file's lab with the cell's sysctls on top. Each sweep value was checked
   * against the policy when the file was read.
   */
  public LabSpec labIn(Map<String, String> cell) {
    Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
    lab.sysctls().forEach((node, values) -> sysctls.put(node, new LinkedHashMap<>(values)));
    for (SweepDimension d : sweep) {
      if (d instanceof SweepDimension.Sysctl s && cell.containsKey(d.label())) {
        sysctls.computeIfAbsent(s.node(), n -> new LinkedHashMap<>()).put(s.key(), cell.get(d.label()));
      }
    }
    return new LabSpec(lab.topology(), lab.clients(), lab.snatPorts(), sysctls, lab.ttl());
  }

  /** A step's parameters in one cell: the file's, with the cell's values of the parameters in {@code known}. */
  public Map<String, String> paramsIn(Step step, Map<String, String> cell, Set<String> known) {
    Map<String, String> params = new LinkedHashMap<>(step.params());
    for (SweepDimension d : sweep) {
      if (d instanceof SweepDimension.Param p && known.contains(p.name()) && cell.containsKey(d.label())) {
        params.put(p.name(), cell.get(d.label()));
      }
    }
    return params;
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

  /**
   * One scenario run and its expectations; {@code programs}: a student's programs that replace
   * the scenario's own in this run, by the scenario's slot.
   */
  public record Step(String scenario, Map<String, String> params, List<Expect> expects, Map<String, Program> programs) {
    public Step {
      params = Map.copyOf(params);
      expects = List.copyOf(expects);
      programs = Map.copyOf(programs);
    }

    public Step(String scenario, Map<String, String> params, List<Expect> expects) {
      this(scenario, params, expects, Map.of());
    }

    public List<Expectation> expectations() {
      return expects.stream().map(Expect::expectation).toList();
    }

    /** The expectations that apply in a sweep's cell (all of them without a sweep). */
    public List<Expectation> expectationsIn(Map<String, String> cell) {
      return expects.stream().filter(e -> e.appliesIn(cell)).map(Expect::expectation).toList();
    }
  }

  /**
   * An expectation, the sweep cells it applies in (those whose values include {@code where}) and,
   * in an assignment, how it is marked.
   */
  public record Expect(Expectation expectation, Map<String, String> where, Mark mark) {
    public Expect {
      where = Map.copyOf(where);
    }

    public boolean appliesIn(Map<String, String> cell) {
      return where.entrySet().stream().allMatch(w -> w.getValue().equals(cell.get(w.getKey())));
    }
  }
}
