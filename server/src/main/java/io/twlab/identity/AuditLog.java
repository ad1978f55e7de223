package io.twlab.identity;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The audit log, newest first; entries are only ever added. */
public interface AuditLog {

  void record(AuditEntry entry);

  /**
   * Up to {@code limit} entries, newest first: every one ({@code about} empty), or those made by
   * {@code about.principals} or in {@code about.workshops}.
   */
  List<AuditEntry> read(Optional<Whose> about, int limit);

  /** Whose entries to read: those the principals made, and those made in the workshops. */
  record Whose(Set<String> principals, Set<String> workshops) {
    public Whose {
      principals = Set.copyOf(principals);
      workshops = Set.copyOf(workshops);
    }
  }
}
