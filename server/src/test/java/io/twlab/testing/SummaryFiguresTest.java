package io.twlab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.proto.v1.V1.LoadReport;
import io.twlab.proto.v1.V1.NatCollisionCase;
import io.twlab.proto.v1.V1.NatCollisionResult;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.V1.TwBucketsResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryFiguresTest {
  private static final ScenarioResult BUCKETS = ScenarioResult.newBuilder().setTwBuckets(TwBucketsResult.newBuilder()
      .setMaxTwBuckets(10).setPortRange("40000-40099").setTimeWaitPeak(10).setTimeWaitOverflow(290)
      .setLoad(LoadReport.newBuilder().setNode("bucket-client").setAttempted(300).setSucceeded(300)
          .setConnectionsPerSecond(2_830.4).putErrors("EADDRNOTAVAIL", 0))).build();

  @Test
  void figuresFromFieldsStringsAndRoundedDoublesAreFounded() {
    assertEquals(List.of(), SummaryFigures.unfounded("with ports 40000-40099 and tcp_max_tw_buckets=10, 300 of 300 "
        + "connections succeeded at 2830 conn/s; TIME_WAIT on bucket-client peaked at 10 and TcpExtTCPTimeWaitOverflow "
        + "counted 290 (2 MSL = 60 s, FIN_WAIT2, nat-ts1-c1, 10.0.0.2:40001)", BUCKETS, Map.of()));
  }

  @Test
  void aFigureNoFieldHoldsIsNamed() {
    assertEquals(List.of("289 (at \"TcpExtTCPTimeWaitOverflow counted 289 sockets\")"),
        SummaryFigures.unfounded("TcpExtTCPTimeWaitOverflow counted 289 sockets", BUCKETS, Map.of()));
    assertEquals(List.of("2830.0 (at \"at 2830.0 conn/s\")"), SummaryFigures.unfounded("at 2830.0 conn/s", BUCKETS, Map.of()),
        "stated to a decimal it does not have");
  }

  @Test
  void sumsOverAListAndParametersAreFounded() {
    ScenarioResult nat = ScenarioResult.newBuilder().setNatCollision(NatCollisionResult.newBuilder()
        .addCases(NatCollisionCase.newBuilder().addLoads(LoadReport.newBuilder().setAttempted(40).setSucceeded(39))
            .addLoads(LoadReport.newBuilder().setAttempted(40).setSucceeded(40)))).build();

    assertEquals(List.of(), SummaryFigures.unfounded("1 case: 79/80 connected by 2 clients through 5 ports", nat,
        Map.of("snat-ports", "5")));
    assertEquals(List.of("81 (at \"81/80 connected\")"), SummaryFigures.unfounded("81/80 connected", nat, Map.of()));
  }
}
