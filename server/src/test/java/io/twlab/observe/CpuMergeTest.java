package io.twlab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.twlab.core.TcpState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuMergeTest {
  private static final long MS = 1_000_000;
  private final CpuMerge merge = new CpuMerge(Duration.ofSeconds(1));

  @Test
  void aChangeWaitsUntilEveryCpuHasReportedPastIt() {
    merge.advance(0, 0);
    merge.advance(1, 0);
    // CPU 1's FIN_WAIT1 -> FIN_WAIT2 arrives before CPU 0's ESTABLISHED -> FIN_WAIT1, which happened first.
    merge.hold(change(20 * MS, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2));
    assertEquals(List.of(), merge.advance(1, 20 * MS), "CPU 0 has not reported past 20 ms yet");
    merge.hold(change(10 * MS, TcpState.ESTABLISHED, TcpState.FIN_WAIT1));

    List<Traced> released = merge.advance(0, 25 * MS);

    assertEquals(List.of(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2),
        released.stream().map(t -> ((TraceEvent) t).to()).toList(),
        "released in kernel time order");
    assertEquals(20 * MS, merge.watermark());
  }

  @Test
  void aSilentCpuHoldsNothingBackForLongerThanTheLimit() {
    merge.advance(0, 0);
    merge.advance(1, 0);
    merge.hold(change(100 * MS, TcpState.SYN_SENT, TcpState.ESTABLISHED));

    assertEquals(List.of(), merge.advance(1, 900 * MS), "CPU 0 could still report something older");
    assertEquals(1, merge.advance(1, 1_200 * MS).size(), "CPU 0 has been silent for over 1 s");
  }

  @Test
  void aChangeOlderThanWhatWasReleasedIsSaidToBeLate() {
    merge.advance(0, 0);
    merge.advance(1, 0);
    merge.advance(1, 1_500 * MS);

    boolean inTime = merge.hold(change(200 * MS, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2));

    assertFalse(inTime, "CPU 0 reported a change from before the watermark (500 ms) only now");
    assertEquals(1, merge.advance(0, 300 * MS).size(), "it is still delivered, next");
  }

  @Test
  void aChangeAtTheWatermarkIsComplete() {
    merge.advance(0, 5 * MS);
    merge.hold(change(5 * MS, TcpState.LAST_ACK, TcpState.CLOSED));

    assertEquals(1, merge.advance(0, 5 * MS).size());
  }

  private static TraceEvent change(long monotonicNanos, TcpState from, TcpState to) {
    return new TraceEvent(monotonicNanos, 1, 42, "10.0.0.2:40000", "10.0.0.3:5000", from, to);
  }
}
