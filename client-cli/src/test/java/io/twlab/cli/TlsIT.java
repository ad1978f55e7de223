package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.it.TwlabFixture;
import io.twlab.server.ServerConfig;
import io.twlab.server.TlsFiles;
import io.twlab.server.TwlabServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with TLS on both APIs, from a certificate its operator's own CA signed (made here with
 * openssl), and the twlab command reaching it with --ca: a run end to end on the real engine.
 */
class TlsIT {
  private static final String OWNER = "twlab-tls-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir
  static Path dir;
  private static Path ca;
  private static TwlabServer server;

  @BeforeAll
  static void serverWithItsOwnCa() throws Exception {
    ca = dir.resolve("ca.pem");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
        "-subj", "/CN=twlab test CA", "-keyout", dir.resolve("ca.key").toString(), "-out", ca.toString());
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
        "-keyout", dir.resolve("server.key").toString(), "-out", dir.resolve("server.csr").toString());
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    openssl("x509", "-req", "-in", dir.resolve("server.csr").toString(), "-CA", ca.toString(), "-CAkey",
        dir.resolve("ca.key").toString(), "-CAcreateserial", "-days", "1", "-extfile", dir.resolve("san.ext").toString(),
        "-out", dir.resolve("server.pem").toString());
    server = TwlabServer.start(new ServerConfig(0, 0, OWNER).withTracer(false, "").withDataDir(dir.resolve("data"))
        .withAccess(ServerConfig.LOOPBACK, true)
        .withTls(new TlsFiles(dir.resolve("server.pem"), dir.resolve("server.key"))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    TwlabFixture.docker("rm", "-f", "twlab-observer-" + OWNER);
  }

  @Test
  void theCliRunsAScenarioOverTlsTrustingTheServersCa() throws Exception {
    CommandRun run = twlab("--ca", ca.toString(), "run", "nc-timewait");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("TIME_WAIT"), run.out());
    assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.owner=" + OWNER),
        "the temporary lab was not removed");
  }

  @Test
  void withoutTheCaOrInPlaintextTheCliIsRefusedAndToldWhatToDo() {
    CommandRun untrusted = twlab("--tls", "scenarios");
    assertEquals(Twlab.SERVER_ERROR, untrusted.exitCode());
    assertTrue(untrusted.err().contains("--ca FILE"), untrusted.err());
    CommandRun plaintext = twlab("scenarios");
    assertEquals(Twlab.SERVER_ERROR, plaintext.exitCode());
    assertTrue(plaintext.err().contains("a server with TLS needs --ca FILE"), plaintext.err());
  }

  @Test
  void httpsServesTheApiAndPlaintextHttpIsNotAnswered() throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
    HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(ca)).build();
    HttpResponse<String> whoami = trusting.send(java.net.http.HttpRequest.newBuilder(
        URI.create("https://localhost:" + server.httpPort() + "/api/v1/whoami"))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, whoami.statusCode(), whoami.body());
    assertTrue(whoami.body().contains("ADMIN"), whoami.body());
    assertThrows(SSLHandshakeException.class, () -> HttpClient.newHttpClient().send(java.net.http.HttpRequest
        .newBuilder(URI.create("https://localhost:" + server.httpPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()), "the system does not trust the operator's CA");
    HttpResponse<String> plaintext = sendOrNull("http://localhost:" + server.httpPort() + "/healthz");
    assertTrue(plaintext == null || plaintext.statusCode() == 400, "plaintext HTTP is not served: "
        + (plaintext == null ? "" : plaintext.statusCode() + " " + plaintext.body()));
  }

  private static HttpResponse<String> sendOrNull(String url) throws InterruptedException {
    try {
      return HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    }
  }

  private static CommandRun twlab(String... args) {
    List<String> all = new ArrayList<>(List.of("--server", "localhost:" + server.grpcPort(), "--config-dir",
        dir.resolve("config").toString(), "--token-file", dir.resolve("data").resolve("admin.token").toString()));
    all.addAll(List.of(args));
    return CommandRun.twlab(all.toArray(String[]::new));
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      store.setCertificateEntry("twlab-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertEquals(0, process.waitFor(), "openssl " + String.join(" ", args) + ": " + output);
  }
}
