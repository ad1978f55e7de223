package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.twlab.proto.v1.V1.CreateLabRequest;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server killed with SIGKILL during a flood, then started again on the same data directory:
 * what the users of the killed one hold (a run id, a lab, a stream position) still means something.
 * Then stopped with SIGTERM during a run, which it lets finish.
 */
class ServerCrashIT {
  private final String owner = "twlab-it-" + UUID.randomUUID().toString().substring(0, 8);
  private Path dataDir;

  @Test
  void aServerKilledDuringAFloodLeavesTheRunInterruptedAndTheLabResetAndUsable() throws Exception {
    dataDir = Files.createTempDirectory(owner + "-data");
    Lab lab;
    String runId;
    long lastSeen;
    List<String> startedByTheKilledServer;
    String graceful;
    try (ServerProcess first = ServerProcess.start(owner, dataDir)) {
      lab = first.grpc().createLab(CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("nat"))
          .build());
      List<Long> sequences = new CopyOnWriteArrayList<>();
      Context.CancellableContext watching = watch(first, lab, 0, event -> sequences.add(event.getSequence()));
      runId = first.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
          .setScenario("redis-flood").putParams("connections", "10000").build()).getId();
      Thread.sleep(2_000);
      assertEquals(RunState.RUN_STATE_RUNNING, first.grpc().getRun(GetRunRequest.newBuilder().setRunId(runId).build())
          .getState(), "the flood is under way when the server dies");
      lastSeen = sequences.get(sequences.size() - 1);
      // What nat-collision's narrowed SNAT pool would be if the server died during it.
      TwlabFixture.docker("exec", TwlabFixture.container(lab, "gateway"), "iptables", "-t", "nat", "-I", "POSTROUTING", "-m", "comment",
          "--comment", "twlab-run", "-p", "tcp", "-j", "MASQUERADE", "--to-ports", "40000-40001");
      startedByTheKilledServer = startedByExec(lab);
      assertTrue(startedByTheKilledServer.stream().anyMatch(p -> p.endsWith(" timeout")), "its conntrack stream, at least: "
          + startedByTheKilledServer);
      first.kill();
      watching.cancel(null);
    }

    try (ServerProcess second = ServerProcess.start(owner, dataDir)) {
      Run interrupted = second.grpc().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
      assertEquals(RunState.RUN_STATE_INTERRUPTED, interrupted.getState());
      assertTrue(interrupted.getError().startsWith("interrupted: the server stopped while the run was in progress"),
          interrupted.getError());

      Lab adopted = second.grpc().getLab(GetLabRequest.newBuilder().setLabId(lab.getId()).build());
      assertEquals(LabStatus.LAB_STATUS_READY, adopted.getStatus());
      assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.run=" + runId),
          "the run's nodes are gone");
      List<String> left = startedByExec(lab);
      assertTrue(startedByTheKilledServer.stream().noneMatch(left::contains), "left: " + left);
      List<String> natRules = TwlabFixture.docker("exec", TwlabFixture.container(lab, "gateway"), "iptables", "-t", "nat", "-S", "POSTROUTING");
      assertTrue(natRules.stream().noneMatch(r -> r.contains("twlab-run")), "run rules are removed: " + natRules);
      assertTrue(natRules.stream().anyMatch(r -> r.contains("MASQUERADE")), "the lab's own rule stays: " + natRules);

      // A watcher resuming from where the killed server's stream stopped is told what was lost.
      List<LabEvent> resumed = new CopyOnWriteArrayList<>();
      Context.CancellableContext watching = watch(second, lab, lastSeen, resumed::add);
      try {
        for (int i = 0; i < 100 && resumed.isEmpty(); i++) {
          Thread.sleep(100);
        }
        LabEvent first = resumed.get(0);
        assertTrue(first.hasGap() && first.getGap().getReason().startsWith("the server restarted at"), first.toString());
        assertEquals(lastSeen + 1, first.getGap().getFromSequence());
        assertTrue(resumed.stream().anyMatch(e -> e.hasRunFinished() && e.getRunFinished().getRun().getId().equals(runId)
            && e.getRunFinished().getRun().getState() == RunState.RUN_STATE_INTERRUPTED), resumed.toString());
      } finally {
        watching.cancel(null);
      }

      Run again = second.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
          .setScenario("nc-timewait").setWait(true).build());
      assertEquals(RunState.RUN_STATE_SUCCEEDED, again.getState(), again.getError());

      ServerProcess.Refusal refusal = ServerProcess.startRefused(owner, dataDir.resolve("another"));
      assertEquals(1, refusal.exitCode(), refusal.output());
      assertTrue(refusal.output().contains("another twlab server with owner " + owner + " is running on this Docker "
          + "engine (server process "), refusal.output());

      // Stopped with SIGTERM (as `docker stop` does) during a run: the run has its grace to finish.
      graceful = second.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
          .setScenario("nc-timewait").build()).getId();
    }

    try (ServerProcess third = ServerProcess.start(owner, dataDir)) {
      Run finished = third.grpc().getRun(GetRunRequest.newBuilder().setRunId(graceful).build());
      assertEquals(RunState.RUN_STATE_SUCCEEDED, finished.getState(), finished.getError());
      third.grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
    }
    assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.lock=" + owner),
        "a server that stops releases its lock");
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + owner));
  }

  /**
   * The processes `docker exec` started in the lab's nodes (they have no parent inside the
   * container), but this ps and each node's init: "container pid command".
   */
  private static List<String> startedByExec(Lab lab) throws Exception {
    List<String> started = new java.util.ArrayList<>();
    for (String container : TwlabFixture.docker("ps", "-q", "--filter", "label=io.twlab.lab=" + lab.getId())) {
      TwlabFixture.docker("exec", container, "ps", "-eo", "ppid=,pid=,comm=").stream().map(String::trim)
          .map(l -> l.split("\\s+", 3)).filter(f -> f[0].equals("0") && !f[1].equals("1") && !f[2].equals("ps"))
          .forEach(f -> started.add(container + " " + f[1] + " " + f[2]));
    }
    return started;
  }

  private static Context.CancellableContext watch(ServerProcess server, Lab lab, long after,
      java.util.function.Consumer<LabEvent> events) {
    Context.CancellableContext call = Context.current().withCancellation();
    call.run(() -> server.asyncGrpc().watchLab(WatchLabRequest.newBuilder().setLabId(lab.getId())
        .setAfterSequence(after).build(), new StreamObserver<>() {
          @Override
          public void onNext(LabEvent event) {
            events.accept(event);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        }));
    return call;
  }

  @AfterEach
  void removeLeftovers() throws Exception {
    for (String label : List.of("io.twlab.owner=", "io.twlab.tracer=", "io.twlab.lock=")) {
      for (String container : TwlabFixture.docker("ps", "-aq", "--filter", "label=" + label + owner)) {
        TwlabFixture.docker("rm", "-f", container);
      }
    }
    for (String network : TwlabFixture.docker("network", "ls", "-q", "--filter", "label=io.twlab.owner=" + owner)) {
      TwlabFixture.docker("network", "rm", network);
    }
    if (dataDir != null) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }
}
