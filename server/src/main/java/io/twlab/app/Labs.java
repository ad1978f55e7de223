package io.twlab.app;

import io.twlab.core.Caller;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.core.TooManyRequestsException;
import io.twlab.event.EventLog;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.LabRequest;
import io.twlab.lab.LabSpec;
import io.twlab.lab.LabStatus;
import io.twlab.lab.Role;
import io.twlab.lab.Topologies;
import io.twlab.observe.HostObserver;
import io.twlab.observe.LabObserver;
import io.twlab.observe.ObservationListener;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerInfo;
import io.twlab.runtime.ContainerGone;
import io.twlab.sysctl.SysctlPolicy;
import io.twlab.sysctl.SysctlRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labs of this control plane: made, observed, listed, deleted, re-adopted from an earlier
 * server, and reaped at their TTL. Each lab's session (its event log and observer) lives here.
 */
public final class Labs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Labs.class);

  private final LabRuntime runtime;
  private final ServerSettings settings;
  private final SysctlPolicy policy;
  private final Clock clock;
  private final LabProvisioner provisioner;
  private final HostObserver observer;
  private final LongAdder eventsAppended = new LongAdder();
  private final ServerLimits limits;
  private final Map<String, LabSession> sessions = new ConcurrentHashMap<>();
  /** Labs made or being made, per tenant owner: one being made counts before it exists. */
  private final Holdings held = new Holdings();
  /** The nodes of those labs. */
  private final Holdings heldNodes = new Holdings();
  /** FAILED labs whose Docker objects were removed: only their records are left. */
  private final Set<String> cleared = ConcurrentHashMap.newKeySet();
  /** Labs being made or removed: their objects exist while they have no session. */
  private final Set<String> inTransit = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
      Ids.daemonThreads("twlab-reaper"));

  public Labs(LabRuntime runtime, ServerSettings settings, ServerLimits limits, SysctlPolicy policy, Clock clock) {
    this.runtime = runtime;
    this.limits = limits;
    this.settings = settings;
    this.policy = policy;
    this.clock = clock;
    this.provisioner = new LabProvisioner(runtime, settings, policy);
    this.observer = new HostObserver(runtime, new HostObserver.Setup(settings.tracer(), settings.tracerImage(),
        "twlab-observer-" + settings.owner(), Map.of(LabLabels.TRACER, settings.owner())));
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

  /** What a lab node may set and what it may not, for any caller: the policy holds nothing of anyone's. */
  public List<SysctlRule> sysctlRules() {
    return policy.rules();
  }

  public Lab create(Caller caller, LabRequest request) {
    return create(caller, request.validate(policy));
  }

  /** Creates a lab of the caller's from a spec already checked against this server's policy. */
  public Lab create(Caller caller, LabSpec spec) {
    return create(caller, spec, false);
  }

  /**
   * Creates a lab to grade an experiment in: it refuses its student's shells unless their workshop
   * allows them ({@link Shells}).
   */
  public Lab createGraded(Caller caller, LabSpec spec) {
    return create(caller, spec, true);
  }

  private Lab create(Caller caller, LabSpec spec, boolean graded) {
    String owner = caller.self().owner();
    int nodes = Topologies.plan(spec).size();
    reserve(caller, nodes);
    String id = Ids.newId("lab");
    LOG.info("lab={} creating topology={} clients={} for={}", id, spec.topology().id(), spec.clients(), owner);
    long started = System.nanoTime();
    inTransit.add(id);
    try {
      Lab lab = provisioner.create(id, caller.self(), spec, clock.instant());
      try {
        register(lab, new EventLog(lab.id(), settings.eventRetention(), eventsAppended),
            "lab ready: " + lab.nodes().size() + " nodes", graded);
      } catch (RuntimeException e) {
        LabSession session = sessions.remove(id);
        if (session != null) {
          session.close();
        }
        provisioner.remove(id);
        throw e;
      }
    } catch (RuntimeException e) {
      held.give(owner);
      heldNodes.give(owner, nodes);
      throw e;
    } finally {
      inTransit.remove(id);
    }
    LOG.info("lab={} ready in {} ms", id, (System.nanoTime() - started) / 1_000_000);
    return sessions.get(id).lab();
  }

  /**
   * Counts a lab of {@code nodes} nodes about to be made against the caller's quotas and the
   * server's, or refuses it. Given back when the lab is deleted, or at once if it cannot be made.
   */
  private synchronized void reserve(Caller caller, int nodes) {
    if (caller.limits().labs() == 0) {
      throw new PermissionDeniedException("this credential makes no labs: a grading platform's submits to its "
          + "assignment only (`twlab submit`)");
    }
    int all = held.total();
    if (all >= limits.labs()) {
      throw TooManyRequestsException.quota("server labs", all, limits.labs(),
          "the server is full; try again when other labs have ended", 60);
    }
    String owner = caller.self().owner();
    Holdings.Hold lab = held.take(owner, caller.limits().labs(), used -> TooManyRequestsException.quota("labs", used,
        caller.limits().labs(), "delete one (`twlab labs delete ID`) or wait for one to expire", untilOneExpires(owner)));
    try {
      heldNodes.take(owner, nodes, caller.limits().nodes(), used -> TooManyRequestsException.quota("nodes", used,
          caller.limits().nodes(), "this lab would add " + nodes + "; delete a lab or ask for fewer clients",
          untilOneExpires(owner)));
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  /** Seconds until the owner's next lab expires (a minute when they have none yet). */
  private long untilOneExpires(String owner) {
    return Math.max(1, sessions.values().stream().map(LabSession::lab).filter(l -> l.tenant().owner().equals(owner))
        .mapToLong(l -> Duration.between(clock.instant(), l.expiresAt()).toSeconds()).min().orElse(60));
  }

  /** The caller's lab, or one they see. */
  public Lab get(Caller caller, String labId) {
    return session(caller, labId).lab();
  }

  /** The labs the caller sees, oldest first. */
  public List<Lab> list(Caller caller) {
    return sessions.values().stream().map(LabSession::lab).filter(l -> caller.sees(l.tenant()))
        .sorted(Comparator.comparing(Lab::createdAt)).toList();
  }

  /**
   * Moves the expiry of a lab the caller sees {@code by} later, but not past {@code latest} (nor
   * earlier than it was); its nodes' own end too.
   */
  public Lab extend(Caller caller, String labId, Duration by, Instant latest) {
    LabSession session = session(caller, labId);
    Instant now = session.lab().expiresAt();
    Instant wanted = now.plus(by);
    Instant expires = wanted.isAfter(latest) ? (latest.isAfter(now) ? latest : now) : wanted;
    provisioner.extend(session.lab(), expires);
    session.extend(expires, clock.instant());
    return session.lab();
  }

  /** A lab's sockets in each state, all its nodes together, as last sampled. */
  Map<TcpState, Integer> sockets(String labId) {
    LabSession session = sessions.get(labId);
    Map<TcpState, Integer> total = new EnumMap<>(TcpState.class);
    if (session != null) {
      session.lab().nodes().forEach(n -> session.observer().counts(n.name()).forEach((state, count) ->
          total.merge(state, count, Integer::sum)));
    }
    return total;
  }

  /** Deletes a lab the caller sees: their own, a seat's of their workshop, or any for the admin. */
  public void delete(Caller caller, String labId) {
    session(caller, labId);
    delete(labId);
  }

  private void delete(String labId) {
    inTransit.add(labId);
    try {
      delete(labId, sessions.remove(labId));
    } finally {
      inTransit.remove(labId);
    }
  }

  private void delete(String labId, LabSession session) {
    if (session == null) {
      throw notFound(labId);
    }
    session.status(LabStatus.DELETING, "deleting", clock.instant());
    session.cancelRunForDeletion();
    int removed;
    try {
      removed = provisioner.remove(labId);
    } catch (RuntimeException e) {
      // Still held, so that deleting it again (or the reaper) finishes the job.
      session.status(LabStatus.FAILED, "deleting failed: " + e.getMessage() + "; delete the lab again", clock.instant());
      sessions.put(labId, session);
      throw e;
    }
    cleared.remove(labId);
    session.status(LabStatus.DELETED, "deleted: " + removed + " Docker objects removed", clock.instant());
    session.close();
    held.give(session.lab().tenant().owner());
    heldNodes.give(session.lab().tenant().owner(), session.lab().nodes().size());
    LOG.info("lab={} deleted ({} objects)", labId, removed);
  }

  /**
   * Checks whether a node of the lab stopped (a run failed, or its observation ended); if one did,
   * marks the lab FAILED, interrupts its run and returns what happened to the node.
   */
  Optional<String> stoppedNode(LabSession session) {
    for (LabNode node : session.lab().nodes()) {
      String stopped;
      try {
        LabRuntime.ContainerState state = runtime.state(node.containerId());
        if (state.running()) {
          continue;
        }
        stopped = node.name() + " stopped (exit code " + state.exitCode() + (state.outOfMemory() ? ", out of memory" : "")
            + ")";
      } catch (ContainerGone e) {
        stopped = node.name() + " is gone (its container was removed)";
      } catch (RuntimeException e) {
        LOG.debug("lab={} node={} state unknown: {}", session.lab().id(), node.name(), e.toString());
        continue;
      }
      nodeStopped(session, stopped);
      return Optional.of("node " + stopped);
    }
    return Optional.empty();
  }

  private void nodeStopped(LabSession session, String what) {
    session.nodeStopped("node " + what);
    if (session.lab().status() == LabStatus.READY) {
      LOG.warn("lab={} node {}", session.lab().id(), what);
      session.status(LabStatus.FAILED, "node " + what + ": the lab cannot run scenarios any more; delete it and "
          + "create another", clock.instant());
    }
  }

  /** The session of a lab this server holds, whoever's it is (the server's own bookkeeping). */
  Optional<LabSession> held(String labId) {
    return Optional.ofNullable(sessions.get(labId));
  }

  /** The session of a lab the caller sees; one they do not see does not exist for them. */
  LabSession session(Caller caller, String labId) {
    LabSession session = sessions.get(labId);
    if (session == null || !caller.sees(session.lab().tenant())) {
      throw notFound(labId);
    }
    return session;
  }

  /** The labs held now, by status (the server's metrics). */
  public Map<LabStatus, Long> countByStatus() {
    return sessions.values().stream().collect(Collectors.groupingBy(s -> s.lab().status(), Collectors.counting()));
  }

  /** Events appended to every lab's log since the start (the server's metrics). */
  public long eventsAppended() {
    return eventsAppended.sum();
  }

  /** How far observation trails the kernel (watchers hold back while it is far behind). */
  public Duration observationBehind() {
    return observer.behind();
  }

  /** The host observer's own figures (the server's metrics). */
  public HostObserver.Usage observerUsage() {
    return observer.usage();
  }

  LabProvisioner provisioner() {
    return provisioner;
  }

  private void register(Lab lab, EventLog log, String message, boolean graded) {
    LabObserver labObserver = new LabObserver(runtime, lab, observer, new EventLogWriter(log));
    LabSession session = new LabSession(lab.withObservationMode(labObserver.mode()), log, labObserver, graded);
    labObserver.addListener(new ObservationListener() {
      @Override
      public void onChanges(List<SocketChange> changes) {}

      @Override
      public void onNodeGone(String node, Instant time, String why) {
        if (stoppedNode(session).isEmpty()) {
          nodeStopped(session, node + " can no longer be observed (" + why + ")");
        }
      }
    });
    session.status(LabStatus.READY, message, clock.instant());
    sessions.put(lab.id(), session);
    labObserver.start();
  }

  private void adoptLeftovers() {
    Map<String, List<LabRuntime.ContainerInfo>> byLab = runtime.containers(LabLabels.OWNER, settings.owner())
        .stream().collect(Collectors.groupingBy(c -> LabLabels.labOf(c.labels())));
    byLab.forEach((labId, containers) -> {
      Lab lab = null;
      try {
        lab = provisioner.adopt(labId, containers);
      } catch (RuntimeException e) {
        LOG.warn("lab={} cannot be re-adopted: {}", labId, e.getMessage());
      }
      if (lab != null && !lab.expired(clock.instant())) {
        held.take(lab.tenant().owner(), Integer.MAX_VALUE, used -> null);
        heldNodes.take(lab.tenant().owner(), lab.nodes().size(), Integer.MAX_VALUE, used -> null);
        register(lab, EventLog.continuing(lab.id(), settings.eventRetention(), eventsAppended, clock.instant()),
            "re-adopted by a restarted server: processes and rules its runs left were removed", false);
        LOG.info("lab={} re-adopted", labId);
      } else {
        LOG.info("lab={} left by an earlier server is broken or expired: removed {} objects", labId,
            provisioner.remove(labId));
      }
    });
    runtime.networks(LabLabels.OWNER, settings.owner()).stream()
        .map(n -> LabLabels.labOf(n.labels()))
        .filter(labId -> !byLab.containsKey(labId))
        .distinct()
        .forEach(labId -> LOG.info("lab={} had only networks left: removed {}", labId, provisioner.remove(labId)));
  }

  private void reapExpired() {
    for (LabSession session : sessions.values()) {
      Lab lab = session.lab();
      if (lab.expired(clock.instant())) {
        LOG.info("lab={} reached its TTL, removing it", lab.id());
        try {
          delete(lab.id());
        } catch (RuntimeException e) {
          LOG.warn("lab={} could not be reaped: {}", lab.id(), e.getMessage());
        }
      } else if (lab.status() == LabStatus.FAILED && !session.deleting() && !cleared.contains(lab.id())) {
        try {
          clearBroken(session);
        } catch (RuntimeException e) {
          // The scheduler would never run the reaper again after an exception: no lab would expire.
          LOG.warn("lab={} failed and could not be cleared yet (tried again at the next look): {}", lab.id(),
              e.getMessage());
        }
      }
    }
    removeStrays();
  }

  /**
   * Removes Docker objects of this owner's labs that no lab of this server holds: what a creation
   * left when its own clean-up failed too (an engine that stopped answering may still carry out the
   * calls it had taken, later).
   */
  private void removeStrays() {
    try {
      Set<String> labIds = new TreeSet<>();
      runtime.containers(LabLabels.OWNER, settings.owner()).forEach(c -> labIds.add(LabLabels.labOf(c.labels())));
      runtime.networks(LabLabels.OWNER, settings.owner()).forEach(n -> labIds.add(LabLabels.labOf(n.labels())));
      for (String labId : labIds) {
        if (!labId.isEmpty() && !sessions.containsKey(labId) && !inTransit.contains(labId)) {
          LOG.info("lab={} is held by no lab of this server: removed {} objects", labId, provisioner.remove(labId));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("stray lab objects not looked for: {}", e.getMessage());
    }
  }

  /**
   * Removes the containers and networks of a FAILED lab with a node that stopped (the engine
   * restarted, or a node died): nothing heals it, as its node's processes, rules and sockets are
   * gone. Its record stays, saying so, until it is deleted or expires; its quota is given back then.
   */
  private void clearBroken(LabSession session) {
    String labId = session.lab().id();
    Optional<String> stopped = stoppedNode(session);
    if (stopped.isEmpty()) {
      return;
    }
    session.observer().close();
    int removed = provisioner.remove(labId);
    cleared.add(labId);
    session.status(LabStatus.FAILED, stopped.get() + ": its " + removed + " Docker objects were removed; delete the "
        + "lab (nothing is left to remove) and create another", clock.instant());
    LOG.info("lab={} failed ({}): removed {} objects", labId, stopped.get(), removed);
  }

  private static NotFoundException notFound(String labId) {
    return new NotFoundException("lab", labId, "it may have expired or been deleted; `twlab labs list` shows the labs");
  }

  /** Stops observing; the labs stay so that the next server can re-adopt them. */
  @Override
  public void close() {
    reaper.shutdownNow();
    sessions.values().forEach(LabSession::close);
    sessions.clear();
    observer.close();
  }
}
