package io.twlab.app;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.ConnectionTransition;
import io.twlab.event.EventPayload.CounterDeltas;
import io.twlab.event.EventPayload.ObservationNotice;
import io.twlab.event.EventPayload.StateCounts;
import io.twlab.observe.ConntrackParser.NatMapping;
import io.twlab.observe.ObservationListener;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Writes what a lab's observation sees into the lab's event log, which its watchers read. */
final class EventLogWriter implements ObservationListener {
  private final EventLog log;

  EventLogWriter(EventLog log) {
    this.log = log;
  }

  @Override
  public void onChanges(List<SocketChange> changes) {
    changes.forEach(c -> log.append(c.time(), new EventPayload.ConnectionTransition(c)));
  }

  @Override
  public void onStateCounts(String node, Instant time, Map<TcpState, Integer> counts) {
    log.append(time, new EventPayload.StateCounts(node, counts));
  }

  @Override
  public void onCounterDeltas(String node, Instant time, Map<String, Long> deltas) {
    log.append(time, new EventPayload.CounterDeltas(node, deltas));
  }

  @Override
  public void onNatMapping(String node, Instant time, NatMapping m) {
    log.append(time, new EventPayload.NatMapping(node, m.event(), m.state(), m.original(), m.reply()));
  }

  @Override
  public void onNotice(String node, Instant time, String message) {
    log.append(time, new EventPayload.ObservationNotice(node, message));
  }
}
