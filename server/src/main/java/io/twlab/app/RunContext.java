package io.twlab.app;

import io.twlab.event.EventPayload;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.Role;
import io.twlab.observe.KernelCounters;
import io.twlab.observe.TcpState;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ExecResult;
import io.twlab.scenario.Run;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.SocketRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private final Map<String, LabNode> runNodes = new LinkedHashMap<>();
  private final Map<String, KernelCounters> baselines = new LinkedHashMap<>();

  RunContext(LabRuntime runtime, LabProvisioner provisioner, LabSession session, Run run, SocketRecorder recorder,
      Clock clock) {
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

  /** The result with the counters that moved on each node since {@link #begin} (or since it was added). */
  ScenarioResult withCounterDeltas(ScenarioResult result) {
    Map<String, KernelCounters> deltas = new LinkedHashMap<>();
    synchronized (this) {
      baselines.forEach((node, before) -> {
        KernelCounters delta = counters(node).since(before).tcpOnly();
        if (!delta.values().isEmpty()) {
          deltas.put(node, delta);
        }
      });
    }
    return new ScenarioResult(result.summary(), result.outcome(), deltas);
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
    if (runNodes.containsKey(request.name()) || lab().nodes().stream().anyMatch(n -> n.name().equals(request.name()))) {
      throw new IllegalArgumentException("node " + request.name() + " already exists in lab " + lab().id());
    }
    progress("setup", "adding node " + request.name() + " with " + request.sysctls());
    LabNode node = provisioner.addRunNode(lab(), run.id(), request, clock.instant());
    runNodes.put(node.name(), node);
    session.observer().addNode(node);
    baselines.put(node.name(), counters(node.name()));
    return node;
  }

  @Override
  public synchronized void removeNode(String name) {
    if (runNodes.remove(name) == null) {
      throw new IllegalArgumentException("node " + name + " was not added by run " + run.id());
    }
    session.observer().removeNode(name);
    baselines.remove(name);
    provisioner.removeRunNode(run.id(), name);
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

  /** Stops observing and removes the nodes this run added. */
  @Override
  public synchronized void close() {
    if (runNodes.isEmpty()) {
      return;
    }
    runNodes.keySet().forEach(session.observer()::removeNode);
    runNodes.clear();
    provisioner.removeRunNodes(run.id());
  }
}
