package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.twlab.app.ServerLimits;
import io.twlab.proto.v1.LabServiceGrpc.LabServiceBlockingStub;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.AuditEntry;
import io.twlab.proto.v1.V1.Classroom;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.EndWorkshopRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListAuditRequest;
import io.twlab.proto.v1.V1.ListLabsRequest;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.ListScenariosRequest;
import io.twlab.proto.v1.V1.RevokeCredentialRequest;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.Seat;
import io.twlab.proto.v1.V1.SeatLimits;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.WatchClassroomRequest;
import io.twlab.proto.v1.V1.WatchLabRequest;
import io.twlab.proto.v1.V1.Workshop;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workshop mode on the real engine and kernel, through both APIs with authentication on: what
 * each role sees and may do, the quotas, ownership across a restart, the audit log, and a class of
 * 30 students running S1 at once.
 */
class WorkshopIT {
  private static final LabSpec DIRECT = LabSpec.newBuilder().setTopology("direct").build();
  private static final int CLASS = 30;
  private static final java.time.Duration CLASS_BOUND = java.time.Duration.ofMinutes(5);

  /** Two runs at a time: the class's runs queue for the server's slots, as a big class's would. */
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated().limits(ServerLimits.DEFAULT.withRuns(2));

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void eachSeatSeesOnlyItsOwnAndTheInstructorSeesEverySeat() throws Exception {
    String instructor = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder()
        .setName("Ada").build()).getToken();
    Workshop workshop = twlab.workshops(Optional.of(instructor)).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("teardown").setSeats(3).setDuration(Duration.newBuilder().setSeconds(3600))
        .setSeatLimits(SeatLimits.newBuilder().setLabs(1).setNodes(4).setWatchers(2)).addScenarios("nc-timewait")
        .build());
    Optional<String> alice = Optional.of(join(workshop, "Alice"));
    Optional<String> bob = Optional.of(join(workshop, "Bob"));
    StatusRuntimeException tooBig = assertThrows(StatusRuntimeException.class, () -> twlab.as(bob).createLab(
        CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("nat").setClients(2)).build()));
    assertEquals("nodes", detail(StatusProto.fromThrowable(tooBig), QuotaFailure.class).getViolations(0).getSubject(),
        "a NAT lab of 2 clients has 5 nodes, over the seat's 4");
    Lab lab = twlab.as(alice).createLab(CreateLabRequest.newBuilder().setSpec(DIRECT).build());

    // Quotas: a second lab is refused, naming the quota, its use and when to try again.
    StatusRuntimeException second = assertThrows(StatusRuntimeException.class,
        () -> twlab.as(alice).createLab(CreateLabRequest.newBuilder().setSpec(DIRECT).build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, second.getStatus().getCode());
    com.google.rpc.Status details = StatusProto.fromThrowable(second);
    QuotaFailure quota = detail(details, QuotaFailure.class);
    assertEquals("labs", quota.getViolations(0).getSubject());
    assertEquals("1 of 1 in use", quota.getViolations(0).getDescription());
    assertTrue(detail(details, RetryInfo.class).getRetryDelay().getSeconds() > 0);
    HttpResponse<String> overHttp = send(alice, request("/api/v1/labs").POST(
        HttpRequest.BodyPublishers.ofString("{\"spec\":{\"topology\":\"direct\"}}")));
    assertEquals(429, overHttp.statusCode(), overHttp.body());
    assertTrue(overHttp.headers().firstValue("Retry-After").isPresent());
    assertTrue(overHttp.body().contains("\"quota\":{\"limit\":\"labs\",\"used\":1,\"max\":1}"), overHttp.body());
    assertEquals(List.of("nc-timewait"), twlab.as(alice).listScenarios(ListScenariosRequest.getDefaultInstance())
        .getScenariosList().stream().map(s -> s.getName()).toList());
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> twlab.as(alice).runScenario(RunScenarioRequest
        .newBuilder().setLabId(lab.getId()).setScenario("linger-rst").build())), "the workshop allows nc-timewait only");

    Run run = twlab.as(alice).runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    assertEquals(workshop.getId(), run.getWorkshopId());

    // Another seat: the lab and the run do not exist, on every API and stream.
    bobSeesNothingOf(bob, lab, run);

    // The instructor sees the seat, watches it, ends it, but does not run in it.
    assertEquals(List.of(lab.getId()), twlab.as(Optional.of(instructor)).listLabs(ListLabsRequest.getDefaultInstance())
        .getLabsList().stream().map(Lab::getId).toList());
    assertEquals(run.getId(), twlab.as(Optional.of(instructor)).getRun(GetRunRequest.newBuilder().setRunId(run.getId())
        .build()).getId());
    assertTrue(replay(Optional.of(instructor), run).stream().anyMatch(LabEvent::hasRunFinished));
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> twlab.as(Optional.of(instructor)).runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nc-timewait").build())));
    Seat seat = twlab.workshops(Optional.of(instructor)).watchClassroom(WatchClassroomRequest.newBuilder()
        .setWorkshopId(workshop.getId()).build()).next().getSeatsList().stream()
        .filter(s -> s.getStudent().getName().equals("Alice")).findFirst().orElseThrow();
    assertEquals(List.of(lab.getId()), seat.getLabsList().stream().map(Lab::getId).toList());
    assertEquals(run.getId(), seat.getLatestRuns(0).getId());

    // Watchers: two streams open, the third refused before it opens.
    try (InputStream first = sse(alice, "/api/v1/labs/" + lab.getId() + "/events");
        InputStream secondStream = sse(alice, "/api/v1/labs/" + lab.getId() + "/events")) {
      HttpResponse<String> third = send(alice, request("/api/v1/labs/" + lab.getId() + "/events")
          .header("Accept", "text/event-stream"));
      assertEquals(429, third.statusCode(), third.body());
      assertTrue(third.body().contains("\"limit\":\"watchers\""), third.body());
    }

    // Ownership is in the lab's labels: a restarted server gives the lab back to its seat only.
    twlab.stopServer();
    twlab.start();
    assertEquals(lab.getId(), twlab.as(alice).getLab(GetLabRequest.newBuilder().setLabId(lab.getId()).build()).getId());
    assertEquals(Status.Code.NOT_FOUND, code(() -> twlab.as(bob).getLab(GetLabRequest.newBuilder()
        .setLabId(lab.getId()).build())));
    assertEquals(List.of(run.getId()), twlab.as(alice).listRuns(ListRunsRequest.getDefaultInstance()).getRunsList()
        .stream().map(Run::getId).toList());

    // The audit log has who did what, and what was refused; the instructor reads their workshop's.
    List<AuditEntry> audit = twlab.workshops(Optional.of(instructor)).listAudit(ListAuditRequest.newBuilder()
        .setWorkshopId(workshop.getId()).build()).getEntriesList();
    assertTrue(audit.stream().anyMatch(e -> e.getPrincipalName().equals("Alice") && e.getAction().equals("grpc CreateLab")
        && e.getTarget().equals(lab.getId()) && e.getOutcome().equals("OK")), audit.toString());
    assertTrue(audit.stream().anyMatch(e -> e.getPrincipalName().equals("Alice")
        && e.getAction().equals("http POST /api/v1/labs") && e.getOutcome().equals("RESOURCE_EXHAUSTED")), audit.toString());
    assertTrue(audit.stream().anyMatch(e -> e.getPrincipalName().equals("Bob") && e.getAction().equals("grpc DeleteLab")
        && e.getTarget().equals(lab.getId()) && e.getOutcome().equals("NOT_FOUND")), audit.toString());
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> twlab.workshops(alice).listAudit(
        ListAuditRequest.getDefaultInstance())));

    // Revoked: refused from the very next request. Ending the seat's lab removes it from the engine.
    String bobId = twlab.workshops(bob).whoAmI(io.twlab.proto.v1.V1.WhoAmIRequest.getDefaultInstance()).getId();
    twlab.workshops(Optional.of(instructor)).revokeCredential(RevokeCredentialRequest.newBuilder()
        .setPrincipalId(bobId).build());
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> twlab.as(bob).listLabs(ListLabsRequest.getDefaultInstance())));
    twlab.as(Optional.of(instructor)).deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.lab=" + lab.getId()));
  }

  private void bobSeesNothingOf(Optional<String> bob, Lab lab, Run run) throws Exception {
    LabServiceBlockingStub asBob = twlab.as(bob);
    assertEquals(0, asBob.listLabs(ListLabsRequest.getDefaultInstance()).getLabsCount());
    assertEquals(0, asBob.listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount());
    GetLabRequest get = GetLabRequest.newBuilder().setLabId(lab.getId()).build();
    assertEquals(Status.Code.NOT_FOUND, code(() -> asBob.getLab(get)));
    assertEquals(Status.Code.NOT_FOUND, code(() -> asBob.deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId())
        .build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> asBob.runScenario(RunScenarioRequest.newBuilder()
        .setLabId(lab.getId()).setScenario("nc-timewait").build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> asBob.getRun(GetRunRequest.newBuilder().setRunId(run.getId())
        .build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> asBob.watchLab(WatchLabRequest.newBuilder()
        .setLabId(lab.getId()).build()).hasNext()));
    assertEquals(Status.Code.NOT_FOUND, code(() -> replay(bob, run)));
    for (String path : List.of("/api/v1/labs/" + lab.getId(), "/api/v1/runs/" + run.getId(),
        "/api/v1/labs/" + lab.getId() + "/events", "/api/v1/runs/" + run.getId() + "/events")) {
      HttpResponse<String> response = send(bob, request(path).header("Accept", "text/event-stream, application/json"));
      assertEquals(404, response.statusCode(), path + ": " + response.body());
    }
    assertEquals(404, send(bob, request("/api/v1/labs/" + lab.getId()).DELETE()).statusCode());
    CompletableFuture<String> refusal = new CompletableFuture<>();
    http.newWebSocketBuilder().header("Authorization", "Bearer " + bob.get())
        .buildAsync(URI.create(twlab.httpBase().replace("http", "ws") + "/api/v1/labs/" + lab.getId() + "/ws"),
            new WebSocket.Listener() {
              @Override
              public java.util.concurrent.CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                refusal.complete(data.toString());
                return null;
              }
            }).get(10, TimeUnit.SECONDS);
    assertTrue(refusal.get(10, TimeUnit.SECONDS).contains("\"status\":404"), refusal.get());
  }

  /**
   * A class: 30 students join, each makes a lab and runs S1 at once on this 2-core machine, watching
   * their own lab; runs beyond the server's two slots wait their turn and say so on their lab's
   * stream; each sees only their own events, and the instructor's classroom shows 30 seats
   * with their runs. Ending the workshop leaves nothing behind.
   */
  @Test
  void aClassOfThirtyRunsS1AtOnceAndEachSeesOnlyItsOwnLab() throws Exception {
    String instructor = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder()
        .setName("Grace").build()).getToken();
    Workshop workshop = twlab.workshops(Optional.of(instructor)).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("class").setSeats(CLASS).setDuration(Duration.newBuilder().setSeconds(3600)).build());
    ExecutorService students = Executors.newFixedThreadPool(CLASS);
    List<Future<String>> labs = new ArrayList<>();
    Set<String> queued = ConcurrentHashMap.newKeySet();
    try {
      for (int i = 0; i < CLASS; i++) {
        String name = "student-" + i;
        labs.add(students.submit(() -> studentRunsS1(workshop, name, queued)));
      }
      for (Future<String> lab : labs) {
        lab.get(CLASS_BOUND.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      students.shutdownNow();
    }

    assertTrue(!queued.isEmpty(), "with 2 slots for 30 runs, some run should have waited for one");

    Classroom classroom = twlab.workshops(Optional.of(instructor)).watchClassroom(WatchClassroomRequest.newBuilder()
        .setWorkshopId(workshop.getId()).build()).next();
    assertEquals(CLASS, classroom.getSeatsCount());
    for (Seat seat : classroom.getSeatsList()) {
      assertEquals(1, seat.getLabsCount(), seat.toString());
      assertEquals("nc-timewait", seat.getLatestRuns(0).getScenario());
      assertEquals(RunState.RUN_STATE_SUCCEEDED, seat.getLatestRuns(0).getState(), seat.getLatestRuns(0).getError());
    }
    Set<String> seatLabs = classroom.getSeatsList().stream().map(s -> s.getLabs(0).getId()).collect(Collectors.toSet());
    assertEquals(labs.stream().map(WorkshopIT::done).collect(Collectors.toSet()), seatLabs);

    // Ending the workshop ends every seat: tokens and labs.
    twlab.workshops(Optional.of(instructor)).endWorkshop(EndWorkshopRequest.newBuilder()
        .setWorkshopId(workshop.getId()).build());
    assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.owner=" + twlab.owner,
        "--filter", "label=io.twlab.lab"));
  }

  /**
   * One student: joins, makes a lab, runs S1 and watches it to its end; returns the lab. Adds the
   * student to {@code queued} if their run waited for a slot.
   */
  private String studentRunsS1(Workshop workshop, String name, Set<String> queued) {
    Optional<String> token = Optional.of(join(workshop, name));
    Lab lab = twlab.as(token).createLab(CreateLabRequest.newBuilder().setSpec(DIRECT).build());
    Run run = twlab.as(token).runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("nc-timewait").build());
    // The last of 30 runs on two slots waits for 14 turns before its own: longer than a call's usual bound.
    Iterator<LabEvent> events = twlab.as(token).withDeadlineAfter(CLASS_BOUND.toSeconds(), TimeUnit.SECONDS)
        .watchLab(WatchLabRequest.newBuilder().setLabId(lab.getId())
        .setAfterSequence(run.getStartSequence()).build());
    boolean timeWait = false;
    while (events.hasNext()) {
      LabEvent event = events.next();
      assertEquals(lab.getId(), event.getLabId(), name + " saw another lab's event");
      timeWait |= event.hasTransition() && event.getTransition().getTo() == TcpState.TCP_STATE_TIME_WAIT;
      if (event.hasRunProgress() && event.getRunProgress().getPhase().equals("queued")) {
        queued.add(name);
      }
      if (event.hasRunFinished() && event.getRunFinished().getRun().getId().equals(run.getId())) {
        assertEquals(RunState.RUN_STATE_SUCCEEDED, event.getRunFinished().getRun().getState(),
            event.getRunFinished().getRun().getError());
        break;
      }
    }
    assertTrue(timeWait, name + " did not see S1's TIME_WAIT");
    return lab.getId();
  }

  private static String done(Future<String> lab) {
    try {
      return lab.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String join(Workshop workshop, String name) {
    return twlab.workshops(Optional.empty()).joinWorkshop(JoinWorkshopRequest.newBuilder()
        .setJoinCode(workshop.getJoinCode()).setName(name).build()).getToken();
  }

  private static List<LabEvent> replay(Optional<String> token, Run run) {
    List<LabEvent> events = new ArrayList<>();
    twlab.as(token).watchLab(WatchLabRequest.newBuilder().setRunId(run.getId()).build()).forEachRemaining(events::add);
    return events;
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  private static <T extends com.google.protobuf.Message> T detail(com.google.rpc.Status status, Class<T> type)
      throws Exception {
    for (com.google.protobuf.Any any : status.getDetailsList()) {
      if (any.is(type)) {
        return any.unpack(type);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status);
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(twlab.httpBase() + path)).timeout(java.time.Duration.ofSeconds(30));
  }

  private static HttpResponse<String> send(Optional<String> token, HttpRequest.Builder request) throws Exception {
    return twlab.send(token, request);
  }

  /** An open SSE stream; closing it ends the watch. */
  private InputStream sse(Optional<String> token, String path) throws Exception {
    HttpRequest.Builder request = request(path).header("Accept", "text/event-stream");
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    return response.body();
  }
}
