package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LabStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine restarts under a running server (dockerd stopped and started again: every container
 * stops). Runs in its own failsafe execution, after every other integration test of the server,
 * and leaves dockerd running whatever happens (.ci/dockerd).
 */
class DockerRestartIT {
  private static final Path DOCKERD = Path.of("..", ".ci", "dockerd");

  /** Short enough for a frozen engine to fail a call before the observer's watchdog (15 s) gives up. */
  private static final Duration ENGINE_BOUND = Duration.ofSeconds(4);

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().engineBound(ENGINE_BOUND);

  @Test
  void labsTheRestartStoppedFailAndAreClearedANewLabWorksAndTheOwnerLockIsTakenAgain() throws Exception {
    Lab before = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    try {
      dockerd("restart");
    } finally {
      dockerd();
    }
    // Its nodes stopped with the engine: nothing heals it, so its containers and networks go.
    twlab.awaitStatus(before, LabStatus.LAB_STATUS_FAILED, Duration.ofSeconds(60));
    List<String> left = TwlabFixture.dockerObjects("io.twlab.lab=" + before.getId());
    for (int i = 0; i < 600 && !left.isEmpty(); i++) {
      Thread.sleep(100);
      left = TwlabFixture.dockerObjects("io.twlab.lab=" + before.getId());
    }
    assertEquals(List.of(), left, "the failed lab's Docker objects are removed by the server");
    Lab cleared = twlab.grpc().getLab(GetLabRequest.newBuilder().setLabId(before.getId()).build());
    assertEquals(LabStatus.LAB_STATUS_FAILED, cleared.getStatus());
    twlab.tracedS1InANewLab();
    List<String> lock = List.of();
    for (int i = 0; i < 300 && lock.isEmpty(); i++) {
      Thread.sleep(100);
      lock = TwlabFixture.docker("ps", "-q", "--filter", "label=io.twlab.lock=" + twlab.owner);
    }
    assertEquals(1, lock.size(), "the server takes its owner lock again");

    twlab.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(before.getId()).build());
    twlab.forget(before.getId());
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.lab=" + before.getId()));
  }

  @Test
  void aCallTheFrozenEngineDoesNotAnswerFailsWithinItsBoundNamingTheEngine() throws Exception {
    LabSpec spec = LabSpec.newBuilder().setTopology("direct").build();
    StatusRuntimeException refused;
    long started;
    try {
      dockerd("freeze");
      started = System.nanoTime();
      refused = assertThrows(StatusRuntimeException.class, () -> twlab.grpc().createLab(
          CreateLabRequest.newBuilder().setSpec(spec).build()));
    } finally {
      dockerd("thaw");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.getMessage());
    assertTrue(refused.getMessage().contains("the Docker engine did not answer"), refused.getMessage());
    assertTrue(took.compareTo(ENGINE_BOUND.multipliedBy(3)) < 0, "refused after " + took);

    // What a call cut short may still make once the engine goes on belongs to no lab: removed.
    String stray = "lab-stray" + twlab.owner.substring(twlab.owner.length() - 8);
    TwlabFixture.docker("network", "create", "--internal", "--label", "io.twlab.owner=" + twlab.owner,
        "--label", "io.twlab.lab=" + stray, stray);
    List<String> left = TwlabFixture.dockerObjects("io.twlab.lab=" + stray);
    for (int i = 0; i < 600 && !left.isEmpty(); i++) {
      Thread.sleep(100);
      left = TwlabFixture.dockerObjects("io.twlab.lab=" + stray);
    }
    assertEquals(List.of(), left, "objects of a lab the server does not hold are removed");
    twlab.tracedS1InANewLab();
  }

  private static void dockerd(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("bash", DOCKERD.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(".ci/dockerd " + String.join(" ", args) + " failed: " + out);
    }
  }
}
