package io.twlab.app;

import io.twlab.event.Detail;
import io.twlab.event.EventFilter;
import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.event.LabEvent;
import io.twlab.event.WatchStream;
import io.twlab.core.InvalidArgumentException;
import io.twlab.lab.Lab;
import io.twlab.core.LabBusyException;
import io.twlab.lab.LabRequest;
import io.twlab.lab.LabSpec;
import io.twlab.lab.LabStatus;
import io.twlab.lab.TopologyKind;
import io.twlab.core.NotFoundException;
import io.twlab.lab.Role;
import io.twlab.observe.KernelTracer;
import io.twlab.observe.LabObserver;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.RuntimeFailure;
import io.twlab.scenario.Run;
import io.twlab.scenario.RunState;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioCatalog;
import io.twlab.scenario.ScenarioDescriptor;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.SocketRecorder;
import io.twlab.grading.Verdict;
import io.twlab.store.RecordedRun;
import io.twlab.store.RunQuery;
import io.twlab.store.RunStore;
import io.twlab.sysctl.SysctlPolicy;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The use cases of twlab: labs, scenarios, runs and event streams. gRPC and HTTP only translate
 * to and from these calls.
 */
public final class LabService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabService.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int WATCH_BATCH = 256;
  /** How long a watcher waits for new events before it flushes summaries or checks its client. */
  private static final Duration WATCH_WAIT = Duration.ofMillis(500);
  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(5);
  private static final int RUNS_KEPT = 10_000;
  /** The longest pause between two replayed events, whatever the speed. */
  private static final Duration REPLAY_PAUSE_LIMIT = Duration.ofSeconds(5);
  private static final String CANCELLED = "cancelled: the lab was deleted while the run was in progress";

  private final LabRuntime runtime;
  private final ServerSettings settings;
  private final SysctlPolicy policy = new SysctlPolicy();
  private final ScenarioCatalog catalog;
  private final Clock clock;
  private final LabProvisioner provisioner;
  private final KernelTracer tracer;
  private final RunStore history;
  private final Map<String, LabSession> labs = new ConcurrentHashMap<>();
  /** The most recent runs, finished or not; finished ones are also in {@link #history}. */
  private final Map<String, Run> runs = Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
      return size() > RUNS_KEPT;
    }
  });
  private final ExecutorService runExecutor = Executors.newCachedThreadPool(daemonThreads("twlab-run"));
  private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(daemonThreads("twlab-reaper"));

  /** {@code history} records every finished run; its owner closes it after this service. */
  public LabService(LabRuntime runtime, ServerSettings settings, ScenarioCatalog catalog, RunStore history,
      Clock clock) {
    this.runtime = runtime;
    this.history = history;
    this.settings = settings;
    this.catalog = catalog;
    this.clock = clock;
    this.provisioner = new LabProvisioner(runtime, settings, policy);
    this.tracer = new KernelTracer(runtime, new KernelTracer.Setup(settings.tracer(), settings.tracerImage(),
        "twlab-tracer-" + settings.owner(), Map.of(LabLabels.TRACER, settings.owner())));
  }

  /** Checks the lab images, re-adopts or removes what an earlier server left, starts the TTL reaper. */
  public void start() {
    List<String> missing = Arrays.stream(Role.values()).map(r -> settings.image(r.id()))
        .filter(image -> !runtime.imageExists(image)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("lab images missing: " + String.join(", ", missing)
          + ". Build them with lab-images/build.sh (or .ci/setup, which also starts Docker)");
    }
    adoptLeftovers();
    long every = settings.reapInterval().toMillis();
    reaper.scheduleWithFixedDelay(this::reapExpired, every, every, TimeUnit.MILLISECONDS);
  }

  public Lab createLab(LabRequest request) {
    LabSpec spec = request.validate(policy);
    String id = newId("lab");
    LOG.info("lab={} creating topology={} clients={}", id, spec.topology().id(), spec.clients());
    long started = System.nanoTime();
    Lab lab = provisioner.create(id, spec, clock.instant());
    try {
      register(lab, "lab ready: " + lab.nodes().size() + " nodes");
    } catch (RuntimeException e) {
      LabSession session = labs.remove(id);
      if (session != null) {
        session.close();
      }
      provisioner.remove(id);
      throw e;
    }
    LOG.info("lab={} ready in {} ms", id, (System.nanoTime() - started) / 1_000_000);
    return labs.get(id).lab();
  }

  public Lab getLab(String labId) {
    return session(labId).lab();
  }

  public List<Lab> listLabs() {
    return labs.values().stream().map(LabSession::lab).sorted(Comparator.comparing(Lab::createdAt)).toList();
  }

  public void deleteLab(String labId) {
    LabSession session = labs.remove(labId);
    if (session == null) {
      throw labNotFound(labId);
    }
    session.status(LabStatus.DELETING, "deleting", clock.instant());
    session.cancelRunForDeletion();
    int removed = provisioner.remove(labId);
    session.status(LabStatus.DELETED, "deleted: " + removed + " Docker objects removed", clock.instant());
    session.close();
    LOG.info("lab={} deleted ({} objects)", labId, removed);
  }

  public List<ScenarioDescriptor> scenarios() {
    return catalog.descriptors();
  }

  public Run runScenario(String labId, String scenarioName, Map<String, String> rawParams, boolean wait)
      throws InterruptedException {
    LabSession session = session(labId);
    Scenario scenario = catalog.byName(scenarioName);
    ScenarioDescriptor descriptor = scenario.descriptor();
    ScenarioParams params = checkRun(scenarioName, rawParams, session.lab().spec().topology());
    String runId = newId("run");
    session.claim(runId).ifPresent(other -> {
      throw new LabBusyException("lab " + labId + " is busy with run " + other
          + "; wait for it to finish (`twlab watch " + labId + "`) or use another lab");
    });
    Run run = Run.started(runId, labId, descriptor.name(), params, clock.instant(), session.log().lastSequence());
    runs.put(run.id(), run);
    Future<Run> future = runExecutor.submit(() -> execute(session, scenario, params, run));
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

  /**
   * Refuses a run that could not start in a lab of {@code topology}: an unknown scenario, a
   * topology it does not run on, bad parameters. Returns the parameters with their defaults.
   */
  public ScenarioParams checkRun(String scenarioName, Map<String, String> rawParams, TopologyKind topology) {
    ScenarioDescriptor descriptor = catalog.byName(scenarioName).descriptor();
    if (!descriptor.topologies().contains(topology)) {
      throw new InvalidArgumentException("lab_id", "scenario " + descriptor.name() + " runs on "
          + descriptor.topologies().stream().map(t -> t.id()).collect(Collectors.joining(" or "))
          + " labs, not " + topology.id());
    }
    return descriptor.resolve(rawParams);
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
  public List<LabEvent> eventsOf(Run run) throws InterruptedException {
    return eventsOf(session(run.labId()).log(), run);
  }

  private static List<LabEvent> eventsOf(EventLog log, Run run) throws InterruptedException {
    List<LabEvent> events = new ArrayList<>();
    long after = run.startSequence();
    while (true) {
      List<LabEvent> batch = log.readAfter(after, WATCH_BATCH, Duration.ZERO);
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

  /** A run in progress, or from the history with its sysctls and verdicts. */
  public RecordedRun getRun(String runId) {
    Run run = runs.get(runId);
    if (run != null && run.state() == RunState.RUNNING) {
      return RecordedRun.of(run);
    }
    return history.find(runId).or(() -> Optional.ofNullable(run).map(RecordedRun::of))
        .orElseThrow(() -> new NotFoundException("run", runId, "`twlab runs list` shows the recorded runs"));
  }

  /** The runs in progress (on the first page), then the history, newest first. */
  public List<RecordedRun> listRuns(RunQuery query) {
    List<RecordedRun> page = new ArrayList<>();
    if (query.offset() == 0) {
      synchronized (runs) {
        runs.values().stream().filter(r -> r.state() == RunState.RUNNING).map(RecordedRun::of)
            .filter(query::matches).sorted(Comparator.comparing((RecordedRun r) -> r.run().startedAt()).reversed())
            .forEach(page::add);
      }
    }
    page.addAll(history.list(query));
    return page.size() > query.limit() ? page.subList(0, query.limit()) : page;
  }

  /** Attaches an experiment's verdicts to a recorded run. */
  public void recordVerdicts(Run run, String experiment, List<Verdict> verdicts) {
    history.grade(run.id(), experiment, verdicts);
  }

  /**
   * Streams a finished run's recorded events after {@code afterSequence} into {@code sink}, as
   * {@code filter} and {@code detail} ask, at {@code speed} times the pace they happened (0: at once).
   */
  public void replay(String runId, long afterSequence, EventFilter filter, Detail detail, double speed,
      EventSink sink) throws Exception {
    RecordedRun recorded = getRun(runId);
    if (recorded.run().state() == RunState.RUNNING) {
      throw new InvalidArgumentException("run_id", "run " + runId + " is still running: watch its lab "
          + recorded.run().labId() + " instead");
    }
    if (!(speed >= 0 && speed <= 1_000)) {
      throw new InvalidArgumentException("replay_speed", "must be from 0 (at once) to 1000, got " + speed);
    }
    WatchStream stream = new WatchStream(filter, detail);
    Instant previous = null;
    for (LabEvent event : history.timeline(runId)) {
      if (!sink.isOpen()) {
        return;
      }
      if (event.sequence() <= afterSequence) {
        continue;
      }
      if (speed > 0 && previous != null) {
        long pauseMs = (long) (Duration.between(previous, event.time()).toMillis() / speed);
        Thread.sleep(Math.min(REPLAY_PAUSE_LIMIT.toMillis(), Math.max(0, pauseMs)));
      }
      previous = event.time();
      for (LabEvent out : stream.accept(List.of(event))) {
        sink.send(out);
      }
    }
    for (LabEvent out : stream.flush()) {
      sink.send(out);
    }
  }

  /**
   * Streams a lab's events after {@code afterSequence} (negative: from now on) into {@code sink},
   * as {@code filter} and {@code detail} ask, until the sink closes or the lab is deleted. Runs on
   * the caller's thread; the lab never waits for it.
   */
  public void watch(String labId, long afterSequence, EventFilter filter, Detail detail, EventSink sink)
      throws Exception {
    EventLog log = session(labId).log();
    WatchStream stream = new WatchStream(filter, detail);
    long last = afterSequence < 0 ? log.lastSequence() : afterSequence;
    long lastDelivery = System.nanoTime();
    while (sink.isOpen()) {
      List<LabEvent> batch = log.readAfter(last, WATCH_BATCH, WATCH_WAIT);
      List<LabEvent> deliver = batch.isEmpty() ? stream.flush() : stream.accept(batch);
      for (LabEvent event : deliver) {
        sink.send(event);
      }
      if (!batch.isEmpty()) {
        last = batch.get(batch.size() - 1).sequence();
      }
      if (!deliver.isEmpty()) {
        lastDelivery = System.nanoTime();
      } else if (batch.isEmpty() && log.isClosed()) {
        return;
      } else if (System.nanoTime() - lastDelivery > WATCH_WAIT.toNanos()) {
        sink.idle();
        lastDelivery = System.nanoTime();
      }
    }
  }

  private Run execute(LabSession session, Scenario scenario, ScenarioParams params, Run run) {
    SocketRecorder recorder = new SocketRecorder();
    session.observer().addListener(recorder);
    Run finished;
    try (RunContext context = new RunContext(runtime, provisioner, session, run, recorder, clock,
        scenario.runNodes(params))) {
      context.begin();
      ScenarioResult result = context.complete(scenario.run(context, params));
      finished = run.succeeded(result, clock.instant());
    } catch (InterruptedException e) {
      finished = run.failed(CANCELLED, clock.instant());
    } catch (ScenarioFailure | RuntimeFailure e) {
      // A run interrupted by the lab's deletion fails on whatever it touched next: say why.
      finished = run.failed(session.deleting() ? CANCELLED : e.getMessage(), clock.instant());
    } catch (RuntimeException e) {
      LOG.error("run={} crashed", run.id(), e);
      finished = run.failed("internal error: " + e, clock.instant());
    } finally {
      session.observer().removeListener(recorder);
      session.release();
    }
    try {
      // So that a watcher that stops at run_finished has seen every transition of the run.
      session.observer().awaitCaughtUp(CATCH_UP_LIMIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runs.put(run.id(), finished);
    session.log().append(clock.instant(), new EventPayload.RunFinished(finished));
    record(session, finished);
    LOG.info("run={} lab={} scenario={} state={}", run.id(), run.labId(), run.scenario(), finished.state());
    return finished;
  }

  /** Into the history; a run whose recording failed still finished, so the failure is only logged. */
  private void record(LabSession session, Run finished) {
    try {
      history.save(finished, effectiveSysctls(session.lab(), finished), eventsOf(session.log(), finished));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("run={} could not be recorded in the run history: {}", finished.id(), e.getMessage());
    }
  }

  private void register(Lab lab, String message) {
    EventLog log = new EventLog(lab.id(), settings.eventRetention());
    LabObserver observer = new LabObserver(runtime, lab, tracer, new EventLogWriter(log));
    LabSession session = new LabSession(lab.withObservationMode(observer.mode()), log, observer);
    session.status(LabStatus.READY, message, clock.instant());
    labs.put(lab.id(), session);
    observer.start();
  }

  private void adoptLeftovers() {
    Map<String, List<LabRuntime.ContainerInfo>> byLab = runtime.containers(LabLabels.OWNER, settings.owner())
        .stream().collect(Collectors.groupingBy(c -> c.labels().getOrDefault(LabLabels.LAB, "")));
    byLab.forEach((labId, containers) -> {
      Lab lab = null;
      try {
        lab = provisioner.adopt(labId, containers);
      } catch (RuntimeException e) {
        LOG.warn("lab={} cannot be re-adopted: {}", labId, e.getMessage());
      }
      if (lab != null && !lab.expired(clock.instant())) {
        register(lab, "re-adopted by a restarted server");
        LOG.info("lab={} re-adopted", labId);
      } else {
        LOG.info("lab={} left by an earlier server is broken or expired: removed {} objects", labId,
            provisioner.remove(labId));
      }
    });
    runtime.networks(LabLabels.OWNER, settings.owner()).stream()
        .map(n -> n.labels().getOrDefault(LabLabels.LAB, ""))
        .filter(labId -> !byLab.containsKey(labId))
        .distinct()
        .forEach(labId -> LOG.info("lab={} had only networks left: removed {}", labId, provisioner.remove(labId)));
  }

  private void reapExpired() {
    for (LabSession session : labs.values()) {
      Lab lab = session.lab();
      if (lab.expired(clock.instant())) {
        LOG.info("lab={} reached its TTL, removing it", lab.id());
        try {
          deleteLab(lab.id());
        } catch (RuntimeException e) {
          LOG.warn("lab={} could not be reaped: {}", lab.id(), e.getMessage());
        }
      }
    }
  }

  private LabSession session(String labId) {
    LabSession session = labs.get(labId);
    if (session == null) {
      throw labNotFound(labId);
    }
    return session;
  }

  private static NotFoundException labNotFound(String labId) {
    return new NotFoundException("lab", labId, "it may have expired or been deleted; `twlab labs list` shows the labs");
  }

  private static String newId(String kind) {
    byte[] bytes = new byte[5];
    RANDOM.nextBytes(bytes);
    return kind + "-" + HexFormat.of().formatHex(bytes);
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops observing and running; the labs stay so that the next server can re-adopt them. */
  @Override
  public void close() {
    reaper.shutdownNow();
    runExecutor.shutdownNow();
    labs.values().forEach(LabSession::close);
    labs.clear();
    tracer.close();
  }
}
