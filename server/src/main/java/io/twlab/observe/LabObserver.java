package io.twlab.observe;

import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.Role;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.RuntimeFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every node of a lab with one long-lived sampler process each (one exec per node, not
 * one per sample: design §5) and turns its batches into transition and state-count events.
 */
public final class LabObserver implements AutoCloseable {
  public static final String MODE =
      "sampling: a netlink sock_diag dump every 100 ms per node (states shorter than 100 ms can be missed)";
  private static final Logger LOG = LoggerFactory.getLogger(LabObserver.class);
  private static final int INTERVAL_MS = 100;
  private static final Duration BASELINE_WAIT = Duration.ofSeconds(15);

  private final LabRuntime runtime;
  private final Lab lab;
  private final EventLog log;
  private final List<ObservationListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, List<LabRuntime.ExecStream>> streams = new LinkedHashMap<>();
  private final Map<String, NodeStream> nodes = new ConcurrentHashMap<>();

  public LabObserver(LabRuntime runtime, Lab lab, EventLog log) {
    this.runtime = runtime;
    this.lab = lab;
    this.log = log;
  }

  /**
   * Starts one sampler per node and returns once every node's baseline arrived, so that what
   * happens after this call is seen as transitions.
   */
  public void start() {
    observe(lab.nodes());
  }

  /** Observes a node added after the start (a run's own node) once its baseline arrived. */
  public void addNode(LabNode node) {
    observe(List.of(node));
  }

  public synchronized void removeNode(String node) {
    streams.getOrDefault(node, List.of()).forEach(LabRuntime.ExecStream::close);
    streams.remove(node);
    nodes.remove(node);
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
      List<String> sampler = new ArrayList<>(List.of("twlab-sampler", "--interval-ms", String.valueOf(INTERVAL_MS),
          "--duration", String.valueOf(lifetime)));
      if (gateway) {
        sampler.add("--conntrack");
      }
      List<LabRuntime.ExecStream> nodeStreams = new ArrayList<>();
      nodeStreams.add(runtime.execStream(node.containerId(), sampler, stream::accept));
      if (gateway) {
        nodeStreams.add(runtime.execStream(node.containerId(), List.of("timeout", String.valueOf(lifetime),
            "conntrack", "-E", "-p", "tcp", "-e", "NEW,DESTROY"), line -> natEvent(node.name(), line)));
      }
      streams.put(node.name(), nodeStreams);
    }
    try {
      if (!baselines.await(BASELINE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new RuntimeFailure("the socket samplers of lab " + lab.id() + " did not report within "
            + BASELINE_WAIT.toSeconds() + " s; check that the lab images are current (lab-images/build.sh)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("interrupted while starting observation of lab " + lab.id(), e);
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
    ConntrackParser.parse(line).ifPresent(m -> log.append(Instant.now(),
        new EventPayload.NatMapping(node, m.event(), m.state(), m.original(), m.reply())));
  }

  @Override
  public synchronized void close() {
    streams.values().forEach(s -> s.forEach(LabRuntime.ExecStream::close));
    streams.clear();
    nodes.clear();
  }

  /** One node's sampler output; called on that stream's thread only. */
  private final class NodeStream {
    private final String node;
    private final CountDownLatch baselines;
    private final SamplerParser parser = new SamplerParser();
    private final NodeSockets sockets = new NodeSockets();
    private volatile Map<TcpState, Integer> lastCounts = Map.of();

    NodeStream(String node, CountDownLatch baselines) {
      this.node = node;
      this.baselines = baselines;
    }

    void accept(String line) {
      try {
        parser.accept(line).ifPresent(this::onBatch);
      } catch (RuntimeException e) {
        LOG.warn("lab={} node={} unreadable sampler line '{}': {}", lab.id(), node, line, e.toString());
      }
    }

    private void onBatch(SamplerBatch batch) {
      sockets.apply(batch);
      if (!batch.baseline()) {
        for (SocketDelta d : batch.deltas()) {
          log.append(batch.time(), new EventPayload.ConnectionTransition(node, d.local(), d.remote(), d.from(), d.to(),
              d.to() == TcpState.TIME_WAIT ? d.timeWaitRemaining() : Optional.empty()));
        }
      }
      if (!batch.counterDeltas().isEmpty()) {
        log.append(batch.time(), new EventPayload.CounterDeltas(node, batch.counterDeltas()));
      }
      Map<TcpState, Integer> counts = sockets.counts();
      if (batch.baseline() || !counts.equals(lastCounts)) {
        lastCounts = counts;
        log.append(batch.time(), new EventPayload.StateCounts(node, counts));
      }
      if (batch.baseline()) {
        baselines.countDown();
        return;
      }
      for (ObservationListener listener : listeners) {
        listener.onBatch(node, batch);
      }
    }
  }
}
