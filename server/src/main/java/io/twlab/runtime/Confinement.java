package io.twlab.runtime;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a container may use and do; everything else is denied. Every capability of the engine's
 * default set is dropped, {@code capabilities} are added back; no process gains privileges by
 * exec (no-new-privileges). CPU is a quota of CPUs: whole ones for lab nodes, so that a flood still
 * runs at full speed while the host keeps a core; a share of one for a student's program. A
 * read-only root gets a small tmpfs at /tmp for scratch.
 */
public record Confinement(long memoryBytes, long pids, double cpus, Set<String> capabilities, boolean readOnlyRoot) {
  public static final long MIB = 1024L * 1024;
  /** The tmpfs of a read-only root. */
  public static final String SCRATCH = "/tmp";
  public static final long SCRATCH_BYTES = 16 * MIB;

  public Confinement {
    if (memoryBytes < 8 * MIB || pids < 8 || cpus < 0.1) {
      throw new IllegalArgumentException("a container needs at least 8 MiB, 8 processes and a tenth of a CPU; got "
          + memoryBytes / MIB + " MiB, " + pids + " processes, " + cpus + " CPUs");
    }
    capabilities = Collections.unmodifiableSortedSet(new TreeSet<>(capabilities));
  }

  /** The same limits with {@code more} capabilities added back. */
  public Confinement with(Set<String> more) {
    Set<String> all = new TreeSet<>(capabilities);
    all.addAll(more);
    return new Confinement(memoryBytes, pids, cpus, all, readOnlyRoot);
  }
}
