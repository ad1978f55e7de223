package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LabStatus;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
  void labsTheRestartStoppedFailAndANewLabWorks() throws Exception {
    Lab before = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    try {
      dockerd("restart");
    } finally {
      dockerd();
    }
    Lab stopped = before;
    for (int i = 0; i < 600 && stopped.getStatus() != LabStatus.LAB_STATUS_FAILED; i++) {
      Thread.sleep(100);
      stopped = twlab.grpc().getLab(GetLabRequest.newBuilder().setLabId(before.getId()).build());
    }
    assertEquals(LabStatus.LAB_STATUS_FAILED, stopped.getStatus(), "its nodes stopped with the engine");

    Lab after = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(after.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    assertEquals(List.of(), run.getObservationIncompleteList(), "traced again");

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
