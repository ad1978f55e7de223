package io.twlab.identity;

/** Who a credential speaks for. */
public record Principal(String id, Role role, String name) {
  /** The caller of a server that runs without authentication (loopback only). */
  public static final Principal DEVELOPER = new Principal("developer", Role.ADMIN, "developer (no authentication)");
}
