package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.twlab.proto.v1.CourseServiceGrpc.CourseServiceBlockingStub;
import io.twlab.proto.v1.LabServiceGrpc.LabServiceBlockingStub;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.CaptureRequest;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.ExtendWorkshopRequest;
import io.twlab.proto.v1.V1.GetJobReportRequest;
import io.twlab.proto.v1.V1.GetJobRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.GetRunCaptureRequest;
import io.twlab.proto.v1.V1.GetRunLaddersRequest;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListAssignmentsRequest;
import io.twlab.proto.v1.V1.ListAuditRequest;
import io.twlab.proto.v1.V1.ListJobsRequest;
import io.twlab.proto.v1.V1.ListLabsRequest;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.NodeConfig;
import io.twlab.proto.v1.V1.ProgramFile;
import io.twlab.proto.v1.V1.PublishAssignmentRequest;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.SubmitRequest;
import io.twlab.proto.v1.V1.WatchLabRequest;
import io.twlab.proto.v1.WorkshopServiceGrpc.WorkshopServiceBlockingStub;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a room of students, or a page one of them opens, can send the server: every bad request
 * over HTTP and gRPC gets a 4xx naming the bad field, an answer bounded whatever the request held
 * (at most 20 times its size, or 4 kB; gRPC trailers within the 8 kB a client takes), and makes
 * nothing. A real server on the real engine, with authentication on.
 */
class BadInputIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated();

  private static final LabSpec DIRECT = LabSpec.newBuilder().setTopology("direct").build();
  /** What a gRPC client takes in headers or trailers by default (grpc-java's maxInboundMetadataSize). */
  private static final int GRPC_HEADER_LIMIT = 8192;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Lab lab;
  private static String workshopId;
  private static String assignmentId;
  private static List<String> containersBefore;

  @BeforeAll
  static void oneLabAndOneWorkshop() throws Exception {
    lab = twlab.createLab(DIRECT);
    String instructor = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder()
        .setName("Ada").build()).getToken();
    workshopId = twlab.workshops(Optional.of(instructor)).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("bad input").setSeats(2).setDuration(Duration.newBuilder().setSeconds(3600)).build()).getId();
    assignmentId = twlab.courses(twlab.adminToken().orElseThrow()).publishAssignment(PublishAssignmentRequest
        .newBuilder().setAssignment(Files.readString(Path.of("..", "examples", "course", "closer.assignment.yaml")))
        .build()).getId();
    containersBefore = TwlabFixture.dockerObjects(twlab.owner);
  }

  @AfterAll
  static void nothingWasMade() throws Exception {
    assertEquals(0, twlab.courses(twlab.adminToken().orElseThrow()).listJobs(ListJobsRequest.getDefaultInstance())
        .getJobsCount(), "a refused submission was queued");
    assertEquals(1, twlab.courses(twlab.adminToken().orElseThrow()).listAssignments(ListAssignmentsRequest
        .getDefaultInstance()).getAssignmentsCount(), "a refused assignment was stored");
    assertEquals(containersBefore, TwlabFixture.dockerObjects(twlab.owner), "bad input made or removed something");
    assertEquals(List.of(lab.getId()), twlab.grpc().listLabs(ListLabsRequest.getDefaultInstance()).getLabsList()
        .stream().map(Lab::getId).toList());
  }

  // ---- HTTP ----

  /** A request, and the field (or header) its answer must name. */
  record HttpCase(String name, String method, String path, String contentType, String body,
      Map<String, String> headers, String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static HttpCase post(String name, String path, String contentType, String body, String field) {
    return new HttpCase(name, "POST", path, contentType, body, Map.of(), field);
  }

  private static HttpCase get(String name, String path, String field) {
    return new HttpCase(name, "GET", path, null, null, Map.of(), field);
  }

  private static HttpCase withHeader(HttpCase c, String header, String value) {
    Map<String, String> headers = new LinkedHashMap<>(c.headers());
    headers.put(header, value);
    return new HttpCase(c.name(), c.method(), c.path(), c.contentType(), c.body(), headers, c.field());
  }

  static Stream<HttpCase> httpCases() {
    String json = "application/json";
    String yaml = "application/yaml";
    String events = "/api/v1/labs/" + lab.getId() + "/events";
    return Stream.of(
        post("cross-site text/plain POST", "/api/v1/labs", "text/plain", "{\"spec\":{\"topology\":\"direct\"}}",
            "Content-Type"),
        post("form POST", "/api/v1/labs", "application/x-www-form-urlencoded", "spec=direct", "Content-Type"),
        post("multipart POST", "/api/v1/grades", "multipart/form-data; boundary=x", "--x--", "Content-Type"),
        withHeader(get("foreign Host", "/api/v1/labs", "Host"), "Host", "evil.example"),
        withHeader(get("foreign Host on healthz", "/healthz", "Host"), "Host", "rebound.example:8080"),
        withHeader(get("foreign Host on the web console", "/js/app.js", "Host"), "Host", "rebound.example"),
        withHeader(get("foreign Host on metrics", "/metrics", "Host"), "Host", "rebound.example"),
        withHeader(get("foreign Origin", "/api/v1/labs", "Origin"), "Origin", "http://evil.example"),
        withHeader(post("foreign Origin POST", "/api/v1/labs", json, "{}", "Origin"), "Origin", "null"),
        post("YAML alias bomb", "/api/v1/grades", yaml, aliasBomb(), "runs"),
        post("300 unknown sysctls", "/api/v1/labs", json, unknownSysctls(300), "spec.nodes[client].sysctls"),
        post("ttl overflow in an experiment", "/api/v1/grades", yaml, experiment("ttl: 99999999999999999999h"),
            "lab.ttl"),
        post("ttl overflow in a lab", "/api/v1/labs", json, "{\"spec\":{\"topology\":\"direct\",\"ttl\":"
            + "\"99999999999999999999s\"}}", "body"),
        post("clients overflow", "/api/v1/labs", json, "{\"spec\":{\"topology\":\"nat\",\"clients\":99999999999}}",
            "body"),
        post("negative clients", "/api/v1/labs", json, "{\"spec\":{\"topology\":\"nat\",\"clients\":-3}}",
            "spec.clients"),
        post("unknown topology", "/api/v1/labs", json, "{\"spec\":{\"topology\":\"mesh\"}}", "spec.topology"),
        post("not JSON", "/api/v1/labs", json, "{\"spec\":", "body"),
        post("JSON nested 5000 deep", "/api/v1/labs", json, "[".repeat(5000), "body"),
        post("sysctl value with a newline", "/api/v1/labs", json, "{\"spec\":{\"topology\":\"direct\",\"nodes\":"
            + "{\"client\":{\"sysctls\":{\"net.ipv4.tcp_fin_timeout\":\"1\\n2\"}}}}}",
            "spec.nodes[client].sysctls[net.ipv4.tcp_fin_timeout]"),
        post("port range backwards", "/api/v1/labs", json, "{\"spec\":{\"topology\":\"direct\",\"nodes\":"
            + "{\"client\":{\"sysctls\":{\"net.ipv4.ip_local_port_range\":\"40100-40000\"}}}}}",
            "spec.nodes[client].sysctls[net.ipv4.ip_local_port_range]"),
        post("huge body", "/api/v1/labs", json, "{\"spec\":{\"topology\":\"" + "x".repeat(5_000_000) + "\"}}",
            "body"),
        get("after is not a number", events + "?after=abc", "after"),
        get("after is below -1", events + "?after=-2", "after"),
        withHeader(get("Last-Event-ID is not a number", events, "Last-Event-ID"), "Last-Event-ID", "zz"),
        get("unknown detail", events + "?detail=bogus", "detail"),
        get("unknown state", events + "?states=BOGUS", "states"),
        get("port out of range", events + "?ports=99999999", "ports"),
        get("replay speed not a number", "/api/v1/runs/run-none/events?speed=fast", "speed"),
        get("page size not a number", "/api/v1/runs?page_size=abc", "page_size"),
        get("page size overflow", "/api/v1/runs?page_size=99999999999", "page_size"),
        get("page token garbage", "/api/v1/runs?page_token=%00%01garbage", "page_token"),
        get("audit limit negative", "/api/v1/audit?limit=-5", "limit"),
        get("lab id of 5000 characters", "/api/v1/labs/" + "x".repeat(5000), "lab"),
        post("sweep of an unknown node", "/api/v1/sweeps", yaml, experiment("") + "sweep:\n  sysctls:\n"
            + "    nosuch:\n      net.ipv4.tcp_fin_timeout: [5, 10]\n", "sweep.sysctls[nosuch]"),
        post("experiment name with control characters", "/api/v1/grades", yaml,
            experiment("").replace("name: bad", "name: \"bad\\u0007\\u0001name\""), "name"),
        post("experiment of 300 kB", "/api/v1/grades", yaml, experiment("") + "#" + "x".repeat(300_000) + "\n",
            "experiment"),
        post("YAML nested 100 deep", "/api/v1/grades", yaml, "name: x\nlab: " + "[".repeat(100) + "]".repeat(100)
            + "\n", "experiment"),
        post("workshop seats overflow", "/api/v1/workshops", json, "{\"name\":\"w\",\"seats\":99999999999}", "body"),
        post("workshop duration overflow", "/api/v1/workshops", json,
            "{\"name\":\"w\",\"seats\":2,\"duration\":\"315576000000s\"}", "duration"),
        post("extend by a far too long time", "/api/v1/workshops/" + workshopId + "/extend", json,
            "{\"by\":\"315576000000s\"}", "by"),
        post("join code of 10 000 characters", "/api/v1/workshops/join", json,
            "{\"join_code\":\"" + "j".repeat(10_000) + "\",\"name\":\"Eve\"}", "join_code"),
        post("run of an unknown scenario", "/api/v1/labs/" + lab.getId() + "/runs", json,
            "{\"scenario\":\"nosuch\"}", "scenario"),
        post("run parameter not a number", "/api/v1/labs/" + lab.getId() + "/runs", json,
            "{\"scenario\":\"nc-timewait\",\"params\":{\"hold_seconds\":\"1e999\"}}", "params"),
        post("run parameter unknown", "/api/v1/labs/" + lab.getId() + "/runs", json,
            "{\"scenario\":\"nc-timewait\",\"params\":{\"" + "p".repeat(3000) + "\":\"1\"}}", "params"),
        post("assignment due when", "/api/v1/assignments", yaml, experiment("") + "assignment: {due: soon}\n",
            "assignment.due"),
        post("assignment setting allowing a refused sysctl", "/api/v1/assignments", yaml, experiment("")
            + "assignment:\n  due: 2030-01-01T00:00:00Z\n  settings:\n    - {name: r, sysctl: {node: client, "
            + "name: net.ipv4.tcp_tw_recycle}, values: [\"1\"]}\n", "assignment.settings[0].sysctl"),
        post("submission with an unknown setting", "/api/v1/assignments/" + assignmentId + "/submissions", yaml,
            "settings: {closer: server, server-tw-buckets: 1, " + "c".repeat(500) + ": 1}", "settings." + "c".repeat(30)),
        post("submission for a student id of 5000 characters", "/api/v1/assignments/" + assignmentId
            + "/submissions?student=" + "s".repeat(5000), yaml, "settings: {closer: server}", "student"),
        post("submission of 70 kB", "/api/v1/assignments/" + assignmentId + "/submissions", yaml,
            "#" + "x".repeat(70_000), "submission"),
        post("platform credential named with control characters", "/api/v1/assignments/" + assignmentId
            + "/credentials", json, "{\"name\":\"gs\\u0007\"}", "name"),
        get("jobs limit overflow", "/api/v1/jobs?limit=99999999999", "limit"),
        get("report in an unknown format", "/api/v1/jobs/job-none/report?format=" + "m".repeat(3000), "format"),
        get("job id of 5000 characters", "/api/v1/jobs/" + "x".repeat(5000), "job"),
        post("submission bringing a program the assignment does not take", "/api/v1/assignments/" + assignmentId
            + "/submissions", json, "{\"submission\":\"settings: {closer: server, server-tw-buckets: 1}\","
            + "\"programs\":[{\"name\":\"x\",\"content\":\"cHJpbnQoMSk=\"}]}", "programs"),
        post("run asking for capture=maybe", "/api/v1/labs/" + lab.getId() + "/runs", json,
            "{\"scenario\":\"nc-timewait\",\"params\":{\"capture\":\"maybe\"}}", "params[capture]"),
        get("capture with a shell in its filter", "/api/v1/labs/" + lab.getId() + "/capture?node=client&filter="
            + URLEncoder.encode("port 5000; $(id)", StandardCharsets.UTF_8), "filter"),
        get("capture with a filter tcpdump cannot compile", "/api/v1/labs/" + lab.getId()
            + "/capture?node=client&filter=port%20banana", "filter"),
        get("capture on a node of 5000 characters", "/api/v1/labs/" + lab.getId() + "/capture?node="
            + "n".repeat(5000), "node"),
        get("capture for 301 seconds", "/api/v1/labs/" + lab.getId() + "/capture?node=client&seconds=301", "seconds"),
        get("capture of 99999999999 bytes", "/api/v1/labs/" + lab.getId() + "/capture?node=client&max_bytes=99999999999",
            "max_bytes"),
        get("packets of a run id of 5000 characters", "/api/v1/runs/" + "r".repeat(5000) + "/pcap?node=client", "run"),
        get("ladders of 101 connections", "/api/v1/runs/run-none/ladders?node=client&max=101", "max"),
        post("a room's labs extended by 10 seconds", "/api/v1/workshops/" + workshopId + "/labs/extend", json,
            "{\"by\":\"10s\"}", "by"),
        get("a room's grades as a spreadsheet", "/api/v1/workshops/" + workshopId + "/grades?format=xls", "format"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("httpCases")
  void overHttpEveryBadRequestIsABounded4xxNamingTheField(HttpCase c) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(twlab.httpBase() + c.path()));
    if (c.contentType() != null) {
      request.header("Content-Type", c.contentType());
    }
    request.method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(c.body()));
    c.headers().forEach((name, value) -> {
      if (!name.equals("Host")) {
        request.header(name, value);
      }
    });
    Answer response = c.headers().containsKey("Host") ? withHost(c) : Answer.of(twlab.send(twlab.adminToken(), request));
    assertTrue(response.status() >= 400 && response.status() < 500,
        c + ": " + response.status() + " " + bounded(response.body()));
    assertTrue(response.contentType().startsWith("application/problem+json"), c + ": " + response.contentType());
    assertTrue(response.body().contains(c.field()), c + " does not name " + c.field() + ": " + bounded(response.body()));
    int asked = c.path().length() + (c.body() == null ? 0 : c.body().getBytes(StandardCharsets.UTF_8).length);
    int answered = response.body().getBytes(StandardCharsets.UTF_8).length;
    assertTrue(answered <= Math.max(20 * asked, 4096), c + ": " + answered + " bytes answer " + asked);
  }

  record Answer(int status, String contentType, String body) {
    static Answer of(HttpResponse<String> response) {
      return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
          response.body());
    }
  }

  /** Java's HTTP client will not send another Host than the URI's: this request goes over a plain socket. */
  private static Answer withHost(HttpCase c) throws IOException {
    URI base = URI.create(twlab.httpBase());
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder(c.method() + " " + c.path() + " HTTP/1.1\r\n")
          .append("Authorization: Bearer ").append(twlab.adminToken().orElseThrow()).append("\r\n")
          .append("Connection: close\r\n");
      c.headers().forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      String[] parts = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\r\n\r\n", 2);
      String[] head = parts[0].split("\r\n");
      String type = Stream.of(head).filter(h -> h.toLowerCase(Locale.ROOT).startsWith("content-type:"))
          .map(h -> h.substring(h.indexOf(':') + 1).trim()).findFirst().orElse("");
      return new Answer(Integer.parseInt(head[0].split(" ")[1]), type, parts.length > 1 ? parts[1] : "");
    }
  }

  @Test
  void aShellOfFiveColumnsIsRefusedNamingTheFieldAndStartsNothing() throws Exception {
    java.util.concurrent.CompletableFuture<String> refusal = new java.util.concurrent.CompletableFuture<>();
    java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + twlab.adminToken().orElseThrow())
        .buildAsync(URI.create(twlab.httpBase().replace("http", "ws") + "/api/v1/labs/" + lab.getId()
            + "/nodes/client/shell?columns=5&rows=24"), new java.net.http.WebSocket.Listener() {
              @Override
              public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data,
                  boolean last) {
                refusal.complete(data.toString());
                return null;
              }
            }).get(30, java.util.concurrent.TimeUnit.SECONDS);
    String problem = refusal.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(problem.contains("\"status\":400") && problem.contains("\"field\":\"columns\""), problem);
  }

  @Test
  void aWebSocketFromAForeignOriginIsRefusedBeforeTheUpgrade() {
    WebSocketHandshakeException refused = (WebSocketHandshakeException) assertThrows(CompletionException.class,
        () -> HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + twlab.adminToken().orElseThrow())
            .header("Origin", "http://evil.example")
            .buildAsync(URI.create(twlab.httpBase().replace("http:", "ws:") + "/api/v1/labs/" + lab.getId() + "/ws"),
                new WebSocket.Listener() { }).join()).getCause();
    assertEquals(403, refused.getResponse().statusCode());
  }

  // ---- gRPC ----

  record GrpcCase(String name, Consumer<Stubs> call, Status.Code code, String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  record Stubs(LabServiceBlockingStub labs, WorkshopServiceBlockingStub workshops, CourseServiceBlockingStub courses) {}

  private static GrpcCase invalid(String name, Consumer<Stubs> call, String field) {
    return new GrpcCase(name, call, Status.Code.INVALID_ARGUMENT, field);
  }

  static Stream<GrpcCase> grpcCases() {
    return Stream.of(
        invalid("300 unknown sysctls", s -> s.labs().createLab(CreateLabRequest.newBuilder().setSpec(
            DIRECT.toBuilder().putNodes("client", NodeConfig.newBuilder().putAllSysctls(sysctls(300)).build()))
            .build()), "spec.nodes[client].sysctls"),
        invalid("ttl of the longest Duration", s -> s.labs().createLab(CreateLabRequest.newBuilder().setSpec(
            DIRECT.toBuilder().setTtl(Duration.newBuilder().setSeconds(315_576_000_000L).setNanos(999_999_999)))
            .build()), "spec.ttl"),
        invalid("negative ttl", s -> s.labs().createLab(CreateLabRequest.newBuilder().setSpec(
            DIRECT.toBuilder().setTtl(Duration.newBuilder().setSeconds(-60))).build()), "spec.ttl"),
        invalid("clients below zero", s -> s.labs().createLab(CreateLabRequest.newBuilder().setSpec(
            LabSpec.newBuilder().setTopology("nat").setClients(-1)).build()), "spec.clients"),
        invalid("YAML alias bomb", s -> s.labs().gradeExperiment(GradeExperimentRequest.newBuilder()
            .setExperiment(aliasBomb()).build()), "runs"),
        invalid("ttl overflow in an experiment", s -> s.labs().gradeExperiment(GradeExperimentRequest.newBuilder()
            .setExperiment(experiment("ttl: 99999999999999999999h")).build()), "lab.ttl"),
        invalid("sweep of an unknown node", s -> s.labs().sweepExperiment(GradeExperimentRequest.newBuilder()
            .setExperiment(experiment("") + "sweep:\n  sysctls:\n    nosuch:\n      net.ipv4.tcp_fin_timeout: [5]\n")
            .build()), "sweep.sysctls[nosuch]"),
        invalid("watch after a sequence below -1", s -> s.labs().watchLab(WatchLabRequest.newBuilder()
            .setLabId(lab.getId()).setAfterSequence(-2).build()).hasNext(), "after_sequence"),
        invalid("watch ports out of range", s -> s.labs().watchLab(WatchLabRequest.newBuilder()
            .setLabId(lab.getId()).addPorts(70000).build()).hasNext(), "ports"),
        invalid("batched watch after a sequence below -1", s -> s.labs().watchLabBatched(WatchLabRequest.newBuilder()
            .setLabId(lab.getId()).setAfterSequence(-2).build()).hasNext(), "after_sequence"),
        invalid("replay at a negative speed", s -> s.labs().watchLab(WatchLabRequest.newBuilder()
            .setRunId("run-none").setReplaySpeed(-2).build()).hasNext(), "replay_speed"),
        new GrpcCase("watch a lab id of 5000 characters", s -> s.labs().watchLab(WatchLabRequest.newBuilder()
            .setLabId("x".repeat(5000)).build()).hasNext(), Status.Code.NOT_FOUND, "lab"),
        new GrpcCase("get a lab id of 5000 characters", s -> s.labs().getLab(GetLabRequest.newBuilder()
            .setLabId("\u0000\n".repeat(2500)).build()), Status.Code.NOT_FOUND, "lab"),
        new GrpcCase("get a run id of 5000 characters", s -> s.labs().getRun(GetRunRequest.newBuilder()
            .setRunId("r".repeat(5000)).build()), Status.Code.NOT_FOUND, "run"),
        new GrpcCase("run an unknown scenario", s -> s.labs().runScenario(RunScenarioRequest.newBuilder()
            .setLabId(lab.getId()).setScenario("nosuch").build()), Status.Code.NOT_FOUND, "scenario"),
        invalid("run with 300 unknown parameters", s -> s.labs().runScenario(RunScenarioRequest.newBuilder()
            .setLabId(lab.getId()).setScenario("nc-timewait").putAllParams(sysctls(300)).build()), "params"),
        invalid("list runs with a negative page size", s -> s.labs().listRuns(ListRunsRequest.newBuilder()
            .setPageSize(-1).build()), "page_size"),
        invalid("list runs with a garbage page token", s -> s.labs().listRuns(ListRunsRequest.newBuilder()
            .setPageToken("\u0001garbage").build()), "page_token"),
        invalid("workshop of no seats", s -> s.workshops().createWorkshop(CreateWorkshopRequest.newBuilder()
            .setName("w").setSeats(0).build()), "seats"),
        invalid("extend a workshop by the longest Duration", s -> s.workshops().extendWorkshop(
            ExtendWorkshopRequest.newBuilder().setWorkshopId(workshopId)
                .setBy(Duration.newBuilder().setSeconds(315_576_000_000L)).build()), "by"),
        invalid("join with a code of 10 000 characters", s -> s.workshops().joinWorkshop(JoinWorkshopRequest
            .newBuilder().setJoinCode("j".repeat(10_000)).setName("Eve").build()), "join_code"),
        invalid("audit with a negative limit", s -> s.workshops().listAudit(ListAuditRequest.newBuilder()
            .setLimit(-5).build()), "limit"),
        invalid("publish a file of 300 kB", s -> s.courses().publishAssignment(PublishAssignmentRequest.newBuilder()
            .setAssignment("#" + "x".repeat(300_000)).build()), "assignment"),
        invalid("submit a prediction the assignment does not ask", s -> s.courses().submit(SubmitRequest.newBuilder()
            .setAssignmentId(assignmentId).setSubmission("settings: {closer: server, server-tw-buckets: 1}\n"
                + "predictions: {guess: 1}").build()), "predictions.guess"),
        invalid("list jobs with a negative limit", s -> s.courses().listJobs(ListJobsRequest.newBuilder()
            .setLimit(-1).build()), "limit"),
        invalid("a report in an unknown format", s -> s.courses().getJobReport(GetJobReportRequest.newBuilder()
            .setJobId("job-none").setFormat("\u0000moodle").build()), "format"),
        new GrpcCase("watch a job id of 5000 characters", s -> s.courses().watchJob(GetJobRequest.newBuilder()
            .setJobId("j".repeat(5000)).build()).hasNext(), Status.Code.NOT_FOUND, "job"),
        invalid("submit a program of 3 MiB", s -> s.courses().submit(SubmitRequest.newBuilder()
            .setAssignmentId(assignmentId).setSubmission("settings: {closer: server, server-tw-buckets: 1}")
            .addPrograms(ProgramFile.newBuilder().setName("x").setContent(ByteString.copyFrom(new byte[3 << 20])))
            .build()), "programs"),
        invalid("capture with backquotes in its filter", s -> s.labs().capture(CaptureRequest.newBuilder()
            .setLabId(lab.getId()).setNode("client").setFilter("tcp and `id`").build()).hasNext(), "filter"),
        invalid("capture of 100 bytes", s -> s.labs().capture(CaptureRequest.newBuilder().setLabId(lab.getId())
            .setNode("client").setMaxBytes(100).build()).hasNext(), "max_bytes"),
        new GrpcCase("packets of a run id of 5000 characters", s -> s.labs().getRunCapture(GetRunCaptureRequest
            .newBuilder().setRunId("r".repeat(5000)).setNode("client").build()).hasNext(), Status.Code.NOT_FOUND, "run"),
        invalid("ladders of -1 connections", s -> s.labs().getRunLadders(GetRunLaddersRequest.newBuilder()
            .setRunId("run-none").setNode("client").setMax(-1).build()), "max"),
        invalid("a room's labs extended by 13 hours", s -> s.workshops().extendWorkshopLabs(
            io.twlab.proto.v1.V1.ExtendWorkshopLabsRequest.newBuilder().setWorkshopId(workshopId)
                .setBy(Duration.newBuilder().setSeconds(13 * 3600)).build()), "by"),
        invalid("a room's grades as a PDF", s -> s.workshops().exportGrades(io.twlab.proto.v1.V1.ExportGradesRequest
            .newBuilder().setWorkshopId(workshopId).setFormat("pdf").build()), "format"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("grpcCases")
  void overGrpcEveryBadRequestNamesTheFieldWithinTheHeaderLimit(GrpcCase c) {
    String admin = twlab.adminToken().orElseThrow();
    Optional<String> instructor = Optional.of(admin);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.call().accept(
        new Stubs(twlab.as(Optional.of(admin)), twlab.workshops(instructor), twlab.courses(admin))));
    assertEquals(c.code(), e.getStatus().getCode(), c + ": " + e.getStatus());
    Metadata trailers = e.getTrailers();
    int size = trailers == null ? 0 : trailers.keys().stream().mapToInt(k -> k.length() + (k.endsWith("-bin")
        ? trailers.get(Metadata.Key.of(k, Metadata.BINARY_BYTE_MARSHALLER)).length * 4 / 3
        : trailers.get(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER)).length())).sum();
    assertTrue(size < GRPC_HEADER_LIMIT - 1024, c + ": trailers of " + size + " bytes");
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    String named = status == null ? "" : status.getMessage() + " " + status.getDetailsList().stream()
        .filter(a -> a.is(BadRequest.class)).map(a -> {
          try {
            return a.unpack(BadRequest.class).getFieldViolationsList().stream()
                .map(v -> v.getField() + ": " + v.getDescription()).collect(Collectors.joining("; "));
          } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
            throw new AssertionError(bad);
          }
        }).collect(Collectors.joining(" "));
    assertTrue(named.contains(c.field()), c + " does not name " + c.field() + ": " + bounded(named));
  }

  // ---- inputs ----

  /** An experiment whose one value (20 kB) is reused by 200 aliases. */
  private static String aliasBomb() {
    return "name: bomb\nbig: &v \"" + "A".repeat(20_000) + "\"\nlab: {topology: direct}\nruns:\n"
        + IntStream.range(0, 200).mapToObj(i -> "  - *v\n").collect(Collectors.joining());
  }

  private static String experiment(String labLine) {
    return "name: bad\nlab:\n  topology: direct\n" + (labLine.isEmpty() ? "" : "  " + labLine + "\n")
        + "runs:\n  - scenario: nc-timewait\n";
  }

  private static Map<String, String> sysctls(int count) {
    Map<String, String> keys = new LinkedHashMap<>();
    IntStream.range(0, count).forEach(i -> keys.put("net.ipv4.unknown_key_number_" + i, "1"));
    return keys;
  }

  private static String unknownSysctls(int count) {
    return "{\"spec\":{\"topology\":\"direct\",\"nodes\":{\"client\":{\"sysctls\":{" + sysctls(count).keySet().stream()
        .map(k -> "\"" + k + "\":\"1\"").collect(Collectors.joining(",")) + "}}}}}";
  }

  private static String bounded(String text) {
    return text.length() > 600 ? text.substring(0, 600) + "… (" + text.length() + " characters)" : text;
  }
}
