package io.twlab.app;

import io.twlab.grading.Assignment;
import io.twlab.grading.AssignmentReader;
import io.twlab.store.CourseStore;
import io.twlab.store.CourseStore.StoredAssignment;
import io.twlab.sysctl.SysctlPolicy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The assignments' versions, each read from its file once: a version never changes, so what was
 * read stays right. Every view of a job, every watch of one and every grading reads its version
 * here, instead of the store and the YAML reader each time.
 */
public final class AssignmentVersions {
  /** Versions kept read; beyond this the cache starts again (each version is read again once). */
  private static final int KEPT = 1_000;

  private final CourseStore store;
  private final SysctlPolicy policy;
  private final Map<String, Read> read = new ConcurrentHashMap<>();

  /** A version as stored, and as read. */
  public record Read(StoredAssignment stored, Assignment assignment) {}

  public AssignmentVersions(CourseStore store, SysctlPolicy policy) {
    this.store = store;
    this.policy = policy;
  }

  /** An assignment file not stored yet, read (and refused naming every bad field). */
  Assignment parse(String text) {
    return AssignmentReader.read(text, policy);
  }

  /** The version of the assignment a job names; empty when the store has no such version. */
  Optional<Read> version(String id, int version) {
    String key = id + "@" + version;
    Read known = read.get(key);
    if (known != null) {
      return Optional.of(known);
    }
    return store.assignment(id, version).map(this::read);
  }

  /** A stored version, read. */
  Read read(StoredAssignment stored) {
    if (read.size() >= KEPT) {
      read.clear();
    }
    return read.computeIfAbsent(stored.id() + "@" + stored.version(), k -> new Read(stored, parse(stored.text())));
  }
}
