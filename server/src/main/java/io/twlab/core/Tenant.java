package io.twlab.core;

/**
 * Whose a lab or a run is: the principal that made it, and the workshop it was made in (empty when
 * none). Kept in the lab's Docker labels and the run history, so that it survives a restart.
 */
public record Tenant(String owner, String workshop) {
  /** What was made before twlab had identities: only the admin sees it. */
  public static final Tenant NOBODY = new Tenant("", "");

  public Tenant {
    owner = owner == null ? "" : owner;
    workshop = workshop == null ? "" : workshop;
  }
}
