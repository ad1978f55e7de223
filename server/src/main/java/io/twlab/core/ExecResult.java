package io.twlab.core;

/** What a command run to completion in a container printed and returned. */
public record ExecResult(int exitCode, String stdout, String stderr) {
  public boolean ok() {
    return exitCode == 0;
  }
}
