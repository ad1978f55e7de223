package io.twlab.event;

import io.twlab.core.SocketChange;
import io.twlab.event.EventPayload.ConnectionTransition;
import io.twlab.event.EventPayload.TransitionSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One watcher's view of a lab's log: the events its filter wants, with floods of per-connection
 * events (transitions, NAT mappings) compacted into per-node summaries as its {@link Detail} says.
 * Not thread-safe: one per watcher.
 */
public final class WatchStream {
  /** Transitions of one node per second that AUTO still delivers one by one. */
  public static final int AUTO_LIMIT = 200;
  private static final Duration FLUSH_EVERY = Duration.ofMillis(500);

  private final EventFilter filter;
  private final Detail detail;
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, Window> windows = new LinkedHashMap<>();
  private Instant lastFlush = Instant.MIN;

  public WatchStream(EventFilter filter, Detail detail) {
    this.filter = filter;
    this.detail = detail;
  }

  /** What to deliver for these log events, in log order; summaries go out at least every 500 ms. */
  public List<LabEvent> accept(List<LabEvent> events) {
    List<LabEvent> out = new ArrayList<>();
    for (LabEvent event : events) {
      if (!filter.matches(event.payload())) {
        continue;
      }
      String node = connectionNode(event.payload());
      if (node != null && compacts(node, event.time())) {
        pending.computeIfAbsent(node, n -> new Pending(event)).add(event, node, summaryKey(event.payload()));
        continue;
      }
      // A summary must not arrive after what followed it in the log.
      if (node != null) {
        Pending earlier = pending.remove(node);
        if (earlier != null) {
          out.add(earlier.summary());
        }
      } else {
        out.addAll(flush());
      }
      out.add(event);
    }
    if (!pending.isEmpty() && !events.isEmpty()
        && Duration.between(lastFlush, events.get(events.size() - 1).time()).compareTo(FLUSH_EVERY) >= 0) {
      out.addAll(flush());
    }
    return out;
  }

  /** The summaries not yet delivered (call when the log is quiet). */
  public List<LabEvent> flush() {
    List<LabEvent> out = new ArrayList<>();
    pending.values().forEach(p -> out.add(p.summary()));
    pending.clear();
    if (!out.isEmpty()) {
      lastFlush = out.get(out.size() - 1).time();
    }
    return out;
  }

  /** The node of a per-connection event (a transition, a NAT mapping), or null for any other event. */
  private static String connectionNode(EventPayload payload) {
    if (payload instanceof EventPayload.ConnectionTransition transition) {
      SocketChange t = transition.change();
      return t.node();
    }
    return payload instanceof EventPayload.NatMapping n ? n.node() : null;
  }

  private static String summaryKey(EventPayload payload) {
    if (payload instanceof EventPayload.ConnectionTransition transition) {
      SocketChange t = transition.change();
      return t.from().name() + "->" + t.to().name();
    }
    return "NAT " + ((EventPayload.NatMapping) payload).event();
  }

  private boolean compacts(String node, Instant time) {
    return switch (detail) {
      case CONNECTIONS -> false;
      case AGGREGATED -> true;
      case AUTO -> windows.computeIfAbsent(node, n -> new Window()).count(time) > AUTO_LIMIT;
    };
  }

  /** Transitions of one node in the current one-second window. */
  private static final class Window {
    private Instant start = Instant.MIN;
    private int count;

    int count(Instant time) {
      if (Duration.between(start, time).compareTo(Duration.ofSeconds(1)) >= 0) {
        start = time;
        count = 0;
      }
      return ++count;
    }
  }

  /** Transitions of one node waiting to be summarised. */
  private static final class Pending {
    private final String labId;
    private final long fromSequence;
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private long toSequence;
    private Instant time;
    private String node;

    Pending(LabEvent first) {
      this.labId = first.labId();
      this.fromSequence = first.sequence();
    }

    void add(LabEvent event, String eventNode, String key) {
      counts.merge(key, 1, Integer::sum);
      toSequence = event.sequence();
      time = event.time();
      node = eventNode;
    }

    LabEvent summary() {
      return new LabEvent(toSequence, labId, time,
          new EventPayload.TransitionSummary(node, counts, fromSequence, toSequence));
    }
  }
}
