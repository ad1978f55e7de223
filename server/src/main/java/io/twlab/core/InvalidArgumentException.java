package io.twlab.core;

import java.util.List;
import java.util.stream.Collectors;

/** A request was refused before anything was created; every bad field is named. */
public final class InvalidArgumentException extends RuntimeException {
  private final transient List<FieldViolation> violations;

  public InvalidArgumentException(List<FieldViolation> violations) {
    super(violations.stream().map(v -> v.field() + ": " + v.reason()).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public InvalidArgumentException(String field, String reason) {
    this(List.of(new FieldViolation(field, reason)));
  }

  public List<FieldViolation> violations() {
    return violations;
  }

  /** The same refusal with every field named inside {@code parent}: {@code clients} becomes {@code spec.clients}. */
  public InvalidArgumentException under(String parent) {
    return new InvalidArgumentException(violations.stream()
        .map(v -> new FieldViolation(parent + "." + v.field(), v.reason())).toList());
  }
}
