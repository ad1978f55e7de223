package io.twlab.runtime;

import io.twlab.core.ExecResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

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

  List<ContainerInfo> containers(String labelKey, String labelValue);

  List<NetworkInfo> networks(String labelKey, String labelValue);

  void removeContainer(String containerId);

  /** Removes every container, then every network, that has the label; returns how many objects. */
  int removeLabelled(String labelKey, String labelValue);

  @Override
  void close();

  /**
   * {@code networks}: the first is the container's network mode ({@link #NO_NETWORK} for none), it
   * joins the others after. {@code confinement}: its limits and the only capabilities it has.
   */
  record ContainerRequest(String name, String image, List<String> networks, Map<String, String> labels,
      Map<String, String> sysctls, Map<String, String> env, List<String> command, Confinement confinement) {
    public static final String NO_NETWORK = "none";

    public ContainerRequest {
      networks = List.copyOf(networks);
    }
  }

  record ContainerInfo(String id, String name, boolean running, Map<String, String> labels) {}

  record NetworkInfo(String id, String name, String subnet, Map<String, String> labels) {}

  /** A running streamed command; closing it stops delivery and the command. */
  interface ExecStream extends AutoCloseable {
    @Override
    void close();
  }
}
