package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LabStatus;
import io.twlab.proto.v1.V1.ListLabsRequest;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A restarted server finds its labs on the engine and takes them over; broken leftovers are removed. */
class ReadoptionIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void restartedServerReadoptsALiveLabAndRemovesABrokenOne() throws Exception {
    Lab live = twlab.createLab(LabSpec.newBuilder().setTopology("nat").build());
    Lab broken = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    String brokenServer = TwlabFixture.docker("ps", "-q", "--filter", "label=io.twlab.lab=" + broken.getId(),
        "--filter", "label=io.twlab.node=server").get(0);

    twlab.stopServer();
    TwlabFixture.docker("rm", "-f", brokenServer);
    twlab.start();

    List<String> labs = twlab.grpc().listLabs(ListLabsRequest.getDefaultInstance()).getLabsList().stream()
        .map(Lab::getId).toList();
    assertEquals(List.of(live.getId()), labs);
    Lab adopted = twlab.grpc().getLab(GetLabRequest.newBuilder().setLabId(live.getId()).build());
    assertEquals(LabStatus.LAB_STATUS_READY, adopted.getStatus());
    assertEquals(live.getNodesList(), adopted.getNodesList());
    assertEquals(live.getExpiresAt(), adopted.getExpiresAt());
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.lab=" + broken.getId()));
    twlab.forget(broken.getId());

    // The adopted lab is observed and usable.
    Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(live.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    assertEquals("client1", run.getResult().getNcTimeWait().getTimeWaitNode());
    assertTrue(run.getResult().getNcTimeWait().getNodesList().stream().allMatch(n -> n.getStatesCount() >= 2));
  }
}
