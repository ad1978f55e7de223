package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LabStatus;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults the test injects into a running server's world: a node dies mid-run, the kernel tracer
 * dies, the host observer's container is removed.
 */
class FaultsIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void aNodeKilledMidRunFailsTheRunNamingItAndTheLabIsDeletedCleanly() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("nat").build());
    Run started = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("redis-flood").putParams("connections", "10000").build());
    awaitRunning(started.getId());
    TwlabFixture.docker("kill", TwlabFixture.container(lab, "redis"));

    Run failed = awaitEnd(started.getId());
    assertEquals(RunState.RUN_STATE_FAILED, failed.getState(), failed.getError());
    assertTrue(failed.getError().startsWith("node redis stopped (exit code 137) during the run"), failed.getError());
    Lab marked = twlab.grpc().getLab(GetLabRequest.newBuilder().setLabId(lab.getId()).build());
    assertEquals(LabStatus.LAB_STATUS_FAILED, marked.getStatus());
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> twlab.grpc().runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nc-timewait").setWait(true).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode(), refused.getMessage());

    twlab.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
    twlab.forget(lab.getId());
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.lab=" + lab.getId()));
  }

  @Test
  void aKilledTracerIsNoticedThenStartedAgainWithinTenSeconds() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    List<String> notices = new CopyOnWriteArrayList<>();
    Context.CancellableContext call = Context.current().withCancellation();
    call.run(() -> twlab.asyncGrpc().watchLab(WatchLabRequest.newBuilder().setLabId(lab.getId()).build(),
        new StreamObserver<LabEvent>() {
          @Override
          public void onNext(LabEvent event) {
            if (event.hasNotice()) {
              notices.add(event.getNotice().getMessage());
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        }));
    try {
      String observer = "twlab-observer-" + twlab.owner;
      String tracer = TwlabFixture.docker("top", observer, "-o", "pid,comm").stream()
          .filter(l -> l.trim().endsWith(" twlab-trace")).map(l -> l.trim().split("\\s+")[0]).findFirst()
          .orElseThrow(() -> new AssertionError("the observer runs twlab-trace"));
      long killed = System.nanoTime();
      TwlabFixture.docker("exec", observer, "kill", "-KILL", tracer);
      await(notices, m -> m.startsWith("the kernel tracer stopped reporting"));
      await(notices, m -> m.equals("the kernel tracer reports again"));
      assertTrue(System.nanoTime() - killed < 10_000_000_000L, "tracing again within 10 s: " + notices);

      // Traced again: a connect's SYN_SENT, far shorter than a sample's period, is seen.
      Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
          .setScenario("nc-timewait").setWait(true).build());
      assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
      assertEquals(List.of(), run.getObservationIncompleteList(), "nothing the kernel counted went unobserved");
    } finally {
      call.cancel(null);
    }
  }

  @Test
  void aRemovedObserverFailsTheLabsItWatchedAndStartsAgainForTheNextLab() throws Exception {
    Lab watched = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    TwlabFixture.docker("rm", "-f", "twlab-observer-" + twlab.owner);
    // A lab nothing observes any more cannot be graded.
    twlab.awaitStatus(watched, LabStatus.LAB_STATUS_FAILED, Duration.ofSeconds(30));
    twlab.tracedS1InANewLab();
  }

  private static void await(List<String> notices, Predicate<String> wanted) throws InterruptedException {
    for (int i = 0; i < 150 && notices.stream().noneMatch(wanted); i++) {
      Thread.sleep(100);
    }
    assertTrue(notices.stream().anyMatch(wanted), "notices so far: " + notices);
  }

  private static void awaitRunning(String runId) throws InterruptedException {
    // The flood's load is on its way once the run has been going for a moment.
    Thread.sleep(1_500);
    assertEquals(RunState.RUN_STATE_RUNNING, run(runId).getState());
  }

  private static Run awaitEnd(String runId) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      Run run = run(runId);
      if (run.getState() != RunState.RUN_STATE_RUNNING) {
        return run;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("run " + runId + " still running 60 s after the fault");
  }

  private static Run run(String runId) {
    return twlab.grpc().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
  }
}
