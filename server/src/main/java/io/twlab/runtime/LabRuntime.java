package io.twlab.runtime;

import io.twlab.core.ExecResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * What twlab needs from a container engine. Every object carries labels so that a restarted
 * control plane can find, re-adopt or remove what an earlier one made.
 */
public interface LabRuntime extends AutoCloseable {

  boolean imageExists(String image);

  /** Subnets (CIDR) of every network the engine has, ours or not. */
  Set<String> usedSubnets();

  /**
   * Creates a network its containers use among themselves only: no egress, and no address of the
   * host on it, so that a container reaches neither the host nor anything the host serves. Fails if
   * the subnet overlaps an existing one.
   */
  String createNetwork(String name, String subnet, Map<String, String> labels);

  /** Creates and starts a container, joined to every network of the request. */
  String startContainer(ContainerRequest request);

  /**
   * Creates and starts a container that runs one program in the network namespace of another
   * container (and nothing else of it), with {@code request.files()} put read-only under {@code
   * request.directory()} before it starts. Its output is kept, bounded, for {@link #logs}.
   */
  String startProgram(ProgramRequest request);

  /**
   * Starts a terminal: a container that shares the network namespace of {@code request.joins()}
   * (and nothing else of it) and runs {@code request.command()} as {@code request.user()}, on a
   * pseudo-terminal when {@code request.tty()}. Its output goes to {@code output} as it comes;
   * {@code ended} gets its exit status (-1 when it was closed) once, when it has ended. What it
   * prints is kept nowhere else. Closing the terminal removes its container.
   */
  Terminal startTerminal(TerminalRequest request, Consumer<byte[]> output, IntConsumer ended);

  /**
   * Whether a container still runs, or how it ended; {@link ContainerGone} when it does not exist.
   * Any other failure says nothing of the container (the engine may not answer).
   */
  ContainerState state(String containerId);

  /** The last {@code lines} lines a program's container wrote, standard output and error together. */
  String logs(String containerId, int lines);

  /** Kills a container's processes (SIGKILL) if it still runs; it stays until removed. */
  void kill(String containerId);

  /** The host's process id of a container's first process (its namespaces are that process's). */
  long pid(String containerId);

  /** Address of a container on each network it joined, by network name. */
  Map<String, String> addresses(String containerId);

  /** Runs a command to completion (bounded by {@code timeout}) and returns its output. */
  default ExecResult exec(String containerId, List<String> command, Duration timeout) {
    return exec(containerId, command, timeout, line -> { });
  }

  /** Like {@link #exec(String, List, Duration)}, also handing each stdout line to {@code lines} as it comes. */
  ExecResult exec(String containerId, List<String> command, Duration timeout, Consumer<String> lines);

  /** Starts a command that outlives this call; its output is discarded. */
  void execDetached(String containerId, List<String> command);

  /** Runs a command and hands each line of its standard output to {@code lines} while it runs. */
  ExecStream execStream(String containerId, List<String> command, Consumer<String> lines);

  /**
   * Runs a command that reads lines from the returned channel and hands each line it writes
   * (standard output and error) to {@code lines} while it runs; {@code ended} runs once when it has ended.
   */
  ExecChannel execChannel(String containerId, List<String> command, Consumer<String> lines, Runnable ended);

  /**
   * Runs a command and hands its standard output to {@code bytes} as it comes, unsplit (a pcap
   * stream), and each line of its standard error to {@code errors}; {@code ended} runs once when the
   * command has ended, whether by itself or by the stream's close.
   */
  ExecStream execBytes(String containerId, List<String> command, Consumer<byte[]> bytes, Consumer<String> errors,
      Runnable ended);

  List<ContainerInfo> containers(String labelKey, String labelValue);

  List<NetworkInfo> networks(String labelKey, String labelValue);

  void removeContainer(String containerId);

  /** Removes every container, then every network, that has the label; returns how many objects. */
  int removeLabelled(String labelKey, String labelValue);

  /** The calls made to the engine so far, by kind (the server's metrics); none for an engine that makes none. */
  default List<EngineCall> engineCalls() {
    return List.of();
  }

  @Override
  void close();

  /**
   * {@code networks}: the first is the container's network mode ({@link #NO_NETWORK} for none), it
   * joins the others after. {@code confinement}: its limits and the only capabilities it has.
   * {@code hostProcesses}: it sees every process of the host (the host observer, to reach each
   * node's network namespace).
   */
  record ContainerRequest(String name, String image, List<String> networks, Map<String, String> labels,
      Map<String, String> sysctls, Map<String, String> env, List<String> command, Confinement confinement,
      boolean hostProcesses) {
    public static final String NO_NETWORK = "none";

    public ContainerRequest {
      networks = List.copyOf(networks);
    }

    public ContainerRequest(String name, String image, List<String> networks, Map<String, String> labels,
        Map<String, String> sysctls, Map<String, String> env, List<String> command, Confinement confinement) {
      this(name, image, networks, labels, sysctls, env, command, confinement, false);
    }
  }

  /**
   * A program's container: {@code joins} is the container whose network namespace it shares,
   * {@code user} the uid:gid it runs as, {@code files} the files (name → bytes) of its directory.
   */
  record ProgramRequest(String name, String image, String joins, Map<String, String> labels, Map<String, String> env,
      List<String> command, String user, String directory, Map<String, byte[]> files, Confinement confinement) {
    public ProgramRequest {
      env = Map.copyOf(env);
      command = List.copyOf(command);
      files = Map.copyOf(files);
    }
  }

  /** A terminal's container; {@code columns} and {@code rows}: its first window size. */
  record TerminalRequest(String name, String image, String joins, Map<String, String> labels, Map<String, String> env,
      List<String> command, String user, boolean tty, int columns, int rows, Confinement confinement) {
    public TerminalRequest {
      labels = Map.copyOf(labels);
      env = Map.copyOf(env);
      command = List.copyOf(command);
    }
  }

  /** A running terminal: its input, its window, and its end. */
  interface Terminal extends AutoCloseable {
    /** Queues input; refused (false) when the terminal reads it more slowly than it comes. */
    boolean write(byte[] input);

    /** Ends its input, as Ctrl-D at the start of a line does for a script. */
    void endInput();

    void resize(int columns, int rows);

    /** Ends it and removes its container. */
    @Override
    void close();
  }

  /** A container's state: running, or ended with {@code exitCode} ({@code outOfMemory}: killed by the kernel's OOM killer). */
  record ContainerState(boolean running, int exitCode, boolean outOfMemory) {}

  record ContainerInfo(String id, String name, boolean running, Map<String, String> labels) {}

  record NetworkInfo(String id, String name, String subnet, Map<String, String> labels) {}

  /** A running streamed command; closing it stops delivery and the command. */
  interface ExecStream extends AutoCloseable {
    @Override
    void close();
  }

  /** A streamed command that also reads what is sent to it. */
  interface ExecChannel extends ExecStream {
    /** Queues one line of input; refused (false) when the command reads more slowly than lines come. */
    boolean send(String line);
  }
}
