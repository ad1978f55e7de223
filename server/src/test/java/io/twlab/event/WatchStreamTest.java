package io.twlab.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.twlab.core.InvalidArgumentException;
import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.event.EventPayload.ConnectionTransition;
import io.twlab.event.EventPayload.LabStatusChanged;
import io.twlab.event.EventPayload.RunProgress;
import io.twlab.event.EventPayload.StateCounts;
import io.twlab.event.EventPayload.TransitionSummary;
import io.twlab.lab.LabStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchStreamTest {
  private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

  @Test
  void filtersByNodeStateAndPortButAlwaysPassesLabAndRunEvents() {
    EventFilter filter = EventFilter.parse(List.of("client"), List.of("time_wait"), List.of("6379"));
    List<LabEvent> log = List.of(
        transition(1, 0, "client", "10.0.0.2:40000", "10.0.0.3:6379", TcpState.FIN_WAIT2, TcpState.TIME_WAIT),
        transition(2, 0, "server", "10.0.0.3:6379", "10.0.0.2:40000", TcpState.LAST_ACK, TcpState.CLOSED),
        transition(3, 0, "client", "10.0.0.2:40001", "10.0.0.3:5000", TcpState.FIN_WAIT2, TcpState.TIME_WAIT),
        transition(4, 0, "client", "10.0.0.2:40002", "10.0.0.3:6379", TcpState.SYN_SENT, TcpState.ESTABLISHED),
        new LabEvent(5, "lab", T0, new EventPayload.StateCounts("server", Map.of())),
        new LabEvent(6, "lab", T0, new EventPayload.LabStatusChanged(LabStatus.READY, "ready")));

    List<Long> delivered = new WatchStream(filter, Detail.CONNECTIONS).accept(log).stream()
        .map(LabEvent::sequence).toList();
    assertEquals(List.of(1L, 6L), delivered);
  }

  @Test
  void badFilterValuesAreNamed() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> EventFilter.parse(List.of(), List.of("TIME_WAITING"), List.of("70000")));
    assertEquals(List.of("states", "ports"), e.violations().stream().map(v -> v.field()).toList());
  }

  @Test
  void autoDeliversTransitionsOneByOneUntilAFloodThenSummarisesTheRestOfTheSecond() {
    List<LabEvent> flood = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      flood.add(transition(i, i, "client", "10.0.0.2:" + (40000 + i), "10.0.0.3:6379", TcpState.FIN_WAIT2,
          TcpState.TIME_WAIT));
    }
    WatchStream stream = new WatchStream(EventFilter.ALL, Detail.AUTO);
    List<LabEvent> out = stream.accept(flood);
    out.addAll(stream.flush());

    assertEquals(WatchStream.AUTO_LIMIT + 1, out.size());
    EventPayload.TransitionSummary summary = assertInstanceOf(EventPayload.TransitionSummary.class,
        out.get(out.size() - 1).payload());
    assertEquals(Map.of("FIN_WAIT2->TIME_WAIT", 100), summary.transitions());
    assertEquals(201, summary.fromSequence());
    assertEquals(300, summary.toSequence());
    assertEquals(300, out.get(out.size() - 1).sequence(), "resuming after the summary loses nothing");
  }

  @Test
  void aggregatedSummariesNeverArriveAfterTheEventsThatFollowedThem() {
    List<LabEvent> log = List.of(
        transition(1, 0, "client", "a:1", "b:2", TcpState.CLOSED, TcpState.SYN_SENT),
        transition(2, 1, "client", "a:1", "b:2", TcpState.SYN_SENT, TcpState.ESTABLISHED),
        new LabEvent(3, "lab", T0.plusMillis(2), new EventPayload.RunProgress("run", "s", "p", "m", 1, 2)),
        transition(4, 3, "server", "b:2", "a:1", TcpState.CLOSED, TcpState.ESTABLISHED));
    WatchStream stream = new WatchStream(EventFilter.ALL, Detail.AGGREGATED);
    List<LabEvent> out = new ArrayList<>(stream.accept(log));
    out.addAll(stream.flush());

    assertEquals(List.of(2L, 3L, 4L), out.stream().map(LabEvent::sequence).toList());
    assertEquals(Map.of("CLOSED->SYN_SENT", 1, "SYN_SENT->ESTABLISHED", 1),
        ((EventPayload.TransitionSummary) out.get(0).payload()).transitions());
    assertInstanceOf(EventPayload.TransitionSummary.class, out.get(2).payload());
  }

  private static LabEvent transition(long seq, long millis, String node, String local, String remote, TcpState from,
      TcpState to) {
    return new LabEvent(seq, "lab", T0.plusMillis(millis),
        new EventPayload.ConnectionTransition(new SocketChange(node, T0.plusMillis(millis),
            new SocketKey(local, remote), from, to, Optional.empty(), true)));
  }
}
