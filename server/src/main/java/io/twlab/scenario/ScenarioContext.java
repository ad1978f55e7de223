package io.twlab.scenario;

import io.twlab.core.ExecResult;
import io.twlab.core.KernelCounters;
import io.twlab.core.TcpState;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** What a running scenario may do in its lab. */
public interface ScenarioContext {

  Lab lab();

  /** A node of the lab or one this run added. */
  LabNode node(String name);

  /** Runs a command on a node to completion, bounded by {@code timeout}. */
  default ExecResult exec(String node, List<String> command, Duration timeout) {
    return exec(node, command, timeout, line -> { });
  }

  /** Like {@link #exec(String, List, Duration)}, handing each stdout line to {@code lines} as it comes. */
  ExecResult exec(String node, List<String> command, Duration timeout, Consumer<String> lines);

  /** Starts a long-running command on a node; the scenario must stop it before it returns. */
  void start(String node, List<String> command);

  /**
   * Adds a node for this run only, with its own sysctls (they can only be set when a container
   * is created: docs/kernel-facts.md §2). It is observed like the others and removed when the run ends.
   */
  LabNode addNode(RunNode request);

  /** Removes a node this run added, before the run ends (e.g. one per cell of a sysctl matrix). */
  void removeNode(String name);

  /** The student's program for the slot in this run, when the run was given one. */
  Optional<Program> program(ProgramContract slot);

  /**
   * Starts a student's program for the slot on {@code node}, in a container of its own that shares
   * only the node's network; it is removed once the run has ended (so what it holds at the end is
   * the run's end).
   */
  RunningProgram start(ProgramContract slot, Program program, String node, List<String> args);

  /** Every socket change observed in the lab since this run started. */
  SocketRecorder sockets();

  /** A node's sockets per state now (LISTEN aside), as of its latest sample. */
  Map<TcpState, Integer> counts(String node);

  /** A node's kernel counters now (plus conntrack statistics on a NAT gateway). */
  KernelCounters counters(String node);

  void progress(String phase, String message);

  /** Progress of a counting phase: {@code done} of {@code total} connections. */
  void progress(String phase, String message, long done, long total);

  /**
   * A node to add for one run: named {@code name}, on the same networks and with the same role as
   * the lab's node {@code like}, with its sysctls and then these.
   */
  record RunNode(String name, String like, Map<String, String> sysctls, boolean netAdmin) {
    public RunNode {
      sysctls = Map.copyOf(sysctls);
    }
  }
}
