package io.twlab.observe;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.Role;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ExecStream;
import io.twlab.runtime.RuntimeFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every node of a lab through the {@link HostObserver}: the samples of the node's socket
 * table and, while the tracer runs, the traced changes of its network namespace; turns them into
 * transition and state-count events. A gateway's NAT mappings come from one {@code conntrack -E}
 * stream in it.
 */
public final class LabObserver implements AutoCloseable {
  /** How the observation mode of a traced lab begins. */
  public static final String TRACING_MODE = "tracing:";
  private static final String TRACING = TRACING_MODE + " every transition from the kernel tracepoint sock:inet_sock_set_state;"
      + " TIME_WAIT entry, timers and expiry from a netlink sock_diag dump of a node within 100 ms of its changes";
  private static final String SAMPLING =
      "sampling: a netlink sock_diag dump every 100 ms per node (states shorter than 100 ms can be missed)";
  private static final Logger LOG = LoggerFactory.getLogger(LabObserver.class);
  private static final Duration BASELINE_WAIT = Duration.ofSeconds(15);
  private static final Duration NOTICE_EVERY = Duration.ofSeconds(1);
  /** The longest a run's end, or the removal of a run's node, waits for observation to catch up. */
  public static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(5);

  private final LabRuntime runtime;
  private final Lab lab;
  private final List<ObservationListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, LabRuntime.ExecStream> natStreams = new LinkedHashMap<>();
  private final Map<String, NodeStream> nodes = new ConcurrentHashMap<>();
  private final HostObserver host;
  private final Optional<String> untraced;

  /** {@code logWriter} hears everything first, before the listeners added later (a run's recorder). */
  public LabObserver(LabRuntime runtime, Lab lab, HostObserver host, ObservationListener logWriter) {
    this.runtime = runtime;
    this.lab = lab;
    this.listeners.add(logWriter);
    this.host = host;
    this.untraced = host.unavailable();
  }

  /** How this lab is observed, for its clients: tracing, or sampling and why. */
  public String mode() {
    return untraced.map(why -> SAMPLING + "; " + why).orElse(TRACING);
  }

  /**
   * Watches every node and returns once every node's baseline arrived, so that what happens after
   * this call is seen as transitions.
   */
  public void start() {
    observe(lab.nodes());
  }

  /** Observes a node added after the start (a run's own node) once its baseline arrived. */
  public void addNode(LabNode node) {
    observe(List.of(node));
  }

  /**
   * Stops observing nodes that are about to be removed (a run's own), once what happened on them
   * before this call is joined, at most {@link #CATCH_UP_LIMIT}: a handover to TIME_WAIT
   * still waiting for its sample would otherwise be lost with the node.
   */
  public void removeNodes(Collection<String> toRemove) {
    List<NodeStream> removed = toRemove.stream().map(nodes::get).filter(Objects::nonNull).toList();
    long started = System.nanoTime();
    try {
      awaitCaughtUp(removed);
      LOG.debug("lab={} nodes={} joined up to their removal in {} ms", lab.id(), toRemove,
          (System.nanoTime() - started) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      for (String node : toRemove) {
        LabRuntime.ExecStream nat = natStreams.remove(node);
        if (nat != null) {
          nat.close();
        }
        NodeStream stream = nodes.remove(node);
        if (stream != null) {
          stream.close();
        }
      }
    }
  }

  /** The node's current sockets per state, as of its latest sampler batch (LISTEN aside). */
  public Map<TcpState, Integer> counts(String node) {
    NodeStream stream = nodes.get(node);
    return stream == null ? Map.of() : stream.lastCounts;
  }

  private synchronized void observe(List<LabNode> toObserve) {
    long lifetime = Math.max(1, Duration.between(Instant.now(), lab.expiresAt()).toSeconds());
    CountDownLatch baselines = new CountDownLatch(toObserve.size());
    for (LabNode node : toObserve) {
      NodeStream stream = new NodeStream(node.name(), baselines);
      nodes.put(node.name(), stream);
      boolean gateway = node.role() == Role.GATEWAY;
      stream.watching = host.watch(node.containerId(), lab.id(), gateway, stream);
      if (gateway) {
        natStreams.put(node.name(), runtime.execStream(node.containerId(), List.of("timeout", String.valueOf(lifetime),
            "conntrack", "-E", "-p", "tcp", "-e", "NEW,DESTROY"), line -> natEvent(node.name(), line)));
      }
    }
    try {
      if (!baselines.await(BASELINE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new RuntimeFailure("the host observer did not report the sockets of lab " + lab.id() + " within "
            + BASELINE_WAIT.toSeconds() + " s; check that the lab images are current (lab-images/build.sh)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("interrupted while starting observation of lab " + lab.id(), e);
    }
  }

  /**
   * Waits, at most {@link #CATCH_UP_LIMIT}, until every change that happened before this call is in the
   * log: the tracer and every node's samples have reported past it (so a handover to TIME_WAIT
   * is settled too). Without the tracer there is nothing to wait for: samples come only on change.
   */
  public void awaitCaughtUp() throws InterruptedException {
    awaitCaughtUp(nodes.values());
  }

  private void awaitCaughtUp(Collection<NodeStream> joined) throws InterruptedException {
    if (untraced.isPresent() || !host.alive()) {
      return;
    }
    long now = host.monotonicNow();
    long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
    while (host.reportedUpTo() < now || joined.stream().anyMatch(n -> !n.gone && n.joinedUpTo < now)) {
      if (System.nanoTime() > deadline) {
        LOG.debug("lab={} observation still behind after {} ms", lab.id(), CATCH_UP_LIMIT.toMillis());
        return;
      }
      Thread.sleep(20);
    }
  }

  public void addListener(ObservationListener listener) {
    listeners.add(listener);
  }

  public void removeListener(ObservationListener listener) {
    listeners.remove(listener);
  }

  /** The gateway's NAT mappings as they are made and destroyed, so that a client connection can be followed. */
  private void natEvent(String node, String line) {
    ConntrackParser.parse(line).ifPresent(m -> {
      Instant now = Instant.now();
      listeners.forEach(l -> l.onNatMapping(node, now, m));
    });
  }

  @Override
  public synchronized void close() {
    natStreams.values().forEach(LabRuntime.ExecStream::close);
    natStreams.clear();
    nodes.values().forEach(NodeStream::close);
    nodes.clear();
  }

  /**
   * One node's samples and, when tracing, its traced changes (the observer stream's thread calls
   * in; the node's state is guarded by this object).
   */
  private final class NodeStream implements HostObserver.Subscriber, HostObserver.Watcher {
    private final String node;
    private final CountDownLatch baselines;
    private final SamplerParser parser = new SamplerParser();
    private final NodeSockets sockets = new NodeSockets();
    private final TransitionJoiner joiner;
    private volatile Map<TcpState, Integer> lastCounts = Map.of();
    /**
     * Everything before this kernel time is joined: a batch dumped after it was joined with the
     * tracer reported past it too (the joiner settles what a sample shows only then).
     */
    private volatile long joinedUpTo = Long.MIN_VALUE;
    /** Its process ended: no sample will come to join what waits. */
    private volatile boolean gone;
    private AutoCloseable subscription;
    private AutoCloseable watching;
    private boolean sampled;
    private long lastDumped = Long.MIN_VALUE;
    private long lost;
    private long late;
    private long untracedTimeWaits;
    private Instant lastNotice;
    private boolean wasTracing;

    NodeStream(String node, CountDownLatch baselines) {
      this.node = node;
      this.baselines = baselines;
      this.joiner = new TransitionJoiner(node);
      // A lab made while the tracer is silent says so at once, as one whose tracer falls silent later.
      this.wasTracing = untraced.isEmpty();
    }

    @Override
    public void onSample(String line) {
      try {
        parser.accept(line).ifPresent(this::onBatch);
      } catch (RuntimeException e) {
        LOG.warn("lab={} node={} unreadable sample line '{}': {}", lab.id(), node, line, e.toString());
      }
    }

    /**
     * An unchanged table is a sample too: the joiner settles what waited for a later one. Every
     * node hears this ten times a second; one with nothing waiting only notes how far it is joined.
     */
    @Override
    public synchronized void onUnchangedUpTo(long monotonicNanos, Instant time) {
      if (!sampled || monotonicNanos <= lastDumped) {
        return;
      }
      // The observer says how far it has traced only while its tracer reports: an idle lab hears
      // here that tracing is back. That it stopped is said by batches alone (the observer dumps
      // every lab while its tracer is silent), as the server's and the observer's view of a
      // heartbeat 2 s old may differ for a moment.
      if (!wasTracing && untraced.isEmpty() && host.alive()) {
        noteTracing(true, time);
      }
      if (joiner.awaitsSample()) {
        onBatch(new SamplerBatch(time, monotonicNanos, monotonicNanos, false, 0, List.of(), Map.of()));
      } else {
        joinedUpTo = Math.min(monotonicNanos, host.reportedUpTo());
      }
    }

    @Override
    public synchronized void onGone(String why) {
      gone = true;
      Instant now = Instant.now();
      notice(now, "this node's sockets are no longer observed: " + why);
      listeners.forEach(l -> l.onNodeGone(node, now, why));
    }

    @Override
    public synchronized void onChange(TraceEvent event, Instant time) {
      report(joiner.traced(event, time));
    }

    /** An RST this node sent: evidence for the node it went to (only the tracer's thread calls in here). */
    @Override
    public synchronized void onReset(ResetSent reset, Instant time) {
      nodes.values().forEach(n -> n.resetReceived(reset, time));
    }

    private synchronized void resetReceived(ResetSent reset, Instant time) {
      report(joiner.resetReceived(reset, time));
    }

    @Override
    public synchronized void onLost(long events) {
      lost += events;
    }

    @Override
    public synchronized void onLate(Traced event) {
      late++;
    }

    /** Says on the lab's stream when the tracer stops reporting, and when it reports again. */
    private void noteTracing(boolean tracing, Instant time) {
      if (tracing != wasTracing) {
        notice(time, tracing ? "the kernel tracer reports again"
            : "the kernel tracer stopped reporting: transitions are sampled from now on (see the server's log)");
        wasTracing = tracing;
      }
    }

    /** At most one notice per second of each kind: a flood's overrun comes as hundreds of reports. */
    private void noticeHoles(Instant now) {
      if ((lost == 0 && late == 0 && untracedTimeWaits == 0)
          || (lastNotice != null && now.isBefore(lastNotice.plus(NOTICE_EVERY)))) {
        return;
      }
      if (lost > 0) {
        notice(now, "the kernel dropped " + lost + " traced state changes of this host (trace buffer overrun): "
            + "some transitions are missing; TIME_WAIT entries and counts still come from samples");
      }
      if (late > 0) {
        notice(now, late + " traced state changes of this node came after later ones had been delivered (the tracer "
            + "fell behind by over a second): transitions around them may be out of order");
      }
      if (untracedTimeWaits > 0) {
        notice(now, untracedTimeWaits + " TIME_WAIT sockets of this node were found by the sampler without their traced "
            + "close (lost or late): the states reported before their TIME_WAIT may be incomplete");
      }
      lost = 0;
      late = 0;
      untracedTimeWaits = 0;
      lastNotice = now;
    }

    private synchronized void onBatch(SamplerBatch batch) {
      sampled = true;
      lastDumped = Math.max(lastDumped, batch.dumpedNanos());
      sockets.apply(batch);
      boolean tracing = untraced.isEmpty() && host.alive();
      long tracerUpTo = host.reportedUpTo();
      if (batch.baseline()) {
        joiner.baseline(batch);
        if (untraced.isEmpty()) {
          subscription = host.subscribe(batch.netns(), this);
        }
        wasTracing = tracing;
      } else {
        noteTracing(tracing, batch.time());
        report(tracing ? joiner.sampled(batch, tracerUpTo)
            : batch.deltas().stream().map(d -> d.sampledOn(node, batch.time())).toList());
        untracedTimeWaits += joiner.takeUntraced();
      }
      // A close this batch shows is reported only once the tracer has passed the batch's dump.
      joinedUpTo = Math.min(Math.min(batch.monotonicNanos(), tracerUpTo), joiner.reportedBefore());
      noticeHoles(batch.time());
      if (!batch.counterDeltas().isEmpty()) {
        listeners.forEach(l -> l.onCounterDeltas(node, batch.time(), batch.counterDeltas()));
      }
      // Most batches are heartbeats while tracing: count the table only when it changed.
      if (batch.baseline() || !batch.deltas().isEmpty()) {
        Map<TcpState, Integer> counts = sockets.counts();
        if (batch.baseline() || !counts.equals(lastCounts)) {
          lastCounts = counts;
          listeners.forEach(l -> l.onStateCounts(node, batch.time(), counts));
        }
      }
      if (batch.baseline()) {
        baselines.countDown();
      }
    }

    private void report(List<SocketChange> changes) {
      if (!changes.isEmpty()) {
        listeners.forEach(l -> l.onChanges(changes));
      }
      int made = joiner.takeTimeWaitSocketsMade();
      if (made > 0) {
        listeners.forEach(l -> l.onTimeWaitSocketsMade(node, made));
      }
    }

    private void notice(Instant time, String message) {
      listeners.forEach(l -> l.onNotice(node, time, message));
    }

    synchronized void close() {
      release(watching, "observer watch");
      watching = null;
      release(subscription, "tracer subscription");
      subscription = null;
    }

    private void release(AutoCloseable handle, String what) {
      if (handle == null) {
        return;
      }
      try {
        handle.close();
      } catch (Exception e) {
        LOG.debug("lab={} node={} {}: {}", lab.id(), node, what, e.toString());
      }
    }
  }
}
