package io.twlab.event;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.lab.LabStatus;
import io.twlab.scenario.Run;
import java.util.Map;

/** What happened in a lab; {@link LabEvent} adds the sequence number and the time. */
public sealed interface EventPayload {

  record LabStatusChanged(LabStatus status, String message) implements EventPayload {}

  record ConnectionTransition(SocketChange change) implements EventPayload {}

  /** Something observation could not see, so that a watcher knows the stream has a hole. */
  record ObservationNotice(String node, String message) implements EventPayload {}

  record StateCounts(String node, Map<TcpState, Integer> counts) implements EventPayload {
    public StateCounts {
      counts = Map.copyOf(counts);
    }
  }

  /** Kernel counters of a node that moved since its previous counter event (nstat names, conntrack.*). */
  record CounterDeltas(String node, Map<String, Long> deltas) implements EventPayload {
    public CounterDeltas {
      deltas = Map.copyOf(deltas);
    }
  }

  /**
   * The gateway made or destroyed a NAT mapping: {@code original} is the connection as the client
   * sent it, {@code reply} as the server answers it (its destination is the SNAT address and port).
   */
  record NatMapping(String node, String event, String state, String original, String reply) implements EventPayload {}

  record RunProgress(String runId, String scenario, String phase, String message, long done, long total)
      implements EventPayload {}

  record RunFinished(Run run) implements EventPayload {}

  /**
   * Per-connection events of one node compacted for a watcher, counted by {@code "FROM->TO"} (and
   * {@code "NAT NEW"}, {@code "NAT DESTROY"}): those from {@code fromSequence} to {@code toSequence}
   * (made per watcher, never logged).
   */
  record TransitionSummary(String node, Map<String, Integer> transitions, long fromSequence, long toSequence)
      implements EventPayload {
    public TransitionSummary {
      transitions = Map.copyOf(transitions);
    }
  }

  /**
   * Events from {@code fromSequence} to {@code toSequence} are no longer retained; {@code reason}
   * empty: the log's retention, else why (a restarted server).
   */
  record EventGap(long fromSequence, long toSequence, String reason) implements EventPayload {
    public EventGap {
      reason = reason == null ? "" : reason;
    }

    public EventGap(long fromSequence, long toSequence) {
      this(fromSequence, toSequence, "");
    }
  }
}
