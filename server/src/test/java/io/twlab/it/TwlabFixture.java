package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.twlab.app.ServerLimits;
import io.twlab.proto.v1.CourseServiceGrpc;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LabStatus;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import io.twlab.runtime.docker.DockerRuntime;
import io.twlab.server.ServerConfig;
import io.twlab.server.TwlabServer;
import io.twlab.testing.Bearer;
import io.twlab.testing.SummaryFigures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real twlab server on free ports with its own owner label, driven from outside: gRPC, HTTP,
 * and the docker CLI to see what exists on the engine. As a JUnit extension
 * ({@code @RegisterExtension static}) it starts before the class's tests and, after them, deletes
 * the labs it made and removes whatever a failed test left on the engine.
 */
public final class TwlabFixture implements BeforeAllCallback, AfterAllCallback {
  public final String owner = "twlab-it-" + UUID.randomUUID().toString().substring(0, 8);
  private TwlabServer server;
  private ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> labs = new ArrayList<>();
  private boolean tracing = true;
  /** The server's run history: kept across {@link #stopServer()} and {@link #start()}, removed after all. */
  private Path dataDir;

  /** The admin's token, when the server checks callers. */
  private Optional<String> adminToken = Optional.empty();
  private boolean authenticated;
  private String bind = ServerConfig.LOOPBACK;

  private ServerLimits limits = ServerLimits.DEFAULT;
  private Optional<Duration> engineBound = Optional.empty();

  /** The server gives up on an engine call after {@code bound} (instead of its default). */
  TwlabFixture engineBound(Duration bound) {
    engineBound = Optional.of(bound);
    return this;
  }

  /** The server's own limits on labs and runs. */
  TwlabFixture limits(ServerLimits serverLimits) {
    limits = serverLimits;
    return this;
  }

  /** The server listens on every address of this host (it then checks callers' tokens). */
  TwlabFixture everyAddress() {
    bind = "0.0.0.0";
    return authenticated();
  }

  /** The server checks every caller's token; the fixture's own calls are the admin's. */
  TwlabFixture authenticated() {
    authenticated = true;
    return this;
  }

  /** The server runs with {@code --tracer off}: its host observer samples. */
  TwlabFixture untraced() {
    tracing = false;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    start();
  }

  void start() throws IOException {
    if (dataDir == null) {
      dataDir = Files.createTempDirectory(owner + "-data");
    }
    ServerConfig config = new ServerConfig(0, 0, owner).withTracer(tracing, "").withDataDir(dataDir)
        .withAccess(bind, authenticated).withLimits(limits);
    server = engineBound.isPresent() ? TwlabServer.start(config, DockerRuntime.connect(engineBound.get()))
        : TwlabServer.start(config);
    channel = Grpc.newChannelBuilderForAddress("localhost", server.grpcPort(), InsecureChannelCredentials.create()).build();
    if (authenticated) {
      adminToken = Optional.of(Files.readString(dataDir.resolve("admin.token")).trim());
    }
  }

  /** Stops the server (labs stay on the engine), as a crash or an upgrade would. */
  void stopServer() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  LabServiceGrpc.LabServiceStub asyncGrpc() {
    LabServiceGrpc.LabServiceStub stub = LabServiceGrpc.newStub(channel);
    return adminToken.map(t -> stub.withCallCredentials(Bearer.of(t))).orElse(stub);
  }

  /** The lab service's streams as the holder of {@code token} calls them. */
  LabServiceGrpc.LabServiceStub asyncAs(Optional<String> token) {
    LabServiceGrpc.LabServiceStub stub = LabServiceGrpc.newStub(channel);
    return token.map(t -> stub.withCallCredentials(Bearer.of(t))).orElse(stub);
  }

  LabServiceGrpc.LabServiceBlockingStub grpc() {
    return as(adminToken);
  }

  /** The lab service as the holder of {@code token} calls it (none: without a token). */
  LabServiceGrpc.LabServiceBlockingStub as(Optional<String> token) {
    LabServiceGrpc.LabServiceBlockingStub stub = LabServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(120, TimeUnit.SECONDS);
    return token.map(t -> stub.withCallCredentials(Bearer.of(t))).orElse(stub);
  }

  /** The workshop service as the holder of {@code token} calls it (none: without a token). */
  WorkshopServiceGrpc.WorkshopServiceBlockingStub workshops(Optional<String> token) {
    WorkshopServiceGrpc.WorkshopServiceBlockingStub stub = WorkshopServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(120, TimeUnit.SECONDS);
    return token.map(t -> stub.withCallCredentials(Bearer.of(t))).orElse(stub);
  }

  /** The course service as the holder of {@code token} calls it. */
  CourseServiceGrpc.CourseServiceBlockingStub courses(String token) {
    return CourseServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
        .withCallCredentials(Bearer.of(token));
  }

  /** The server's data directory (its tokens, its databases). */
  Path dataDir() {
    return dataDir;
  }

  Optional<String> adminToken() {
    return adminToken;
  }

  public Lab createLab(LabSpec spec) {
    Lab lab = grpc().createLab(CreateLabRequest.newBuilder().setSpec(spec).build());
    labs.add(lab.getId());
    return lab;
  }

  public String grpcTarget() {
    return "localhost:" + server.grpcPort();
  }

  int httpPort() {
    return server.httpPort();
  }

  int grpcPort() {
    return server.grpcPort();
  }

  String httpBase() {
    return "http://localhost:" + server.httpPort();
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(adminToken, HttpRequest.newBuilder(URI.create(httpBase() + path)).GET());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return send(adminToken, HttpRequest.newBuilder(URI.create(httpBase() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send(adminToken, HttpRequest.newBuilder(URI.create(httpBase() + path)).DELETE());
  }

  /** Sends {@code request} with {@code token} as its bearer token (none: without one). */
  HttpResponse<String> send(Optional<String> token, HttpRequest.Builder request) throws IOException,
      InterruptedException {
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Like {@link #send} for a body that is not text (a pcap). */
  HttpResponse<byte[]> sendBytes(Optional<String> token, HttpRequest.Builder request) throws IOException,
      InterruptedException {
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Runs a scenario over gRPC to its end and checks that it succeeded. */
  ScenarioResult run(Lab lab, String scenario, Map<String, String> params) {
    return run(lab, scenario, params, Duration.ofSeconds(120));
  }

  /** Like {@link #run(Lab, String, Map)} for a long run: {@code bound} only guards against a hang. */
  ScenarioResult run(Lab lab, String scenario, Map<String, String> params, Duration bound) {
    Run run = grpc().withDeadlineAfter(bound.toMillis(), TimeUnit.MILLISECONDS).runScenario(RunScenarioRequest
        .newBuilder().setLabId(lab.getId()).setScenario(scenario).putAllParams(params).setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    return figuresFounded(run.getResult(), params);
  }

  /** Runs a scenario over HTTP (proto3 JSON) to its end and checks that it succeeded. */
  ScenarioResult runOverHttp(Lab lab, String scenario, Map<String, String> params)
      throws IOException, InterruptedException {
    RunScenarioRequest request = RunScenarioRequest.newBuilder().setScenario(scenario).putAllParams(params)
        .setWait(true).build();
    HttpResponse<String> response = post("/api/v1/labs/" + lab.getId() + "/runs", JsonFormat.printer().print(request));
    assertEquals(200, response.statusCode(), response.body());
    Run.Builder run = Run.newBuilder();
    JsonFormat.parser().merge(response.body(), run);
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    return figuresFounded(run.getResult(), params);
  }

  /** Every run of every test checks that its summary states only the result's own figures. */
  private static ScenarioResult figuresFounded(ScenarioResult result, Map<String, String> params) {
    assertEquals(List.of(), SummaryFigures.unfounded(result.getSummary(), result.toBuilder().clearSummary().build(),
        params), "figures the summary states but the result does not hold: " + result.getSummary());
    return result;
  }

  /** The lab once its status is {@code status}, asked every 100 ms for at most {@code limit}. */
  Lab awaitStatus(Lab lab, LabStatus status, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    Lab now = grpc().getLab(GetLabRequest.newBuilder().setLabId(lab.getId()).build());
    while (now.getStatus() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
      now = grpc().getLab(GetLabRequest.newBuilder().setLabId(lab.getId()).build());
    }
    assertEquals(status, now.getStatus(), "lab " + lab.getId() + " after " + limit.toSeconds() + " s");
    return now;
  }

  /** Makes a direct lab and runs S1 in it, which must succeed with nothing the tracer missed. */
  Run tracedS1InANewLab() {
    Lab lab = createLab(LabSpec.newBuilder().setTopology("direct").build());
    Run run = grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nc-timewait")
        .setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    assertEquals(List.of(), run.getObservationIncompleteList(), "traced: " + run.getObservationIncompleteList());
    return run;
  }

  void forget(String labId) {
    labs.remove(labId);
  }

  void remember(String labId) {
    labs.add(labId);
  }

  /** The container of a lab's node, as `docker` names it. */
  static String container(Lab lab, String node) throws IOException, InterruptedException {
    return docker("ps", "-q", "--filter", "label=io.twlab.lab=" + lab.getId(), "--filter", "label=io.twlab.node=" + node)
        .get(0);
  }

  /** Containers, then networks, on the engine that carry this label, as `docker` lists them. */
  static List<String> dockerObjects(String label) throws IOException, InterruptedException {
    List<String> objects = new ArrayList<>(docker("ps", "-aq", "--filter", "label=" + label));
    objects.addAll(docker("network", "ls", "-q", "--filter", "label=" + label));
    return objects;
  }

  public static List<String> docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      reader.lines().filter(l -> !l.isBlank()).forEach(lines::add);
    }
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("docker " + String.join(" ", args) + " failed: " + lines);
    }
    return lines;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    for (String lab : List.copyOf(labs)) {
      try {
        grpc().deleteLab(DeleteLabRequest.newBuilder().setLabId(lab).build());
      } catch (RuntimeException e) {
        // already gone
      }
    }
    stopServer();
    // Whatever a failed test left behind goes too, so that one failure does not leak into the next.
    for (String container : docker("ps", "-aq", "--filter", "label=io.twlab.owner=" + owner)) {
      docker("rm", "-f", container);
    }
    for (String network : docker("network", "ls", "-q", "--filter", "label=io.twlab.owner=" + owner)) {
      docker("network", "rm", network);
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
