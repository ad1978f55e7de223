package io.twlab.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What one caller may hold at once: labs, the nodes of those labs, runs in progress, open event
 * streams, cells in one sweep, and open shells. A workshop sets them for its seats; an instructor has the staff's; the admin has none (the
 * server's own limits still hold).
 */
public record Limits(int labs, int nodes, int runs, int watchers, int sweepCells, int shells) {
  public static final Limits NONE = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
      Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
  /** A workshop seat's, unless its instructor chose others: two NAT labs of up to five clients. */
  public static final Limits SEAT = new Limits(2, 16, 1, 8, 24, 2);
  /** An instructor's: enough to demonstrate, grade and watch a class. */
  public static final Limits STAFF = new Limits(10, 80, 4, 32, 200, 4);
  /** A grading platform's: it submits to its assignment and follows its jobs, and makes no labs or runs. */
  public static final Limits SUBMIT_ONLY = new Limits(0, 0, 0, 8, 0, 0);
  public static final int MAX = 1_000;

  /** The limits that are out of range, named by {@code prefix} + the limit's name. */
  public List<FieldViolation> violations(String prefix) {
    List<FieldViolation> bad = new ArrayList<>();
    check(bad, prefix + "labs", labs);
    check(bad, prefix + "nodes", nodes);
    check(bad, prefix + "runs", runs);
    check(bad, prefix + "watchers", watchers);
    check(bad, prefix + "sweep_cells", sweepCells);
    check(bad, prefix + "shells", shells);
    return bad;
  }

  private static void check(List<FieldViolation> bad, String field, int value) {
    if (value < 1 || value > MAX) {
      bad.add(new FieldViolation(field, "must be 1 to " + MAX + ", got " + value));
    }
  }
}
