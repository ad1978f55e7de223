package io.twlab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.observe.TracerLine.Anchor;
import io.twlab.observe.TracerLine.Change;
import io.twlab.observe.TracerLine.Heartbeat;
import io.twlab.observe.TracerLine.Lost;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TracerLineTest {

  @Test
  void readsWhatTwlabTracerPrints() {
    assertEquals(Optional.of(new TracerLine.Anchor(9424662019667L, 1795338324674891432L)),
        TracerLine.parse("A 9424662019667 1795338324674891432"));
    assertEquals(Optional.of(new TracerLine.Change(new TraceEvent(9431345036979L, 4026532258L, 0xffff888104610940L,
            "10.213.250.2:53954", "10.213.250.3:7000", TcpState.SYN_SENT, TcpState.ESTABLISHED), 1)),
        TracerLine.parse("T 9431345036979 4026532258 ffff888104610940 10.213.250.2:53954 10.213.250.3:7000 2 1 1"));
    assertEquals(Optional.of(new TracerLine.Lost(17)), TracerLine.parse("Lost 17 events"));
    assertEquals(Optional.of(new TracerLine.Change(new ResetSent(9888578241797L, 4026532258L,
            new SocketKey("172.19.0.2:5201", "172.19.0.3:32980"), TcpState.SYN_SENT), 1)),
        TracerLine.parse("R 9888578241797 4026532258 172.19.0.2:5201 172.19.0.3:32980 2 1"));
    assertEquals(Optional.of(new TracerLine.Change(new ResetSent(9888588156203L, 4026532333L,
            new SocketKey("172.19.0.3:32980", "172.19.0.2:5201"), TcpState.CLOSED), 1)),
        TracerLine.parse("R 9888588156203 4026532333 172.19.0.3:32980 172.19.0.2:5201 0 1"),
        "an RST no socket sent (the segment it answers matched none)");
    assertEquals(Optional.of(new TracerLine.Heartbeat(9431345036979L, 0)), TracerLine.parse("H 9431345036979 0"));
  }

  @Test
  void kernelCloseIsClosedAndAPortlessConnectIsRecognised() {
    TracerLine.Change c = (TracerLine.Change) TracerLine.parse(
        "T 1 2 ffff888104610940 10.213.250.2:0 10.213.250.3:7000 7 2 0").orElseThrow();
    TraceEvent event = (TraceEvent) c.event();
    assertEquals(TcpState.CLOSED, event.from());
    assertTrue(event.portless());
  }

  @Test
  void ignoresWhatItDoesNotKnow() {
    assertEquals(Optional.empty(), TracerLine.parse("ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK"));
    assertEquals(Optional.empty(), TracerLine.parse("Attaching 3 probes..."));
    assertEquals(Optional.empty(), TracerLine.parse("T 1 2 zz a b 1 1 0"));
    assertEquals(Optional.empty(), TracerLine.parse("T 1 2 ff a b 1 1 0 9"), "a field too many");
    assertEquals(Optional.empty(), TracerLine.parse("T 1 2 ff a  1 1 0"), "an empty field");
    assertEquals(Optional.empty(), TracerLine.parse("H 1"));
    assertEquals(Optional.empty(), TracerLine.parse(""));
    assertEquals(Optional.empty(), TracerLine.parse("T 1 2 ff a b 1 99 0"));
  }
}
