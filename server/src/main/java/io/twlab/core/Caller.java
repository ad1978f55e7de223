package io.twlab.core;

import java.util.Set;

/**
 * A caller as the use cases see them: whose things are theirs ({@code self}), what else they see,
 * and their limits. The admin sees everything; anyone else what they made, and an instructor also
 * every seat of the workshops they teach, which they may watch and end but not run in. What a
 * caller does not see does not exist for them ({@link NotFoundException}). A workshop may narrow
 * the scenarios its students run ({@code scenarios}; empty: all), and let a lab being graded accept
 * their shells ({@code shellsWhileGraded}).
 */
public record Caller(Tenant self, boolean everything, Set<String> teaches, Limits limits, Set<String> scenarios,
    boolean shellsWhileGraded) {
  public Caller {
    teaches = Set.copyOf(teaches);
    scenarios = Set.copyOf(scenarios);
  }

  /** The admin, or the developer of a server without authentication. */
  public static Caller admin(String id) {
    return new Caller(new Tenant(id, ""), true, Set.of(), Limits.NONE, Set.of(), false);
  }

  public boolean mayRun(String scenario) {
    return scenarios.isEmpty() || scenarios.contains(scenario);
  }

  public boolean sees(Tenant tenant) {
    return everything || owns(tenant) || !tenant.workshop().isEmpty() && teaches.contains(tenant.workshop());
  }

  public boolean owns(Tenant tenant) {
    return everything || !self.owner().isEmpty() && self.owner().equals(tenant.owner());
  }
}
