package io.twlab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConntrackParserTest {

  @Test
  void readsTheOriginalAndTheTranslatedTuple() {
    assertEquals(Optional.of(new ConntrackParser.NatMapping("NEW", "SYN_SENT",
            "10.213.0.2:35944 -> 10.213.0.3:5000", "10.213.1.3:5000 -> 10.213.1.2:61002")),
        ConntrackParser.parse("    [NEW] tcp      6 120 SYN_SENT src=10.213.0.2 dst=10.213.0.3 sport=35944 "
            + "dport=5000 [UNREPLIED] src=10.213.1.3 dst=10.213.1.2 sport=5000 dport=61002"));
    assertEquals(Optional.of(new ConntrackParser.NatMapping("DESTROY", "",
            "10.213.0.2:35944 -> 10.213.0.3:5000", "10.213.1.3:5000 -> 10.213.1.2:61002")),
        ConntrackParser.parse(" [DESTROY] tcp      6 src=10.213.0.2 dst=10.213.0.3 sport=35944 dport=5000 "
            + "src=10.213.1.3 dst=10.213.1.2 sport=5000 dport=61002 [ASSURED]"));
    assertEquals(Optional.empty(), ConntrackParser.parse("conntrack v1.4.7 (conntrack-tools): 3 flow events"));
  }
}
