package io.twlab.grading;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How an assignment marks one of its checks: its name in reports, its points, the feedback a
 * student reads when it does not pass, and when a student may see it.
 */
public record Mark(String name, double points, String feedback, Visibility visibility) {
  public static final double MAX_POINTS = 1_000;
  /** A check of a plain experiment: one point, named by its expectation, always visible. */
  public static final Mark PLAIN = new Mark("", 1, "", Visibility.VISIBLE);

  /** When a student sees a check (and its result): always, never, or once the due date passed. */
  public enum Visibility {
    VISIBLE, HIDDEN, AFTER_DUE_DATE;

    /** As files and reports spell it: visible, hidden, after_due_date. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Visibility> of(String id) {
      return Arrays.stream(values()).filter(v -> v.id().equals(id.trim())).findFirst();
    }
  }
}
