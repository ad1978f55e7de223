package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.proto.v1.V1.DeleteLabRequest;
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

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void labsTheRestartStoppedFailANewLabWorksAndTheOwnerLockIsTakenAgain() throws Exception {
    Lab before = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    try {
      dockerd("restart");
    } finally {
      dockerd();
    }
    // Its nodes stopped with the engine.
    twlab.awaitStatus(before, LabStatus.LAB_STATUS_FAILED, Duration.ofSeconds(60));
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
