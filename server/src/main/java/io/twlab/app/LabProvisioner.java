package io.twlab.app;

import io.twlab.core.ExecResult;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.Tenant;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.LabSpec;
import io.twlab.lab.LabStatus;
import io.twlab.lab.NodePlan;
import io.twlab.lab.PortRange;
import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;
import io.twlab.runtime.Confinement;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerInfo;
import io.twlab.runtime.LabRuntime.ContainerRequest;
import io.twlab.runtime.RuntimeFailure;
import io.twlab.scenario.Program;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioContext.RunNode;
import io.twlab.sysctl.SysctlPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a lab spec into networks and running nodes, and a lab's labels back into a {@link Lab}. */
final class LabProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(LabProvisioner.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
  private static final String LOCAL_PORT_RANGE = "net.ipv4.ip_local_port_range";
  /** Containers made for one node at most, when the engine's own socket sits in its port range. */
  private static final int NODE_ATTEMPTS = 4;
  /** The user a student's program runs as: nobody, in nogroup. */
  private static final String NOBODY = "65534:65534";
  /** Until the lab's observer has started and knows how it observes. */
  private static final String UNOBSERVED = "";

  private final LabRuntime runtime;
  private final ServerSettings settings;
  private final SysctlPolicy policy;
  private final SubnetAllocator subnets;

  LabProvisioner(LabRuntime runtime, ServerSettings settings, SysctlPolicy policy) {
    this.runtime = runtime;
    this.settings = settings;
    this.policy = policy;
    this.subnets = new SubnetAllocator(settings.subnetPool(), runtime::usedSubnets);
  }

  /**
   * Creates every object of the lab, the networks at once and then the nodes at once (the engine
   * makes independent objects in parallel); if any step fails, removes what it made and rethrows.
   */
  Lab create(String labId, Tenant tenant, LabSpec spec, Instant now) {
    List<String> networkNames = Topologies.networks(spec.topology());
    List<String> allocated = subnets.allocate(networkNames.size());
    try {
      Map<String, String> networkSubnets = new LinkedHashMap<>();
      List<Supplier<String>> networks = new ArrayList<>();
      for (int i = 0; i < networkNames.size(); i++) {
        Map<String, String> labels = new LinkedHashMap<>(LabLabels.lab(settings.owner(), labId));
        labels.put(LabLabels.NETWORK, networkNames.get(i));
        String name = dockerName(labId, networkNames.get(i));
        String subnet = allocated.get(i);
        networks.add(() -> runtime.createNetwork(name, subnet, labels));
        networkSubnets.put(networkNames.get(i), subnet);
      }
      concurrently(networks);
      Instant expires = now.plus(spec.ttl());
      List<Supplier<LabNode>> starts = new ArrayList<>();
      for (NodePlan plan : Topologies.plan(spec)) {
        ContainerRequest request = new ContainerRequest(
            dockerName(labId, plan.name()),
            settings.image(plan.role().id()),
            plan.networks().stream().map(n -> dockerName(labId, n)).toList(),
            LabLabels.node(settings.owner(), labId, tenant, plan.name(), plan.role().id(), spec, now, expires),
            plan.sysctls(),
            Map.of("TWLAB_LAB", labId, "TWLAB_NODE", plan.name()),
            List.of(String.valueOf(expires.getEpochSecond())),
            settings.nodes().with(plan.role().capabilities(false)));
        starts.add(() -> facts(labId, new LabNode(plan.name(), plan.role(), startNode(plan.name(), request), Map.of(),
            Map.of())));
      }
      List<LabNode> nodes = concurrently(starts);
      Lab lab = new Lab(labId, tenant, spec, LabStatus.READY, nodes, networkSubnets, now, expires,
          UNOBSERVED);
      if (spec.topology() == TopologyKind.NAT) {
        for (List<String> rule : Topologies.gatewayRules(lab)) {
          check("gateway", rule, runtime.exec(lab.node("gateway").containerId(), rule, COMMAND_TIMEOUT));
        }
      }
      return lab;
    } catch (RuntimeException e) {
      LOG.warn("lab={} creation failed, removing what was made: {}", labId, e.getMessage());
      remove(labId);
      throw e;
    } finally {
      subnets.release(allocated);
    }
  }

  /**
   * Starts a node for one run, on the networks and with the role of the lab's node {@code like},
   * with its own sysctls; it stops by itself at the lab's expiry.
   */
  LabNode addRunNode(Lab lab, String runId, ScenarioContext.RunNode request, Instant now) {
    NodePlan like = Topologies.plan(lab.spec()).stream().filter(p -> p.name().equals(request.like())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("lab " + lab.id() + " has no node " + request.like()));
    Map<String, String> asked = inherited(like, request);
    List<FieldViolation> refused = policy.check("run_nodes." + request.name() + ".sysctls", asked);
    if (!refused.isEmpty()) {
      throw new InvalidArgumentException(refused);
    }
    Map<String, String> sysctls = policy.normalised(asked);
    String containerId = startNode(request.name(), new ContainerRequest(
        dockerName(lab.id(), runId + "-" + request.name()),
        settings.image(like.role().id()),
        like.networks().stream().map(n -> dockerName(lab.id(), n)).toList(),
        LabLabels.runNode(settings.owner(), lab.id(), request.name(), like.role().id(), runId),
        sysctls,
        Map.of("TWLAB_LAB", lab.id(), "TWLAB_NODE", request.name()),
        List.of(String.valueOf(lab.expiresAt().getEpochSecond())),
        settings.nodes().with(like.role().capabilities(request.netAdmin()))));
    return facts(lab.id(), new LabNode(request.name(), like.role(), containerId, Map.of(), Map.of()));
  }

  /**
   * Starts a student's program for one run in the network namespace of {@code node}, as nobody
   * with every capability dropped, on a read-only root, with its own small limits, so that it can
   * neither starve the node's observers nor reach anything the node cannot. Labelled like a run
   * node, so that the run's end (or the lab's) removes it. Returns its container.
   */
  String startProgram(Lab lab, String runId, LabNode node, String slot, Program program, List<String> args) {
    List<String> command = new ArrayList<>(program.language().command());
    command.addAll(args);
    Map<String, String> labels = new LinkedHashMap<>(LabLabels.runNode(settings.owner(), lab.id(), "program-" + slot,
        node.role().id(), runId));
    labels.put(LabLabels.PROGRAM, slot);
    return runtime.startProgram(new LabRuntime.ProgramRequest(
        dockerName(lab.id(), runId + "-program-" + slot),
        settings.image(node.role().id()),
        node.containerId(),
        labels,
        Map.of("TWLAB_LAB", lab.id(), "TWLAB_NODE", node.name(), "TWLAB_SLOT", slot),
        command,
        NOBODY,
        Program.DIRECTORY,
        Map.of(program.language().file(), program.code()),
        ServerSettings.PROGRAM));
  }

  /**
   * Starts a shell's terminal in {@code node}'s network namespace, as {@link Shells#USER} without
   * capabilities, with the node's own tools. Labelled with the lab, so that the lab's end removes it.
   */
  LabRuntime.Terminal startShell(Lab lab, LabNode node, String shellId, boolean tty, int columns, int rows,
      Consumer<byte[]> output, IntConsumer ended) {
    Map<String, String> labels = new LinkedHashMap<>(LabLabels.lab(settings.owner(), lab.id()));
    labels.put(LabLabels.SHELL, shellId);
    return runtime.startTerminal(new LabRuntime.TerminalRequest(
        dockerName(lab.id(), shellId),
        settings.image(node.role().id()),
        node.containerId(),
        labels,
        Map.of("TWLAB_LAB", lab.id(), "TWLAB_NODE", node.name(), "TERM", "xterm-256color", "HOME", Confinement.SCRATCH,
            "LANG", "C.UTF-8"),
        tty ? List.of("/bin/bash", "-i") : List.of("/bin/bash", "-s"),
        Shells.USER,
        tty, columns, rows, ServerSettings.SHELL), output, ended);
  }

  /**
   * Docker's embedded DNS listens on a TCP port in every container's network namespace, picked from
   * the kernel's default range before the container's sysctls apply, and connect() never takes a
   * bound port. A node given a narrow ip_local_port_range that happens to cover that port would
   * have one port fewer than asked (99 of 100 in a port-exhaustion count). The port is random, so
   * such a node is made again; a range covering most of the default one would likely cover it
   * again, and there one port of thousands is not worth the retries.
   */
  private String startNode(String node, ContainerRequest request) {
    Optional<PortRange> narrow = Optional.ofNullable(request.sysctls().get(LOCAL_PORT_RANGE))
        .flatMap(PortRange::parse)
        .filter(r -> 2 * r.overlap(PortRange.KERNEL_EPHEMERAL) < PortRange.KERNEL_EPHEMERAL.size());
    for (int attempt = 1; ; attempt++) {
      String containerId = runtime.startContainer(request);
      if (narrow.isEmpty()) {
        return containerId;
      }
      List<Integer> taken = boundPorts(node, containerId).stream().filter(narrow.get()::contains).toList();
      if (taken.isEmpty()) {
        return containerId;
      }
      if (attempt == NODE_ATTEMPTS) {
        LOG.warn("node={} ports {} of its ip_local_port_range {} stay bound by the engine after {} containers; "
            + "it has {} ports fewer", node, taken, narrow.get(), attempt, taken.size());
        return containerId;
      }
      LOG.info("node={} ports {} of its ip_local_port_range {} is bound by the engine; making the node again",
          node, taken, narrow.get());
      runtime.removeContainer(containerId);
    }
  }

  /** Local ports of every TCP socket in the container's network namespace. */
  private List<Integer> boundPorts(String node, String containerId) {
    List<String> command = List.of("ss", "-Htan");
    ExecResult result = runtime.exec(containerId, command, COMMAND_TIMEOUT);
    check(node, command, result);
    List<Integer> ports = new ArrayList<>();
    for (String line : result.stdout().split("\n")) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length >= 4) {
        ports.add(Integer.parseInt(columns[3].substring(columns[3].lastIndexOf(':') + 1)));
      }
    }
    return ports;
  }

  /** A run node is like its model: the model's sysctls (those the lab was made with), then its own. */
  private static Map<String, String> inherited(NodePlan like, ScenarioContext.RunNode request) {
    Map<String, String> sysctls = new java.util.LinkedHashMap<>(like.sysctls());
    sysctls.putAll(request.sysctls());
    return sysctls;
  }

  void removeRunNode(String runId, String node) {
    runtime.containers(LabLabels.RUN, runId).stream()
        .filter(c -> node.equals(c.labels().get(LabLabels.NODE)))
        .forEach(c -> runtime.removeContainer(c.id()));
  }

  int removeRunNodes(String runId) {
    return runtime.removeLabelled(LabLabels.RUN, runId);
  }

  /**
   * Rebuilds a running lab from its containers' labels, or returns null if it cannot be used.
   * Nodes that belonged to a run are removed: the run ended with the server that started it; so are
   * shells, whose terminals ended with it.
   */
  Lab adopt(String labId, List<LabRuntime.ContainerInfo> allContainers) {
    allContainers.stream().map(c -> c.labels().get(LabLabels.RUN)).filter(java.util.Objects::nonNull).distinct()
        .forEach(this::removeRunNodes);
    allContainers.stream().filter(c -> c.labels().containsKey(LabLabels.SHELL))
        .forEach(c -> runtime.removeContainer(c.id()));
    List<LabRuntime.ContainerInfo> containers = allContainers.stream()
        .filter(c -> !c.labels().containsKey(LabLabels.RUN) && !c.labels().containsKey(LabLabels.SHELL)).toList();
    if (containers.isEmpty()) {
      return null;
    }
    Map<String, String> first = containers.get(0).labels();
    LabSpec spec = LabLabels.spec(first.get(LabLabels.SPEC));
    List<NodePlan> plan = Topologies.plan(spec);
    if (plan.size() != containers.size() || containers.stream().anyMatch(c -> !c.running())) {
      return null;
    }
    Map<String, String> networkSubnets = new LinkedHashMap<>();
    runtime.networks(LabLabels.LAB, labId)
        .forEach(n -> networkSubnets.put(n.labels().get(LabLabels.NETWORK), n.subnet()));
    List<LabNode> nodes = new ArrayList<>();
    for (NodePlan node : plan) {
      LabRuntime.ContainerInfo container = containers.stream()
          .filter(c -> node.name().equals(c.labels().get(LabLabels.NODE))).findFirst().orElse(null);
      if (container == null) {
        return null;
      }
      nodes.add(new LabNode(node.name(), node.role(), container.id(), Map.of(), Map.of()));
    }
    nodes.forEach(node -> resetLeftovers(labId, node));
    // The labels hold the expiry the lab was made with; its nodes the same in whole seconds, or a
    // later one when it was extended.
    Instant labelled = Instant.parse(first.get(LabLabels.EXPIRES));
    Instant expires = nodeExpires(nodes.get(0)).filter(e -> e.getEpochSecond() > labelled.getEpochSecond())
        .orElse(labelled);
    return withNodeFacts(new Lab(labId, LabLabels.tenant(first), spec, LabStatus.READY, nodes, networkSubnets,
        Instant.parse(first.get(LabLabels.CREATED)), expires, UNOBSERVED));
  }

  /**
   * Ends what a run interrupted with its server left in a node: the processes the server started
   * there and the firewall rules runs tag (lab-images/base/twlab-reset).
   */
  private void resetLeftovers(String labId, LabNode node) {
    ExecResult reset = runtime.exec(node.containerId(), List.of("twlab-reset"), COMMAND_TIMEOUT);
    if (!reset.ok()) {
      throw new RuntimeFailure("node " + node.name() + " could not be reset: " + reset.stderr().trim());
    }
    reset.stdout().lines().forEach(line -> LOG.info("lab={} node={} left by an interrupted run, removed: {}", labId,
        node.name(), line));
  }

  int remove(String labId) {
    return runtime.removeLabelled(LabLabels.LAB, labId);
  }

  /** Fills in each node's addresses and the sysctls it really has. */
  private Lab withNodeFacts(Lab lab) {
    List<LabNode> nodes = lab.nodes().stream().map(node -> facts(lab.id(), node)).toList();
    return new Lab(lab.id(), lab.tenant(), lab.spec(), lab.status(), nodes, lab.subnets(), lab.createdAt(),
        lab.expiresAt(), lab.observationMode());
  }

  /**
   * Moves the end of every node of the lab to {@code expiresAt}: each node's main process lives
   * until the time in {@value #EXPIRES_FILE}, so that a node whose control plane is gone still stops.
   */
  void extend(Lab lab, Instant expiresAt) {
    for (LabNode node : lab.nodes()) {
      List<String> command = List.of("sh", "-c", "echo " + expiresAt.getEpochSecond() + " > " + EXPIRES_FILE);
      check(node.name(), command, runtime.exec(node.containerId(), command, COMMAND_TIMEOUT));
    }
  }

  /** When a lab's node stops by itself. */
  private Optional<Instant> nodeExpires(LabNode node) {
    ExecResult read = runtime.exec(node.containerId(), List.of("cat", EXPIRES_FILE), COMMAND_TIMEOUT);
    try {
      return read.ok() ? Optional.of(Instant.ofEpochSecond(Long.parseLong(read.stdout().trim()))) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private LabNode facts(String labId, LabNode node) {
    String prefix = dockerName(labId, "");
    Map<String, String> addresses = new LinkedHashMap<>();
    runtime.addresses(node.containerId()).forEach((network, ip) -> addresses.put(network.replace(prefix, ""), ip));
    return new LabNode(node.name(), node.role(), node.containerId(), addresses, effectiveSysctls(node));
  }

  private Map<String, String> effectiveSysctls(LabNode node) {
    List<String> command = new ArrayList<>(List.of("sysctl", "-e"));
    command.addAll(policy.allowedKeys());
    ExecResult result = runtime.exec(node.containerId(), command, COMMAND_TIMEOUT);
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : result.stdout().split("\n")) {
      int eq = line.indexOf(" = ");
      if (eq > 0) {
        values.put(line.substring(0, eq).trim(), line.substring(eq + 3).trim().replaceAll("\\s+", " "));
      }
    }
    return values;
  }

  static final String EXPIRES_FILE = "/run/twlab/expires";

  /**
   * Runs independent engine calls at once and returns their results in order; once all have ended,
   * rethrows the first failure (the caller removes whatever the others made).
   */
  private static <T> List<T> concurrently(List<Supplier<T>> calls) {
    if (calls.size() == 1) {
      return List.of(calls.get(0).get());
    }
    ExecutorService pool = Executors.newFixedThreadPool(calls.size(), runnable -> {
      Thread thread = new Thread(runnable, "twlab-provision");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<CompletableFuture<T>> futures = calls.stream().map(c -> CompletableFuture.supplyAsync(c, pool)).toList();
      List<T> results = new ArrayList<>();
      RuntimeException failure = null;
      for (CompletableFuture<T> future : futures) {
        try {
          results.add(future.join());
        } catch (CompletionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException r ? r : new RuntimeFailure(e.getCause().toString(), e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void check(String node, List<String> command, ExecResult result) {
    if (!result.ok()) {
      throw new RuntimeFailure("on " + node + ", `" + String.join(" ", command) + "` failed (exit "
          + result.exitCode() + "): " + result.stderr().trim());
    }
  }

  private static String dockerName(String labId, String name) {
    return "twlab-" + labId + "-" + name;
  }

}
