package io.twlab.app;

import io.twlab.core.ExecResult;
import io.twlab.core.KernelCounters;
import io.twlab.core.TcpState;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.RunProgress;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.Role;
import io.twlab.runtime.LabRuntime;
import io.twlab.scenario.Program;
import io.twlab.scenario.ProgramContract;
import io.twlab.scenario.Run;
import io.twlab.scenario.RunningProgram;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioContext.RunNode;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.SocketRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One run's view of its lab. It owns the nodes the run adds (removed on close) and measures the
 * kernel counters of every node from the run's start to its end.
 */
final class RunContext implements ScenarioContext, AutoCloseable {
  private static final Duration COUNTER_READ = Duration.ofSeconds(10);

  private final LabRuntime runtime;
  private final LabProvisioner provisioner;
  private final LabSession session;
  private final Run run;
  private final SocketRecorder recorder;
  private final Clock clock;
  private final Set<String> declaredNodes;
  private final Map<String, LabNode> runNodes = new LinkedHashMap<>();
  private final Map<String, KernelCounters> baselines = new LinkedHashMap<>();
  private final Map<String, KernelCounters> removedNodeDeltas = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> addedNodeSysctls = new LinkedHashMap<>();
  private final Map<String, Program> programs;
  private boolean programsStarted;

  /** {@code programs}: the student's programs for this run, by slot. */
  RunContext(LabRuntime runtime, LabProvisioner provisioner, LabSession session, Run run, SocketRecorder recorder,
      Clock clock, List<String> declaredNodes, Map<String, Program> programs) {
    this.declaredNodes = Set.copyOf(declaredNodes);
    this.programs = Map.copyOf(programs);
    this.runtime = runtime;
    this.provisioner = provisioner;
    this.session = session;
    this.run = run;
    this.recorder = recorder;
    this.clock = clock;
  }

  /** Reads every node's counters, the baseline of the run's counter deltas. */
  void begin() {
    lab().nodes().forEach(n -> baselines.put(n.name(), counters(n.name())));
  }

  /** The scenario's result with what the run did to each node: counter deltas, the added nodes' sysctls. */
  synchronized ScenarioResult complete(ScenarioResult result) {
    Map<String, KernelCounters> deltas = new LinkedHashMap<>(removedNodeDeltas);
    baselines.keySet().forEach(node -> counterDelta(node).ifPresent(delta -> deltas.put(node, delta)));
    return new ScenarioResult(result.summary(), result.outcome(), deltas, addedNodeSysctls);
  }

  private Optional<KernelCounters> counterDelta(String node) {
    KernelCounters delta = counters(node).since(baselines.get(node)).tcpOnly();
    return delta.values().isEmpty() ? Optional.empty() : Optional.of(delta);
  }

  @Override
  public Lab lab() {
    return session.lab();
  }

  @Override
  public synchronized LabNode node(String name) {
    LabNode added = runNodes.get(name);
    return added != null ? added : lab().node(name);
  }

  @Override
  public ExecResult exec(String node, List<String> command, Duration timeout, Consumer<String> lines) {
    return runtime.exec(node(node).containerId(), command, timeout, lines);
  }

  @Override
  public void start(String node, List<String> command) {
    runtime.execDetached(node(node).containerId(), command);
  }

  @Override
  public synchronized LabNode addNode(RunNode request) {
    if (!declaredNodes.contains(request.name())) {
      throw new IllegalArgumentException("scenario " + run.scenario() + " adds node " + request.name()
          + " but its runNodes() declares only " + declaredNodes);
    }
    if (addedNodeSysctls.containsKey(request.name()) || lab().nodes().stream().anyMatch(n -> n.name().equals(request.name()))) {
      throw new IllegalArgumentException("node " + request.name() + " already exists in lab " + lab().id());
    }
    progress("setup", "adding node " + request.name() + " with " + request.sysctls());
    LabNode node = provisioner.addRunNode(lab(), run.id(), request, clock.instant());
    runNodes.put(node.name(), node);
    addedNodeSysctls.put(node.name(), node.effectiveSysctls());
    session.observer().addNode(node);
    baselines.put(node.name(), counters(node.name()));
    return node;
  }

  @Override
  public synchronized void removeNode(String name) {
    if (!runNodes.containsKey(name)) {
      throw new IllegalArgumentException("node " + name + " was not added by run " + run.id());
    }
    // What the node's counters did stays part of the run.
    counterDelta(name).ifPresent(delta -> removedNodeDeltas.put(name, delta));
    runNodes.remove(name);
    session.observer().removeNodes(List.of(name));
    baselines.remove(name);
    provisioner.removeRunNode(run.id(), name);
  }

  @Override
  public Optional<Program> program(ProgramContract slot) {
    return Optional.ofNullable(programs.get(slot.slot()));
  }

  @Override
  public synchronized RunningProgram start(ProgramContract slot, Program program, String node, List<String> args) {
    if (programs.get(slot.slot()) != program) {
      throw new IllegalArgumentException("run " + run.id() + " was given no program for slot " + slot.slot());
    }
    progress("program", "starting the submitted " + slot.slot() + " (" + program.language().id() + ", "
        + program.size() + " bytes) on " + node + ": " + String.join(" ", args));
    programsStarted = true;
    String container = provisioner.startProgram(lab(), run.id(), node(node), slot.slot(), program, args);
    return new ProgramContainer(runtime, container, program.timeLimit(), ServerSettings.PROGRAM);
  }

  @Override
  public SocketRecorder sockets() {
    return recorder;
  }

  @Override
  public Map<TcpState, Integer> counts(String node) {
    return session.observer().counts(node);
  }

  @Override
  public KernelCounters counters(String node) {
    LabNode n = node(node);
    KernelCounters counters = KernelCounters.parseProc(
        runtime.exec(n.containerId(), List.of("cat", "/proc/net/netstat", "/proc/net/snmp"), COUNTER_READ).stdout());
    if (n.role() == Role.GATEWAY) {
      counters = counters.with(KernelCounters.parseConntrackStats(
          runtime.exec(n.containerId(), List.of("conntrack", "-S"), COUNTER_READ).stdout()));
    }
    return counters;
  }

  @Override
  public void progress(String phase, String message) {
    progress(phase, message, 0, 0);
  }

  @Override
  public void progress(String phase, String message, long done, long total) {
    session.log().append(clock.instant(),
        new EventPayload.RunProgress(run.id(), run.scenario(), phase, message, done, total));
  }

  /** Stops observing and removes the nodes this run added; its programs stay until {@link #removePrograms}. */
  @Override
  public synchronized void close() {
    session.observer().removeNodes(runNodes.keySet());
    runNodes.keySet().forEach(node -> provisioner.removeRunNode(run.id(), node));
    runNodes.clear();
  }

  synchronized boolean startedPrograms() {
    return programsStarted;
  }

  /** Removes the containers of the students' programs this run started. */
  synchronized void removePrograms() {
    provisioner.removeRunNodes(run.id());
  }
}
