package io.twlab.scenario;

import java.util.List;

/**
 * A program of a scenario that a student's may replace, and what the replacement must do: the
 * node it runs on (in that node's network namespace), the arguments it gets, when it counts as
 * ready, and how it ends. A scenario declares each once; the same scenario then runs with its
 * built-in program or the student's.
 *
 * @param slot what assignments call it (e.g. {@code server})
 * @param runsOn the node whose network it uses, in words (e.g. {@code the lab's first client})
 * @param replaces the built-in program it replaces
 * @param args the arguments it is started with, in order, as words (e.g. {@code PORT})
 * @param readiness when it counts as started; empty for a program that is waited for to its end
 * @param contract what it must do, for the student
 */
public record ProgramContract(String slot, String runsOn, String replaces, List<String> args, String readiness,
    String contract) {
  public ProgramContract {
    args = List.copyOf(args);
  }

  /** A program the run waits for until it exits by itself (a client). */
  public boolean runsToItsEnd() {
    return readiness.isEmpty();
  }
}
