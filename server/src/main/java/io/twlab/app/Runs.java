package io.twlab.app;

import io.twlab.capture.CapturedPacket;
import io.twlab.capture.Ladder;
import io.twlab.capture.PcapReader;
import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.ConflictException;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.SocketChange;
import io.twlab.core.Tenant;
import io.twlab.core.TooManyRequestsException;
import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.ObservationNotice;
import io.twlab.event.EventPayload.RunFinished;
import io.twlab.event.LabEvent;
import io.twlab.grading.Verdict;
import io.twlab.lab.Lab;
import io.twlab.lab.LabStatus;
import io.twlab.lab.TopologyKind;
import io.twlab.observe.LabObserver;
import io.twlab.observe.ObservationAudit;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.RuntimeFailure;
import io.twlab.scenario.Program;
import io.twlab.scenario.ProgramFailure;
import io.twlab.scenario.Run;
import io.twlab.scenario.RunState;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioCatalog;
import io.twlab.scenario.ScenarioDescriptor;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.SocketRecorder;
import io.twlab.store.RecordedRun;
import io.twlab.store.RunQuery;
import io.twlab.store.RunStore;
import io.twlab.sysctl.SysctlPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Scenario runs: checked, started one at a time per lab, recorded in the history, and queried. */
public final class Runs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Runs.class);
  private static final int EVENT_BATCH = 256;
  private static final int RUNS_KEPT = 10_000;
  private static final int MAX_LADDERS = 100;
  private static final String CANCELLED = "cancelled: the lab was deleted while the run was in progress";
  /**
   * How long a stopping server lets its runs finish (compose gives it 30 s before SIGKILL); runs
   * still going then end INTERRUPTED.
   */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);
  private static final String SHUT_DOWN = "interrupted: the server shut down while the run was in progress "
      + "(it waits " + SHUTDOWN_GRACE.toSeconds() + " s for runs); start it again in the same lab";
  private static final String DIED = "interrupted: the server stopped while the run was in progress (killed, or its host "
      + "went down); the next server reset its lab: processes and rules the run left were removed";

  private final LabRuntime runtime;
  private final Labs labs;
  private final ScenarioCatalog catalog;
  private final SysctlPolicy policy;
  private final RunStore history;
  private final Clock clock;
  /** The most recent runs, finished or not; finished ones are also in {@link #history}. */
  private final Map<String, Run> recent = Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
      return size() > RUNS_KEPT;
    }
  });
  private final ExecutorService executor = Executors.newCachedThreadPool(Ids.daemonThreads("twlab-run"));
  private final ServerLimits limits;
  private final Admission admission;
  /** Runs started and not finished (queued ones too), per tenant owner. */
  private final Holdings running = new Holdings();
  private final List<Consumer<Run>> finishedListeners = new CopyOnWriteArrayList<>();
  /** Set once the shutdown grace ran out: a run interrupted now was interrupted by the server, not a deletion. */
  private volatile boolean shuttingDown;

  /** {@code history} records every finished run; its owner closes it after this. */
  public Runs(LabRuntime runtime, Labs labs, ScenarioCatalog catalog, SysctlPolicy policy, RunStore history,
      ServerLimits limits, Clock clock) {
    this.runtime = runtime;
    this.limits = limits;
    this.admission = new Admission(limits);
    this.labs = labs;
    this.catalog = catalog;
    this.policy = policy;
    this.history = history;
    this.clock = clock;
  }

  /** Tells {@code listener} of every run that finishes from now on (the server's metrics), on the run's thread. */
  public void onFinished(Consumer<Run> listener) {
    finishedListeners.add(listener);
  }

  /** Runs executing now (the server's metrics). */
  public int running() {
    synchronized (recent) {
      return (int) recent.values().stream().filter(r -> r.state() == RunState.RUNNING).count();
    }
  }

  /** Runs waiting for a slot (the server's metrics). */
  public int queued() {
    return admission.queued();
  }

  public List<ScenarioDescriptor> scenarios() {
    return catalog.descriptors();
  }

  /** The scenarios the caller may run: all, or those their workshop allows. */
  public List<ScenarioDescriptor> scenarios(Caller caller) {
    return catalog.descriptors().stream().filter(d -> caller.mayRun(d.name())).toList();
  }

  /**
   * Starts a run of the scenario in the caller's lab; returns it at once, or finished when {@code
   * wait}. The run counts against the caller's runs at once; it waits for one of the server's run
   * slots if none is free.
   */
  public Run start(Caller caller, String labId, String scenarioName, Map<String, String> rawParams, boolean wait)
      throws InterruptedException {
    return start(caller, labId, scenarioName, rawParams, Map.of(), wait);
  }

  /** Like {@link #start(Caller, String, String, Map, boolean)}, with a student's programs for slots of the scenario. */
  public Run start(Caller caller, String labId, String scenarioName, Map<String, String> rawParams,
      Map<String, Program> programs, boolean wait) throws InterruptedException {
    LabSession session = labs.session(caller, labId);
    Tenant tenant = session.lab().tenant();
    if (!caller.owns(tenant)) {
      throw new PermissionDeniedException("lab " + labId + " is a seat of your workshop: you may watch and end it, "
          + "only its student runs in it");
    }
    if (!caller.mayRun(scenarioName)) {
      throw new PermissionDeniedException("your workshop runs " + String.join(", ", new TreeSet<>(caller.scenarios()))
          + ", not " + scenarioName);
    }
    if (session.lab().status() != LabStatus.READY) {
      throw new ConflictException("lab " + labId + " is " + session.lab().status() + " and runs nothing: `twlab watch "
          + labId + "` says why; delete it and create another");
    }
    Scenario scenario = catalog.byName(scenarioName);
    ScenarioParams params = check(scenarioName, rawParams, session.lab().spec().topology());
    programs.keySet().stream().filter(slot -> scenario.descriptor().program(slot).isEmpty()).findFirst()
        .ifPresent(slot -> {
          throw new InvalidArgumentException("programs[" + slot + "]", "scenario " + scenarioName + " has no program "
              + "slot " + Bounded.quote(slot) + "; `twlab scenarios` lists each scenario's slots");
        });
    String runId = Ids.newId("run");
    session.claim(runId).ifPresent(other -> {
      throw new ConflictException("lab " + labId + " is busy with run " + other
          + "; wait for it to finish (`twlab watch " + labId + "`) or use another lab");
    });
    Holdings.Hold held;
    Admission.Ticket ticket;
    try {
      held = running.take(tenant.owner(), caller.limits().runs(), used -> TooManyRequestsException.quota("runs",
          used, caller.limits().runs(), "wait for your run to finish (`twlab runs list`)", 10));
      try {
        ticket = admission.enter();
      } catch (RuntimeException e) {
        held.close();
        throw e;
      }
    } catch (RuntimeException e) {
      session.release();
      throw e;
    }
    Run run = Run.started(runId, labId, tenant, scenario.name(), params, clock.instant(),
        session.log().lastSequence());
    try {
      history.accepted(run, effectiveSysctls(session.lab(), run));
    } catch (RuntimeException e) {
      ticket.close();
      held.close();
      session.release();
      throw e;
    }
    recent.put(run.id(), run);
    Future<Run> future = executor.submit(() -> {
      try (held) {
        return admitThenExecute(ticket, session, scenario, params, programs, run);
      } catch (RuntimeException | Error e) {
        // Its future may be cancelled (the lab deleted, a node stopped): nobody else would see this.
        LOG.error("run={} crashed", run.id(), e);
        throw e;
      }
    });
    session.running(future);
    if (!wait) {
      return run;
    }
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("run " + run.id() + " crashed", e.getCause());
    }
  }

  private Run admitThenExecute(Admission.Ticket ticket, LabSession session, Scenario scenario, ScenarioParams params,
      Map<String, Program> programs, Run run) {
    try (ticket) {
      boolean admitted;
      try {
        admitted = admitted(ticket, session, run);
      } catch (InterruptedException e) {
        session.release();
        return finish(session, cancelled(session, run), Map.of());
      }
      return admitted ? execute(session, scenario, params, programs, run) : notAdmitted(session, run);
    }
  }

  /** A run stopped from outside: its lab deleted, a node of its lab stopped, or the server shutting down. */
  private Run cancelled(LabSession session, Run run) {
    if (shuttingDown) {
      return run.interrupted(SHUT_DOWN, clock.instant());
    }
    return session.stoppedNode().filter(stopped -> !session.deleting())
        .map(stopped -> run.failed(stopped + " during the run", clock.instant()))
        .orElseGet(() -> run.failed(CANCELLED, clock.instant()));
  }

  /**
   * The runs an earlier server on this history was in when it stopped: INTERRUPTED, each told on
   * its lab's stream if this server re-adopted the lab (whose leftovers it has reset).
   */
  public void interruptLeftovers() {
    for (Run run : history.interruptUnfinished(DIED, clock.instant())) {
      LOG.info("run={} lab={} interrupted: an earlier server stopped during it", run.id(), run.labId());
      labs.held(run.labId()).ifPresent(session ->
          session.log().append(clock.instant(), new EventPayload.RunFinished(run)));
      finishedListeners.forEach(l -> l.accept(run));
    }
  }

  /** Waits in the server's queue, saying so on the lab's stream; false if no slot came in time. */
  private boolean admitted(Admission.Ticket ticket, LabSession session, Run run) throws InterruptedException {
    if (ticket.position() > 0) {
      session.log().append(clock.instant(), new EventPayload.RunProgress(run.id(), run.scenario(), "queued",
          "the server runs " + limits.runs() + " at a time: this run waits for a slot, " + (ticket.position() - 1)
              + " ahead of it", 0, 0));
    }
    return ticket.await();
  }

  private Run notAdmitted(LabSession session, Run run) {
    Run failed = run.failed("not started: no run slot came free within " + limits.queueWait().toMinutes()
        + " minutes; the server is busy, try again later", clock.instant());
    session.release();
    return finish(session, failed, Map.of());
  }

  /**
   * Refuses a run that could not start in a lab of {@code topology}: an unknown scenario, a
   * topology it does not run on, bad parameters, parameters that would give a run node a sysctl the
   * policy refuses. Returns the parameters with their defaults.
   */
  public ScenarioParams check(String scenarioName, Map<String, String> rawParams, TopologyKind topology) {
    Scenario scenario = catalog.byName(scenarioName);
    ScenarioDescriptor descriptor = scenario.descriptor();
    if (!descriptor.topologies().contains(topology)) {
      throw new InvalidArgumentException("lab_id", "scenario " + descriptor.name() + " runs on "
          + descriptor.topologies().stream().map(TopologyKind::id).collect(Collectors.joining(" or "))
          + " labs, not " + topology.id());
    }
    ScenarioParams params = descriptor.resolve(rawParams);
    List<FieldViolation> violations = new ArrayList<>();
    scenario.runNodeSysctls(params).forEach((node, sysctls) -> sysctls.forEach((key, value) ->
        policy.reasonAgainst(key, value).ifPresent(reason -> violations.add(new FieldViolation("params",
            "these parameters give the run node " + node + " " + key + "=" + value + ": " + reason)))));
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
    return params;
  }

  /** The sysctls read back from every node a run used: the lab's, then those the run added. */
  public static Map<String, Map<String, String>> effectiveSysctls(Lab lab, Run run) {
    Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
    lab.nodes().forEach(n -> sysctls.put(n.name(), n.effectiveSysctls()));
    run.result().ifPresent(r -> sysctls.putAll(r.runNodeSysctls()));
    return sysctls;
  }

  /** The nodes a run of the scenario with these checked parameters adds to the lab. */
  public List<String> runNodes(String scenarioName, ScenarioParams params) {
    return catalog.byName(scenarioName).runNodes(params);
  }

  /** A finished run's events, from its first to its run_finished (as far as the lab's log still holds them). */
  public List<LabEvent> eventsOf(Caller caller, Run run) {
    return eventsOf(labs.session(caller, run.labId()).log(), run);
  }

  private static List<LabEvent> eventsOf(EventLog log, Run run) {
    List<LabEvent> events = new ArrayList<>();
    long after = run.startSequence();
    while (true) {
      List<LabEvent> batch = log.readAfter(after, EVENT_BATCH);
      if (batch.isEmpty()) {
        return events;
      }
      for (LabEvent e : batch) {
        events.add(e);
        if (e.payload() instanceof EventPayload.RunFinished f && f.run().id().equals(run.id())) {
          return events;
        }
      }
      after = batch.get(batch.size() - 1).sequence();
    }
  }

  /** A run the caller sees, in progress or from the history with its sysctls and verdicts. */
  public RecordedRun get(Caller caller, String runId) {
    Run run = recent.get(runId);
    Optional<RecordedRun> found = run != null && run.state() == RunState.RUNNING ? Optional.of(RecordedRun.of(run))
        : history.find(runId).or(() -> Optional.ofNullable(run).map(RecordedRun::of));
    return found.filter(r -> caller.sees(r.run().tenant()))
        .orElseThrow(() -> new NotFoundException("run", runId, "`twlab runs list` shows the recorded runs"));
  }

  /** The runs the caller sees, newest first: every run is in the history from the moment it is accepted. */
  public List<RecordedRun> list(Caller caller, RunQuery query) {
    return history.list(caller, query);
  }

  /** The pcap a run the caller sees kept of one node (its {@code capture} parameter). */
  public byte[] capture(Caller caller, String runId, String node) {
    get(caller, runId);
    return history.capture(runId, node).orElseThrow(() -> new NotFoundException("capture", runId + " " + node,
        capturedBy(runId)));
  }

  /**
   * The first {@code max} connections one node's capture of the run saw, each a ladder: its packets
   * with the states both ends entered with them, from the run's recorded transitions.
   */
  public List<Ladder> ladders(Caller caller, String runId, String node, int max) {
    if (max < 1 || max > MAX_LADDERS) {
      throw new InvalidArgumentException("max", "must be 1 to " + MAX_LADDERS + ", got " + max);
    }
    List<CapturedPacket> packets = PcapReader.read(capture(caller, runId, node));
    List<SocketChange> changes = history.timeline(runId).stream()
        .map(LabEvent::payload).filter(p -> p instanceof EventPayload.ConnectionTransition)
        .map(p -> ((EventPayload.ConnectionTransition) p).change()).toList();
    return Ladder.of(node, packets, changes, max);
  }

  private String capturedBy(String runId) {
    List<String> nodes = history.capturedNodes(runId);
    return nodes.isEmpty() ? "run " + runId + " kept no packets: run it with the parameter capture=true"
        : "run " + runId + " kept the packets of " + String.join(", ", nodes);
  }

  /** Attaches an experiment's verdicts to a recorded run. */
  public void recordVerdicts(Run run, String experiment, List<Verdict> verdicts) {
    history.grade(run.id(), experiment, verdicts);
  }

  private Run execute(LabSession session, Scenario scenario, ScenarioParams params, Map<String, Program> programs,
      Run run) {
    SocketRecorder recorder = new SocketRecorder();
    session.observer().addListener(recorder);
    RunContext context = new RunContext(runtime, labs.provisioner(), session, run, recorder, clock,
        scenario.runNodes(params), programs);
    boolean released = false;
    RunCapture capture = null;
    try {
      Run finished;
      try (context) {
        context.begin();
        if (params.get(Scenario.CAPTURE)) {
          capture = RunCapture.start(runtime, session.lab());
        }
        ScenarioResult result = context.complete(scenario.run(context, params));
        finished = run.succeeded(result, clock.instant());
      } catch (InterruptedException e) {
        finished = cancelled(session, run);
      } catch (ProgramFailure e) {
        finished = session.deleting() || session.stoppedNode().isPresent() ? cancelled(session, run)
            : run.failedByProgram(e.getMessage(), clock.instant());
      } catch (ScenarioFailure | RuntimeFailure e) {
        // A run interrupted by the lab's deletion, or by a node that stopped, fails on whatever it
        // touched next: say why.
        finished = session.deleting() || session.stoppedNode().isPresent() ? cancelled(session, run)
            : run.failed(labs.stoppedNode(session).map(node -> node + " during the run; it failed on: "
                + e.getMessage()).orElse(e.getMessage()), clock.instant());
      } catch (RuntimeException e) {
        LOG.error("run={} crashed", run.id(), e);
        finished = run.failed("internal error: " + e, clock.instant());
      }
      Map<String, byte[]> pcaps = capture == null ? Map.of() : capture.stop();
      // A student's server still holds, when the scenario ends, what it is graded on (its CLOSE_WAIT):
      // killing it earlier would close those sockets inside the run. It goes once run_finished is
      // out, and only then is the lab free for the next run; without one, the lab is free at once.
      if (!context.startedPrograms()) {
        session.release();
        released = true;
      }
      try {
        // So that a watcher that stops at run_finished has seen every transition of the run.
        session.observer().awaitCaughtUp();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      session.observer().removeListener(recorder);
      return finish(session, finished.withObservationIncomplete(audit(session, finished, recorder)), pcaps);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return finish(session, cancelled(session, run), Map.of());
    } finally {
      if (capture != null) {
        capture.close();
      }
      if (!released) {
        try {
          if (context.startedPrograms()) {
            context.removePrograms();
          }
        } finally {
          session.release();
        }
      }
    }
  }

  /** Publishes a run's end on its lab's stream and records it, with its packets by node. */
  private Run finish(LabSession session, Run run, Map<String, byte[]> pcaps) {
    Run finished = run.withShellsOpen(session.shellsDuringRun());
    recent.put(finished.id(), finished);
    session.log().append(clock.instant(), new EventPayload.RunFinished(finished));
    record(session, finished, pcaps);
    LOG.info("run={} lab={} scenario={} state={}", finished.id(), finished.labId(), finished.scenario(),
        finished.state());
    finishedListeners.forEach(l -> l.accept(finished));
    return finished;
  }

  /**
   * Where what was traced disagrees with what the kernel counted on a node, says so on the lab's
   * stream before run_finished, so that the run's watchers and graders know what cannot be judged.
   * A lab that only samples says so in its observation mode already.
   */
  private List<ObservationAudit.Finding> audit(LabSession session, Run finished, SocketRecorder recorder) {
    if (!session.lab().observationMode().startsWith(LabObserver.TRACING_MODE) || finished.result().isEmpty()) {
      return List.of();
    }
    List<ObservationAudit.Finding> findings =
        ObservationAudit.audit(finished.result().get().counters(), recorder.all(c -> true), recorder.timeWaitSocketsMade());
    findings.forEach(f -> {
      LOG.info("run={} node={} {}", finished.id(), f.node(), f.message());
      session.log().append(clock.instant(), new EventPayload.ObservationNotice(f.node(), f.message()));
    });
    return findings;
  }

  /** Into the history; a run whose recording failed still finished, so the failure is only logged. */
  private void record(LabSession session, Run finished, Map<String, byte[]> pcaps) {
    try {
      history.save(finished, effectiveSysctls(session.lab(), finished), eventsOf(session.log(), finished));
      pcaps.forEach((node, pcap) -> history.saveCapture(finished.id(), node, pcap));
    } catch (RuntimeException e) {
      LOG.warn("run={} could not be recorded in the run history: {}", finished.id(), e.getMessage());
    }
  }

  /**
   * Lets the runs in progress finish for {@link #SHUTDOWN_GRACE}, then interrupts the rest: they end
   * INTERRUPTED, recorded, before the history closes.
   */
  @Override
  public void close() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS)) {
      LOG.info("runs still in progress after {} s: interrupting them", SHUTDOWN_GRACE.toSeconds());
      shuttingDown = true;
      executor.shutdownNow();
      executor.awaitTermination(LabObserver.CATCH_UP_LIMIT.toSeconds() + 5, TimeUnit.SECONDS);
    }
  }
}
