package io.twlab.core;

/** A lab, run or scenario that does not exist (or no longer does). */
public final class NotFoundException extends RuntimeException {
  private final String kind;
  private final String id;

  public NotFoundException(String kind, String id, String hint) {
    super(kind + " " + Bounded.quote(id) + " does not exist; " + hint);
    this.kind = kind;
    this.id = id;
  }

  public String kind() {
    return kind;
  }

  public String id() {
    return id;
  }
}
