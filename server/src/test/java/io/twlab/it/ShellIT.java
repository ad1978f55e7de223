package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.twlab.app.ServerLimits;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListAuditRequest;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.SeatLimits;
import io.twlab.proto.v1.V1.ShellClosed;
import io.twlab.proto.v1.V1.ShellInput;
import io.twlab.proto.v1.V1.ShellOpened;
import io.twlab.proto.v1.V1.ShellOutput;
import io.twlab.proto.v1.V1.ShellStart;
import io.twlab.proto.v1.V1.TerminalSize;
import io.twlab.proto.v1.V1.Workshop;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A student's shell in a node of their lab, on the real engine and kernel: it sees the node's
 * sockets (S1's TIME_WAIT in `ss -tan`), runs as an unprivileged user without capabilities, cannot
 * see or kill the node's observers, change its firewall, or reach the control plane; it counts
 * against the seat, closes when idle, is audited, shows in the runs it overlapped, and is refused to
 * anyone but the lab's student. Over gRPC (as `twlab shell` speaks it) and over the console's
 * WebSocket.
 */
class ShellIT {
  private static final LabSpec DIRECT = LabSpec.newBuilder().setTopology("direct").build();
  private static final long IDLE_SECONDS = 6;

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated()
      .limits(ServerLimits.DEFAULT.withShellIdle(java.time.Duration.ofSeconds(IDLE_SECONDS)));

  private static Optional<String> instructor;
  private static Optional<String> alice;
  private static Optional<String> bob;
  private static Lab lab;
  private static Workshop workshop;

  @BeforeAll
  static void aWorkshopWithTwoStudents() {
    instructor = Optional.of(twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder()
        .setName("Grace").build()).getToken());
    workshop = twlab.workshops(instructor).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("shells").setSeats(2).setDuration(Duration.newBuilder().setSeconds(3600))
        .setSeatLimits(SeatLimits.newBuilder().setShells(1)).build());
    alice = join(workshop, "alice");
    bob = join(workshop, "bob");
    lab = twlab.as(alice).createLab(CreateLabRequest.newBuilder().setSpec(DIRECT).build());
  }

  @Test
  void theShellSeesTheNodesSocketsAndNothingItMayNotTouch() throws Exception {
    Run s1 = twlab.as(alice).runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, s1.getState(), s1.getError());
    List<String> hostAddresses = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).map(a -> a.getHostAddress()).toList();
    String reachControlPlane = hostAddresses.stream().map(a -> "timeout 2 bash -c 'echo > /dev/tcp/" + a + "/"
        + twlab.httpBase().replaceAll(".*:", "") + "' 2>/dev/null && echo REACHED " + a)
        .collect(Collectors.joining("\n"));

    Shell shell = Shell.open(alice, lab.getId(), "client", false);
    shell.send("""
        id -un
        ss -tan
        grep CapEff /proc/self/status
        echo "observers seen: $(pgrep -c -f twlab-observer)"
        pkill -f twlab-observer; echo "pkill: $?"
        iptables -t nat -A POSTROUTING -j MASQUERADE 2>&1; echo "iptables: $?"
        """ + reachControlPlane + "\n");
    shell.endInput();
    ShellClosed closed = shell.closed();
    String out = shell.output();

    assertEquals("exited", closed.getReason(), out);
    assertTrue(out.startsWith("student\n"), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("TIME-WAIT")), "S1's TIME_WAIT, as ss shows it: " + out);
    assertTrue(out.contains("CapEff:\t0000000000000000"), "no capabilities: " + out);
    assertTrue(out.contains("observers seen: 0"), "the node's processes are not the shell's to see: " + out);
    assertTrue(out.contains("pkill: 1"), out);
    assertTrue(out.contains("iptables: 4") || out.contains("Permission denied"), "no NET_ADMIN: " + out);
    assertTrue(!out.contains("REACHED"), "the control plane at " + hostAddresses + " must be out of reach: " + out);
    Run after = twlab.as(alice).runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, after.getState(), "the observers still run: " + after.getError());
    assertEquals(List.of(), after.getShellsOpenList());

    List<String> audit = twlab.workshops(instructor).listAudit(ListAuditRequest.newBuilder().setLimit(50).build())
        .getEntriesList().stream().map(e -> e.getAction() + " " + e.getTarget() + " " + e.getOutcome()).toList();
    assertTrue(audit.contains("shell open " + lab.getId() + "/client OK"), audit.toString());
    assertTrue(audit.contains("shell close " + lab.getId() + "/client OK"), audit.toString());
  }

  @Test
  void aRunWhileAShellIsOpenSaysSoAndTheSeatHasOneShell() throws Exception {
    Shell shell = Shell.open(alice, lab.getId(), "server", true);
    StatusRuntimeException second = assertThrowsStatus(() -> Shell.open(alice, lab.getId(), "client", true));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, second.getStatus().getCode());
    assertTrue(second.getStatus().getDescription().contains("1 of 1 shells"), second.getStatus().getDescription());

    // Output every second keeps the shell from closing as idle while S1 runs.
    shell.send("while sleep 1; do echo tick; done\n");
    Run run = twlab.as(alice).runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(List.of("server"), run.getShellsOpenList());
    shell.send("\u0003exit 3\n");
    assertEquals(3, shell.closed().getExitCode());
  }

  @Test
  void anIdleShellIsClosedAndOnlyTheLabsStudentOpensOne() throws Exception {
    assertEquals(Status.Code.NOT_FOUND, assertThrowsStatus(() -> Shell.open(bob, lab.getId(), "client", true))
        .getStatus().getCode());
    assertEquals(Status.Code.PERMISSION_DENIED, assertThrowsStatus(() -> Shell.open(instructor, lab.getId(),
        "client", true)).getStatus().getCode());
    StatusRuntimeException noNode = assertThrowsStatus(() -> Shell.open(alice, lab.getId(), "router", true));
    assertEquals(Status.Code.INVALID_ARGUMENT, noNode.getStatus().getCode());
    assertTrue(StatusProto.fromThrowable(noNode).toString().contains("node"), noNode.toString());

    long opened = System.nanoTime();
    Shell idle = Shell.open(alice, lab.getId(), "client", true);
    ShellClosed closed = idle.closed();
    assertEquals("idle", closed.getReason(), closed.getMessage());
    assertTrue(System.nanoTime() - opened >= TimeUnit.SECONDS.toNanos(IDLE_SECONDS), "not before its idle time");
  }

  @Test
  void aLabBeingGradedRefusesTheStudentsShell() throws Exception {
    String experiment = java.nio.file.Files.readString(java.nio.file.Path.of("..", "examples", "nc-timewait.yaml"));
    CompletableFuture<io.twlab.proto.v1.V1.GradeReport> grading = CompletableFuture.supplyAsync(() -> twlab.as(alice)
        .gradeExperiment(io.twlab.proto.v1.V1.GradeExperimentRequest.newBuilder().setExperiment(experiment).build()));
    String graded = null;
    for (int i = 0; i < 600 && graded == null && !grading.isDone(); i++) {
      graded = twlab.as(alice).listLabs(io.twlab.proto.v1.V1.ListLabsRequest.getDefaultInstance()).getLabsList()
          .stream().map(Lab::getId).filter(id -> !id.equals(lab.getId())).findFirst().orElse(null);
      Thread.sleep(50);
    }
    assertTrue(graded != null, "the grading's lab was never listed");
    String gradedLab = graded;
    StatusRuntimeException refused = assertThrowsStatus(() -> Shell.open(alice, gradedLab, "client", true));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("being graded"), refused.getStatus().getDescription());
    assertTrue(grading.get(120, TimeUnit.SECONDS).getPassed(), "the grading itself went on");

    String csv = twlab.workshops(instructor).exportGrades(io.twlab.proto.v1.V1.ExportGradesRequest.newBuilder()
        .setWorkshopId(workshop.getId()).build()).getBody();
    assertTrue(csv.lines().anyMatch(l -> l.contains(",alice,the active closer holds TIME_WAIT,") && l.endsWith(",pass")),
        csv);
    String canvas = twlab.workshops(instructor).exportGrades(io.twlab.proto.v1.V1.ExportGradesRequest.newBuilder()
        .setWorkshopId(workshop.getId()).setFormat("canvas").build()).getBody();
    assertTrue(canvas.startsWith("Student,ID,SIS User ID,Section,the active closer holds TIME_WAIT ("), canvas);
    assertEquals(Status.Code.NOT_FOUND, assertThrowsStatus(() -> twlab.workshops(alice).exportGrades(
        io.twlab.proto.v1.V1.ExportGradesRequest.newBuilder().setWorkshopId(workshop.getId()).build()))
        .getStatus().getCode(), "a student has no room");
  }

  @Test
  void aWorkshopMayAllowShellsWhileGradedAndTheGradedRunSaysSo() throws Exception {
    Workshop allowing = twlab.workshops(instructor).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("shells while graded").setSeats(1).setDuration(Duration.newBuilder().setSeconds(3600))
        .setShellsWhileGraded(true).build());
    assertTrue(allowing.getShellsWhileGraded());
    Optional<String> carol = join(allowing, "carol");
    String experiment = java.nio.file.Files.readString(java.nio.file.Path.of("..", "examples", "nc-timewait.yaml"));
    CompletableFuture<io.twlab.proto.v1.V1.GradeReport> grading = CompletableFuture.supplyAsync(() -> twlab.as(carol)
        .gradeExperiment(io.twlab.proto.v1.V1.GradeExperimentRequest.newBuilder().setExperiment(experiment).build()));
    String graded = null;
    for (int i = 0; i < 600 && graded == null && !grading.isDone(); i++) {
      graded = twlab.as(carol).listLabs(io.twlab.proto.v1.V1.ListLabsRequest.getDefaultInstance()).getLabsList()
          .stream().map(Lab::getId).findFirst().orElse(null);
      Thread.sleep(50);
    }
    assertTrue(graded != null, "the grading's lab was never listed");
    Shell shell = Shell.open(carol, graded, "client", true);
    io.twlab.proto.v1.V1.GradeReport report = grading.get(120, TimeUnit.SECONDS);
    shell.closed();
    assertEquals(List.of("client"), report.getRuns(0).getRun().getShellsOpenList(),
        "the graded run names the node whose shell was open");
  }

  @Test
  void theConsolesWebSocketIsTheSameShell() throws Exception {
    List<String> texts = new ArrayList<>();
    StringBuilder output = new StringBuilder();
    CompletableFuture<String> closed = new CompletableFuture<>();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + alice.get())
        .buildAsync(URI.create(twlab.httpBase().replace("http", "ws") + "/api/v1/labs/" + lab.getId()
            + "/nodes/client/shell?columns=100&rows=30"), new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                synchronized (texts) {
                  texts.add(data.toString());
                }
                ws.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                synchronized (output) {
                  output.append(StandardCharsets.UTF_8.decode(data));
                }
                ws.request(1);
                return null;
              }

              @Override
              public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                closed.complete(status + " " + reason);
                return null;
              }
            }).get(30, TimeUnit.SECONDS);
    socket.sendText("{\"input\": \"stty size; exit\\n\"}", true).get(10, TimeUnit.SECONDS);
    String end = closed.get(30, TimeUnit.SECONDS);
    synchronized (output) {
      assertEquals("1000 exited", end, texts + " " + output);
    }
    synchronized (texts) {
      assertTrue(texts.get(0).contains("\"opened\"") && texts.get(0).contains("\"user\":\"student\""), texts.toString());
      assertTrue(texts.get(texts.size() - 1).contains("\"reason\":\"exited\""), texts.toString());
    }
    synchronized (output) {
      assertTrue(output.toString().contains("30 100"), "the window's size reached the terminal: " + output);
    }
  }

  private static StatusRuntimeException assertThrowsStatus(org.junit.jupiter.api.function.Executable call) {
    return org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, call);
  }

  private static Optional<String> join(Workshop workshop, String name) {
    return Optional.of(twlab.workshops(Optional.empty()).joinWorkshop(JoinWorkshopRequest.newBuilder()
        .setJoinCode(workshop.getJoinCode()).setName(name).build()).getToken());
  }

  /** One OpenShell call, as `twlab shell` makes it. */
  private static final class Shell {
    private final StringBuilder output = new StringBuilder();
    private final CompletableFuture<ShellOpened> opened = new CompletableFuture<>();
    private final CompletableFuture<ShellClosed> closed = new CompletableFuture<>();
    private StreamObserver<ShellInput> requests;

    /** Opens it, or throws the refusal's status. */
    static Shell open(Optional<String> token, String labId, String node, boolean tty) throws Exception {
      Shell shell = new Shell();
      shell.requests = twlab.asyncAs(token).openShell(new StreamObserver<>() {
        @Override
        public void onNext(ShellOutput message) {
          if (message.hasOpened()) {
            shell.opened.complete(message.getOpened());
          } else if (message.hasOutput()) {
            synchronized (shell.output) {
              shell.output.append(message.getOutput().toStringUtf8());
            }
          } else if (message.hasClosed()) {
            shell.closed.complete(message.getClosed());
          }
        }

        @Override
        public void onError(Throwable failure) {
          shell.opened.completeExceptionally(failure);
          shell.closed.completeExceptionally(failure);
        }

        @Override
        public void onCompleted() {
          shell.opened.completeExceptionally(new AssertionError("ended before it opened"));
        }
      });
      shell.requests.onNext(ShellInput.newBuilder().setStart(ShellStart.newBuilder().setLabId(labId).setNode(node)
          .setTty(tty).setSize(TerminalSize.newBuilder().setColumns(80).setRows(24))).build());
      try {
        shell.opened.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof StatusRuntimeException status ? status : e;
      }
      return shell;
    }

    void send(String text) {
      requests.onNext(ShellInput.newBuilder().setInput(ByteString.copyFromUtf8(text)).build());
    }

    void endInput() {
      requests.onNext(ShellInput.newBuilder().setEndOfInput(true).build());
    }

    ShellClosed closed() throws Exception {
      return closed.get(60, TimeUnit.SECONDS);
    }

    String output() {
      synchronized (output) {
        return output.toString();
      }
    }
  }
}
