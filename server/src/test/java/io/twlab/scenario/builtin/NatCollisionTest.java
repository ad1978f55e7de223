package io.twlab.scenario.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.scenario.kit.Packet;
import io.twlab.scenario.kit.PacketCapture;
import java.util.List;
import org.junit.jupiter.api.Test;

class NatCollisionTest {
  private static final String CAPTURE = """
      1795332825.999000 eth0  In  IP 10.250.9.2.61003 > 10.250.9.3.6379: Flags [S], seq 300, win 64240, length 0
      1795332826.000100 eth0  In  IP 10.250.9.2.61001 > 10.250.9.3.6379: Flags [S], seq 100, win 64240, length 0
      1795332826.000120 eth0  Out IP 10.250.9.3.6379 > 10.250.9.2.61001: Flags [.], ack 900, win 502, length 0
      1795332826.000200 eth0  In  IP 10.250.9.2.61002 > 10.250.9.3.6379: Flags [S], seq 500, win 64240, length 0
      1795332826.000210 eth0  Out IP 10.250.9.3.6379 > 10.250.9.2.61002: Flags [S.], seq 7, ack 501, length 0
      1795332826.000300 eth0  In  IP 10.250.9.2.61001 > 10.250.9.3.6379: Flags [R], seq 900, win 0, length 0
      1795332826.001300 eth0  In  IP 10.250.9.2.61001 > 10.250.9.3.6379: Flags [S], seq 100, win 64240, length 0
      1795332826.001320 eth0  Out IP 10.250.9.3.6379 > 10.250.9.2.61001: Flags [S.], seq 9, ack 101, length 0
      1795332826.001400 eth0  In  IP 10.250.9.2.61001 > 10.250.9.3.6379: Flags [.], ack 10, length 0
      """;

  @Test
  void aSynRefusedByTimeWaitThenResetAndRetriedIsOneChallengedConnect() {
    List<List<Packet>> challenged = NatCollision.challengedConnects(PacketCapture.parse(CAPTURE).packets());

    assertEquals(1, challenged.size(), "the other peers' SYNs met no TIME_WAIT");
    assertEquals(List.of("in S", "out .", "in R", "in S", "out S."),
        challenged.get(0).stream().map(p -> p.direction() + " " + p.flags()).toList());
    assertEquals("10.250.9.2.61001", challenged.get(0).get(1).peer());
    assertEquals(0.00122, challenged.get(0).get(4).atSeconds(), 1e-9, "timed from its first SYN");
  }

  @Test
  void theExampleShownIsTheChallengedConnectOfMedianDelayNotTheFirst() {
    List<List<Packet>> challenged = List.of(exchange(1.01), exchange(0.012), exchange(0.025));
    assertEquals(0.025, NatCollision.typical(challenged).get(3).atSeconds(), 1e-9);
    assertEquals(List.of(), NatCollision.typical(List.of()));
  }

  private static List<Packet> exchange(double synAgain) {
    return List.of(new Packet(0, false, "S", "s"), new Packet(0.0001, true, ".", "a"),
        new Packet(synAgain - 0.0001, false, "R", "r"), new Packet(synAgain, false, "S", "s"),
        new Packet(synAgain + 0.0001, true, "S.", "sa"));
  }
}
