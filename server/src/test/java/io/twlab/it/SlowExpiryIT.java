package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.proto.v1.GetLabRequest;
import io.twlab.proto.v1.Lab;
import io.twlab.proto.v1.LabSpec;
import io.twlab.proto.v1.NcTimeWaitResult;
import io.twlab.proto.v1.NodeConfig;
import io.twlab.proto.v1.Run;
import io.twlab.proto.v1.RunScenarioRequest;
import io.twlab.proto.v1.RunState;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The slow group: what takes the kernel's 60 s. One lab's TTL runs out while another measures a
 * TIME_WAIT to its expiry, so the two waits overlap.
 */
class SlowExpiryIT {

  @Test
  void timeWaitLastsSixtySecondsWhateverFinTimeoutSaysAndLabsAreReapedAtTheirTtl() throws Exception {
    try (TwlabFixture twlab = new TwlabFixture()) {
      Lab shortLived = twlab.createLab(LabSpec.newBuilder().setTopology("direct")
          .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(60)).build());
      Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct")
          .putNodes("client", NodeConfig.newBuilder().putSysctls("net.ipv4.tcp_fin_timeout", "5").build()).build());

      Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
          .setScenario("nc-timewait").putParams("wait-expiry", "true").setWait(true).build());

      assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
      NcTimeWaitResult result = run.getResult().getNcTimeWait();
      assertTrue(result.getExpiryMeasured());
      long lifetimeMs = Durations.toMillis(result.getTimeWaitLifetime());
      // 2 MSL = 60 s on Linux; sampling every 100 ms and the timer wheel add well under 2 s.
      assertTrue(lifetimeMs >= 58_000 && lifetimeMs <= 62_000, "TIME_WAIT lasted " + lifetimeMs + " ms");

      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!TwlabFixture.dockerObjects("io.twlab.lab=" + shortLived.getId()).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(1_000);
      }
      assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.lab=" + shortLived.getId()), "lab not reaped at its TTL");
      StatusRuntimeException gone = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
          () -> twlab.grpc().getLab(GetLabRequest.newBuilder().setLabId(shortLived.getId()).build()));
      assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
      twlab.forget(shortLived.getId());
    }
  }
}
