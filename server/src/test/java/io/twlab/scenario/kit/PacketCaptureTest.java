package io.twlab.scenario.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.scenario.kit.PacketCapture;
import io.twlab.scenario.kit.PacketCapture.Capture;
import org.junit.jupiter.api.Test;

class PacketCaptureTest {

  @Test
  void readsDirectionFlagsAndRelativeTimes() {
    PacketCapture.Capture capture = PacketCapture.parse("""
        1795332826.684581 eth0  In  IP 10.250.9.2.43296 > 10.250.9.3.6379: Flags [S], seq 325450186, win 64240, length 0
        1795332826.684602 eth0  Out IP 10.250.9.3.6379 > 10.250.9.2.43296: Flags [S.], seq 191377372, ack 325450187, length 0
        tcpdump: listening on any
        1795332827.084709 eth0  Out IP 10.250.9.3.6379 > 10.250.9.2.43296: Flags [F.], seq 8, ack 7, length 0
        1795332827.185327 eth0  In  IP 10.250.9.2.43296 > 10.250.9.3.6379: Flags [R], seq 9, win 0, length 0
        """);
    assertEquals(4, capture.packets().size());
    assertEquals(1795332826.684581, capture.startEpochSeconds(), 1e-6);
    assertFalse(capture.packets().get(0).outgoing());
    assertEquals("S.", capture.packets().get(1).flags());
    assertEquals(0.400128, capture.packets().get(2).atSeconds(), 1e-6);
    assertEquals(1, capture.matching(true, "F").size());
    assertTrue(capture.matching(false, "R").get(0).line().contains("Flags [R]"));
  }
}
