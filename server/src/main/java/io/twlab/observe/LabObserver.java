package io.twlab.observe;

import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.runtime.LabRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every node of a lab with one long-lived sampler process each (one exec per node, not
 * one per sample: design §5) and turns its batches into transition and state-count events.
 */
public final class LabObserver implements AutoCloseable {
  public static final String MODE =
      "sampling: /proc/net/tcp every 100 ms per node (states shorter than 100 ms can be missed)";
  private static final Logger LOG = LoggerFactory.getLogger(LabObserver.class);
  private static final int INTERVAL_MS = 100;

  private final LabRuntime runtime;
  private final Lab lab;
  private final EventLog log;
  private final List<ObservationListener> listeners = new CopyOnWriteArrayList<>();
  private final List<LabRuntime.ExecStream> streams = new ArrayList<>();

  public LabObserver(LabRuntime runtime, Lab lab, EventLog log) {
    this.runtime = runtime;
    this.lab = lab;
    this.log = log;
  }

  public synchronized void start() {
    long lifetime = Math.max(1, Duration.between(Instant.now(), lab.expiresAt()).toSeconds());
    for (LabNode node : lab.nodes()) {
      NodeStream stream = new NodeStream(node.name());
      streams.add(runtime.execStream(node.containerId(),
          List.of("twlab-sampler", "--interval-ms", String.valueOf(INTERVAL_MS), "--duration", String.valueOf(lifetime)),
          stream::accept));
    }
  }

  public void addListener(ObservationListener listener) {
    listeners.add(listener);
  }

  public void removeListener(ObservationListener listener) {
    listeners.remove(listener);
  }

  @Override
  public synchronized void close() {
    streams.forEach(LabRuntime.ExecStream::close);
    streams.clear();
  }

  /** One node's sampler output; called on that stream's thread only. */
  private final class NodeStream {
    private final String node;
    private final SamplerParser parser = new SamplerParser();
    private final NodeSockets sockets = new NodeSockets();
    private Map<TcpState, Integer> lastCounts = Map.of();

    NodeStream(String node) {
      this.node = node;
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
      for (SocketDelta d : batch.deltas()) {
        log.append(batch.time(), new EventPayload.ConnectionTransition(node, d.local(), d.remote(), d.from(), d.to(),
            d.to() == TcpState.TIME_WAIT ? d.timeWaitRemaining() : Optional.empty()));
      }
      Map<TcpState, Integer> counts = sockets.counts();
      if (!counts.equals(lastCounts)) {
        lastCounts = counts;
        log.append(batch.time(), new EventPayload.StateCounts(node, counts));
      }
      for (ObservationListener listener : listeners) {
        listener.onBatch(node, batch);
      }
    }
  }
}
