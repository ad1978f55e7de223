package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.ConnectionTransition;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.TcpState;
import org.junit.jupiter.api.Test;

class TimeWaitTrackerTest {

  @Test
  void countsTimeWaitPerNodeAndCountsDownToTheNextExpiry() {
    TimeWaitTracker tracker = new TimeWaitTracker();
    tracker.accept(transition("client", ":1", TcpState.TCP_STATE_ESTABLISHED, TcpState.TCP_STATE_TIME_WAIT, 1_000, 60_000));
    tracker.accept(transition("client", ":2", TcpState.TCP_STATE_ESTABLISHED, TcpState.TCP_STATE_TIME_WAIT, 5_000, 60_000));
    tracker.accept(transition("server", ":3", TcpState.TCP_STATE_ESTABLISHED, TcpState.TCP_STATE_TIME_WAIT, 2_000, 60_000));

    assertEquals("TIME_WAIT client 2 (next expires in 47 s), server 1 (next expires in 48 s)", tracker.describe(14_000));

    tracker.accept(transition("client", ":1", TcpState.TCP_STATE_TIME_WAIT, TcpState.TCP_STATE_CLOSED, 61_000, -1));
    tracker.accept(transition("server", ":3", TcpState.TCP_STATE_TIME_WAIT, TcpState.TCP_STATE_CLOSED, 62_000, -1));
    assertEquals("TIME_WAIT client 1 (next expires in 3 s)", tracker.describe(62_000));
    tracker.accept(transition("client", ":2", TcpState.TCP_STATE_TIME_WAIT, TcpState.TCP_STATE_CLOSED, 65_000, -1));
    assertEquals("", tracker.describe(65_000));
  }

  private static LabEvent transition(String node, String local, TcpState from, TcpState to, long atMs, long timerMs) {
    ConnectionTransition.Builder t = ConnectionTransition.newBuilder().setNode(node).setLocal(local).setRemote("r")
        .setFrom(from).setTo(to);
    if (timerMs >= 0) {
      t.setTimeWaitRemaining(Durations.fromMillis(timerMs));
    }
    return LabEvent.newBuilder().setTime(Timestamps.fromMillis(atMs)).setTransition(t).build();
  }
}
