package io.twlab.scenario;

/**
 * How a student's program ended: its exit status; whether the kernel killed it for using more
 * memory than its container has ({@code memoryMiB}); whether it was killed because it ran past its
 * time limit; or killed by twlab when the run no longer needed it.
 */
public record ProgramExit(int status, boolean outOfMemory, boolean pastTimeLimit, boolean stoppedByTwlab,
    long memoryMiB, long timeLimitSeconds) {
  /** 128 + SIGKILL. */
  private static final int KILLED = 137;

  /** Killed before it could finish its work: past its time limit, or by the kernel (or itself) with SIGKILL. */
  public boolean killed() {
    return pastTimeLimit || outOfMemory || status == KILLED && !stoppedByTwlab;
  }

  /** Words for the student: "exited with status 3", "was killed: out of memory (64 MiB)", … */
  public String describe() {
    if (pastTimeLimit) {
      return "ran past its time limit of " + timeLimitSeconds + " s and was killed";
    }
    if (outOfMemory) {
      return "was killed by the kernel: it used more than its " + memoryMiB + " MiB of memory";
    }
    if (stoppedByTwlab) {
      return "was stopped by twlab";
    }
    if (status == KILLED) {
      // The engine does not always flag an OOM kill (cgroup v2); the program may have killed itself too.
      return "was killed (SIGKILL), most likely by the kernel for using more than its " + memoryMiB + " MiB of memory";
    }
    if (status > 128) {
      return "was killed by signal " + (status - 128);
    }
    return "exited with status " + status;
  }
}
