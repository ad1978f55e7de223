package io.twlab.grading;

import io.twlab.grading.GradeReport.StepGrade;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.Run;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A sweep graded: the experiment once per cell, each in its own lab, and the table that compares them. */
public record SweepReport(String experiment, List<SweepDimension> dimensions, List<Cell> cells, Instant startedAt,
    Instant finishedAt) {

  public SweepReport {
    dimensions = List.copyOf(dimensions);
    cells = List.copyOf(cells);
  }

  /** One cell: its values (dimension label → value) and its experiment's grade. */
  public record Cell(Map<String, String> values, GradeReport report) {
    public Cell {
      values = Map.copyOf(values);
    }
  }

  public boolean passed() {
    return cells.stream().allMatch(c -> c.report().passed());
  }

  /** Rows of strings under named columns. */
  public record Table(List<String> columns, List<List<String>> rows) {
    public Table {
      columns = List.copyOf(columns);
      rows = rows.stream().map(List::copyOf).toList();
    }
  }

  /**
   * One row per cell: the cell's values, each run's connections (succeeded/attempted, when the
   * scenario made any), each expectation's observation marked ✓ or ✗ (empty where it does not
   * apply), and the cell's verdict.
   */
  public Table table() {
    List<String> columns = new ArrayList<>(dimensions.stream().map(SweepDimension::title).toList());
    int runs = cells.isEmpty() ? 0 : cells.get(0).report().steps().size();
    List<List<String>> expectations = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      String prefix = runs == 1 ? "" : "run " + (i + 1) + " ";
      columns.add(prefix + "connected");
      Set<String> described = new LinkedHashSet<>();
      for (Cell cell : cells) {
        cell.report().steps().get(i).verdicts().forEach(v -> described.add(v.expectation().describe()));
      }
      expectations.add(List.copyOf(described));
      described.forEach(d -> columns.add(prefix + d));
    }
    columns.add("verdict");
    List<List<String>> rows = new ArrayList<>();
    for (Cell cell : cells) {
      List<String> row = new ArrayList<>(dimensions.stream().map(d -> cell.values().getOrDefault(d.label(), "")).toList());
      for (int i = 0; i < runs; i++) {
        GradeReport.StepGrade step = cell.report().steps().get(i);
        row.add(connected(step.run()));
        for (String described : expectations.get(i)) {
          row.add(step.verdicts().stream().filter(v -> v.expectation().describe().equals(described)).findFirst()
              .map(v -> (v.passed() ? "✓ " : "✗ ") + v.observed()).orElse(""));
        }
      }
      row.add(cell.report().passed() ? "passed" : "FAILED");
      rows.add(row);
    }
    return new Table(columns, rows);
  }

  private static String connected(Run run) {
    if (run.error().isPresent()) {
      return "run failed";
    }
    List<LoadReport> loads = run.result().map(r -> r.outcome().loads()).orElse(List.of());
    if (loads.isEmpty()) {
      return "-";
    }
    return loads.stream().mapToLong(LoadReport::succeeded).sum() + "/" + loads.stream().mapToLong(LoadReport::attempted).sum();
  }
}
