package io.twlab.scenario.kit;

import io.twlab.core.TcpState;
import io.twlab.scenario.Program;
import io.twlab.scenario.ProgramContract;
import io.twlab.scenario.ProgramExit;
import io.twlab.scenario.ProgramFailure;
import io.twlab.scenario.ProgramReport;
import io.twlab.scenario.RunningProgram;
import io.twlab.scenario.ScenarioContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Runs a student's program in a slot, as a scenario's built-in program would run: a server until
 * it listens, a client to its end. Whatever keeps the run from going on (it never listened, ran
 * past its time limit, was killed for memory) fails the run with a message that says what the
 * program did and shows its last lines.
 */
public final class StudentPrograms {
  /** Python on a busy host may take seconds to start (see {@link ConnServer}). */
  private static final Duration LISTEN_WAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(300);

  private StudentPrograms() {}

  /** Starts a server program on {@code node} and waits until it listens on {@code port}. */
  public static RunningProgram listening(ScenarioContext ctx, ProgramContract slot, Program program, String node,
      int port, List<String> args) throws InterruptedException {
    Instant startedAt = Instant.now();
    RunningProgram running = ctx.start(slot, program, node, args);
    long deadline = System.nanoTime() + Math.min(LISTEN_WAIT.toNanos(), program.timeLimit().toNanos());
    while (System.nanoTime() < deadline) {
      if (ctx.sockets().poll(POLL, c -> c.node().equals(node) && c.to() == TcpState.LISTEN
          && c.socket().localPort(port) && !c.time().isBefore(startedAt)).isPresent()) {
        return running;
      }
      if (running.exited().isPresent()) {
        throw failure(slot, program, running, running.exited().get(), "before it listened on port " + port);
      }
    }
    throw failure(slot, program, running, running.stop(), "because it did not listen on port " + port + " within "
        + Math.min(LISTEN_WAIT.toSeconds(), program.timeLimit().toSeconds()) + " s");
  }

  /** Runs a client program on {@code node} to its end, within its time limit. */
  public static ProgramReport toItsEnd(ScenarioContext ctx, ProgramContract slot, Program program, String node,
      List<String> args) throws InterruptedException {
    RunningProgram running = ctx.start(slot, program, node, args);
    ctx.progress("program", "waiting for the submitted " + slot.slot() + " to end (at most "
        + program.timeLimit().toSeconds() + " s)");
    ProgramExit exit = running.await(program.timeLimit());
    if (exit.killed()) {
      throw failure(slot, program, running, exit, "");
    }
    return report(slot, program, running, exit);
  }

  /**
   * What a server program did by the end of its run: it must still be serving. It is not stopped
   * here: the sockets it holds now are the run's end, and twlab removes it once the run has ended.
   */
  public static ProgramReport stillServing(ProgramContract slot, Program program, RunningProgram running) {
    Optional<ProgramExit> exit = running.exited();
    if (exit.isPresent()) {
      throw failure(slot, program, running, exit.get(), "while the run still needed it; a server must keep serving "
          + "until twlab stops it");
    }
    return new ProgramReport(slot.slot(), program.language().id(), program.size(), "was still serving when the run "
        + "ended", running.output());
  }

  private static ProgramReport report(ProgramContract slot, Program program, RunningProgram running, ProgramExit exit) {
    return new ProgramReport(slot.slot(), program.language().id(), program.size(), exit.describe(),
        running.output());
  }

  private static ProgramFailure failure(ProgramContract slot, Program program, RunningProgram running,
      ProgramExit exit, String when) {
    String output = running.output();
    return new ProgramFailure("the submitted " + slot.slot() + " program (" + program.language().id() + ") "
        + exit.describe() + (when.isEmpty() ? "" : " " + when) + "; " + slot.contract()
        + (output.isEmpty() ? "; it wrote nothing" : "; its last output:\n" + output));
  }

}
