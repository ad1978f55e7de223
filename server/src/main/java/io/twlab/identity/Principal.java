package io.twlab.identity;

import java.util.Optional;

/** Who a credential speaks for; a student belongs to one workshop. */
public record Principal(String id, Role role, String name, Optional<String> workshopId) {
  /** The caller of a server that runs without authentication (loopback only). */
  public static final Principal DEVELOPER = new Principal("developer", Role.ADMIN, "developer (no authentication)");

  public Principal(String id, Role role, String name) {
    this(id, role, name, Optional.empty());
  }
}
