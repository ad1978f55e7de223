package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.ConnectionTransition;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.StateCounts;
import io.twlab.proto.v1.V1.TcpState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeStateTableTest {

  @Test
  void oneRowPerNodeWithTheStatesSeenAndTheNextExpiry() {
    NodeStateTable table = new NodeStateTable();
    assertEquals(List.of(), table.lines(0));
    table.accept(counts("server", Map.of()));
    table.accept(counts("client", Map.of("TIME_WAIT", 2, "FIN_WAIT2", 1)));
    table.accept(LabEvent.newBuilder().setTime(Timestamps.fromMillis(1_000)).setTransition(ConnectionTransition
        .newBuilder().setNode("client").setLocal("a:1").setRemote("b:2").setFrom(TcpState.TCP_STATE_FIN_WAIT2)
        .setTo(TcpState.TCP_STATE_TIME_WAIT).setTimeWaitRemaining(Durations.fromSeconds(60))).build());

    assertEquals(List.of(
        "NODE    ESTABLISHED  FIN_WAIT2  TIME_WAIT  NEXT TIME_WAIT EXPIRY",
        "client  0            1          2          in 47 s",
        "server  0            0          0          -"), table.lines(14_000));
  }

  private static LabEvent counts(String node, Map<String, Integer> counts) {
    return LabEvent.newBuilder().setStateCounts(StateCounts.newBuilder().setNode(node).putAllCounts(counts)).build();
  }
}
