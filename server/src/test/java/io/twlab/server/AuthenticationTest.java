package io.twlab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.twlab.identity.Credentials;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.EndWorkshopRequest;
import io.twlab.proto.v1.V1.IssuedCredential;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListLabsRequest;
import io.twlab.proto.v1.V1.ListWorkshopsRequest;
import io.twlab.proto.v1.V1.Role;
import io.twlab.proto.v1.V1.WhoAmIRequest;
import io.twlab.proto.v1.V1.Workshop;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import io.twlab.testing.Bearer;
import io.twlab.testing.FakeEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server with authentication on, over its real gRPC and HTTP ports (on loopback), on a fake engine. */
class AuthenticationTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;

  private TwlabServer start() throws Exception {
    return TwlabServer.start(new ServerConfig(0, 0, "twlab-auth-test").withTracer(false, "").withDataDir(dataDir)
        .withAccess(ServerConfig.LOOPBACK, true), new FakeEngine());
  }

  @Test
  void withoutATokenNothingIsReadAndWithTheAdminsEverythingWorks() throws Exception {
    try (TwlabServer server = start()) {
      Path tokenFile = dataDir.resolve(AdminToken.FILE);
      assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(tokenFile));
      String token = Files.readString(tokenFile).trim();
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.grpcPort(),
          InsecureChannelCredentials.create()).build();
      try {
        LabServiceGrpc.LabServiceBlockingStub anonymous = LabServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        // An invalid request is refused as unauthenticated: its input is not even read.
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> anonymous.createLab(
            CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("star")).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("Authorization: Bearer"), refused.getMessage());
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class, () -> anonymous
            .withCallCredentials(bearer("twlab_forged")).listLabs(ListLabsRequest.getDefaultInstance())).getStatus().getCode());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "health needs no token");

        assertEquals(0, anonymous.withCallCredentials(bearer(token)).listLabs(ListLabsRequest.getDefaultInstance())
            .getLabsCount());
      } finally {
        channel.shutdownNow();
      }

      String base = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> unauthenticated = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs"))
          .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, unauthenticated.statusCode(), unauthenticated.body());
      assertEquals("application/problem+json", unauthenticated.headers().firstValue("Content-Type").orElse(""));
      assertEquals("Bearer realm=\"twlab\"", unauthenticated.headers().firstValue("WWW-Authenticate").orElse(""));
      assertTrue(unauthenticated.body().contains("\"type\":\"urn:twlab:problem:unauthenticated\""), unauthenticated.body());
      assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs/lab-x/events"))
          .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
          "an event stream is refused before it opens, and an unknown lab is not revealed");
      WebSocketHandshakeException socket = (WebSocketHandshakeException) assertThrows(CompletionException.class,
          () -> http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort()
              + "/api/v1/labs/lab-x/ws"), new WebSocket.Listener() { }).join()).getCause();
      assertEquals(401, socket.getResponse().statusCode());
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }

  @Test
  void theAdminAddsAnInstructorWhoseWorkshopAStudentJoinsWithoutAToken() throws Exception {
    try (TwlabServer server = start()) {
      String admin = Files.readString(dataDir.resolve(AdminToken.FILE)).trim();
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.grpcPort(),
          InsecureChannelCredentials.create()).build();
      try {
        WorkshopServiceGrpc.WorkshopServiceBlockingStub workshops = WorkshopServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        IssuedCredential instructor = workshops.withCallCredentials(bearer(admin))
            .addInstructor(AddInstructorRequest.newBuilder().setName("Ada").build());
        assertEquals(Role.ROLE_INSTRUCTOR, instructor.getCaller().getRole());
        Workshop opened = workshops.withCallCredentials(bearer(instructor.getToken())).createWorkshop(
            CreateWorkshopRequest.newBuilder().setName("TCP teardown").setSeats(30)
                .setDuration(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build());
        assertEquals(10, opened.getJoinCode().length());

        IssuedCredential student = workshops.joinWorkshop(JoinWorkshopRequest.newBuilder()
            .setJoinCode(opened.getJoinCode()).setName("Alice").build());
        Caller alice = workshops.withCallCredentials(bearer(student.getToken())).whoAmI(WhoAmIRequest.getDefaultInstance());
        assertEquals(Role.ROLE_STUDENT, alice.getRole());
        assertEquals(opened.getId(), alice.getWorkshopId());
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () -> workshops
            .withCallCredentials(bearer(student.getToken())).addInstructor(AddInstructorRequest.newBuilder().setName("Eve").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        assertEquals(List.of("Alice"), workshops.withCallCredentials(bearer(instructor.getToken()))
            .listWorkshops(ListWorkshopsRequest.getDefaultInstance()).getWorkshops(0).getStudentsList().stream()
            .map(Caller::getName).toList());
        assertEquals("", workshops.withCallCredentials(bearer(instructor.getToken()))
            .listWorkshops(ListWorkshopsRequest.getDefaultInstance()).getWorkshops(0).getJoinCode(), "shown once");

        workshops.withCallCredentials(bearer(instructor.getToken()))
            .endWorkshop(EndWorkshopRequest.newBuilder().setWorkshopId(opened.getId()).build());
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class, () -> workshops
            .withCallCredentials(bearer(student.getToken())).whoAmI(WhoAmIRequest.getDefaultInstance()))
            .getStatus().getCode(), "the workshop ended: its students' tokens stop at once");
      } finally {
        channel.shutdownNow();
      }

      String base = "http://127.0.0.1:" + server.httpPort();
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workshops/join"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"joinCode\":\"WRONG\",\"name\":\"Mallory\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(400, wrong.statusCode(), wrong.body());
        assertTrue(wrong.body().contains("\"field\":\"join_code\""), wrong.body());
      }
      HttpResponse<String> limited = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workshops/join"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"joinCode\":\"WRONG\",\"name\":\"Mallory\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(429, limited.statusCode(), limited.body());
      assertTrue(Integer.parseInt(limited.headers().firstValue("Retry-After").orElse("0")) > 0);
      HttpResponse<String> whoami = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/whoami"))
          .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
      assertTrue(whoami.body().contains("\"role\":\"ROLE_ADMIN\""), whoami.body());
    }
  }

  @Test
  void theAdminTokenSurvivesARestartAndIsMadeAgainWhenItNoLongerWorks() throws Exception {
    Path tokenFile = dataDir.resolve(AdminToken.FILE);
    try (TwlabServer server = start()) {
      assertTrue(Files.exists(tokenFile));
    }
    String first = Files.readString(tokenFile);
    try (TwlabServer server = start()) {
      assertEquals(first, Files.readString(tokenFile), "a working token is kept");
    }
    Files.writeString(tokenFile, "twlab_not-a-token-of-this-server\n");
    try (TwlabServer server = start()) {
      assertNotEquals(first, Files.readString(tokenFile));
      assertTrue(Files.readString(tokenFile).startsWith("twlab_"));
    }
  }

  @Test
  void badInputToTheWorkshopCallsIsRefusedNamingTheFieldAndMakesNothing() throws Exception {
    try (TwlabServer server = start()) {
      String admin = Files.readString(dataDir.resolve(AdminToken.FILE)).trim();
      String base = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> created = post(base + "/api/v1/workshops", admin, "{\"name\":\"w\",\"seats\":5,"
          + "\"duration\":\"3600s\",\"seatLimits\":{\"labs\":5000},\"scenarios\":[\"no-such\"]}");
      assertEquals(400, created.statusCode(), created.body());
      assertTrue(created.body().contains("\"field\":\"seat_limits.labs\"")
          && created.body().contains("\"field\":\"scenarios\""), created.body());
      assertEquals(0, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workshops"))
          .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString()).body()
          .split("\"id\"").length - 1, "nothing was made");

      HttpResponse<String> audit = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/audit?limit=lots"))
          .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, audit.statusCode(), audit.body());
      assertTrue(audit.body().contains("\"field\":\"limit\""), audit.body());

      HttpResponse<String> opened = post(base + "/api/v1/workshops", admin,
          "{\"name\":\"w\",\"seats\":5,\"duration\":\"3600s\"}");
      String workshop = opened.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
      HttpResponse<String> extended = post(base + "/api/v1/workshops/" + workshop + "/extend", admin,
          "{\"by\":\"-60s\"}");
      assertEquals(400, extended.statusCode(), extended.body());
      assertTrue(extended.body().contains("\"field\":\"by\""), extended.body());
      assertEquals(404, post(base + "/api/v1/workshops/workshop-none/extend", admin, "{\"by\":\"60s\"}").statusCode());
    }
  }

  private HttpResponse<String> post(String url, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theAdminTokenMayComeFromADeploymentsSecretAndMustBeATwlabToken() throws Exception {
    Path secret = Files.writeString(dataDir.resolve("secret"), Credentials.newToken() + "\n");
    ServerConfig config = new ServerConfig(0, 0, "twlab-auth-test").withTracer(false, "").withDataDir(dataDir)
        .withAccess(ServerConfig.LOOPBACK, true).withAdminTokenFile(secret);
    try (TwlabServer server = TwlabServer.start(config, new FakeEngine())) {
      HttpResponse<String> whoami = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
          + "/api/v1/whoami")).header("Authorization", "Bearer " + Files.readString(secret).trim()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(whoami.body().contains("\"role\":\"ROLE_ADMIN\""), whoami.body());
      assertTrue(!Files.exists(dataDir.resolve(AdminToken.FILE)), "nothing is written beside a given secret");
    }
    Files.writeString(secret, "hunter2\n");
    IllegalStateException weak = assertThrows(IllegalStateException.class,
        () -> TwlabServer.start(config, new FakeEngine()));
    assertTrue(weak.getMessage().contains("--new-token"), weak.getMessage());
  }

  @Test
  void aBrowserSessionIsAnHttpOnlyCookieTakenFromTheServersOwnPagesOnlyAndChangesNeedItsCsrfToken() throws Exception {
    try (TwlabServer server = start()) {
      String admin = Files.readString(dataDir.resolve(AdminToken.FILE)).trim();
      String base = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions"))
          .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(201, opened.statusCode(), opened.body());
      String setCookie = opened.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/api"),
          setCookie);
      assertTrue(!opened.body().contains("twlab_"), "the token is in the cookie only: " + opened.body());
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));

      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs")).header("Cookie", cookie)
          .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs")).header("Cookie", cookie)
          .header("Origin", base).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs"))
          .header("Cookie", cookie).header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, crossSite.statusCode(), crossSite.body());
      WebSocketHandshakeException socket = (WebSocketHandshakeException) assertThrows(CompletionException.class,
          () -> http.newWebSocketBuilder().header("Cookie", cookie).header("Origin", "http://evil.example")
              .buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/api/v1/labs/lab-x/ws"),
                  new WebSocket.Listener() { }).join()).getCause();
      assertEquals(403, socket.getResponse().statusCode());

      String csrf = opened.headers().firstValue("X-Twlab-Csrf").orElseThrow();
      HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions"))
          .header("Cookie", cookie).header("Origin", base).DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, forged.statusCode(), "a change by cookie without the CSRF token: " + forged.body());
      assertTrue(forged.body().contains("X-Twlab-Csrf"), forged.body());
      assertEquals(403, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions")).header("Cookie", cookie)
          .header("X-Twlab-Csrf", csrf).DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
          "a change by cookie must say its Origin");
      assertEquals(204, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions")).header("Cookie", cookie)
          .header("Origin", base).header("X-Twlab-Csrf", csrf).DELETE().build(), HttpResponse.BodyHandlers.ofString())
          .statusCode());
      assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs")).header("Cookie", cookie)
          .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "a closed session's cookie no longer works");
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs"))
          .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
          "closing a session ends only its own token");
    }
  }

  private static CallCredentials bearer(String token) {
    return Bearer.of(token);
  }

}
