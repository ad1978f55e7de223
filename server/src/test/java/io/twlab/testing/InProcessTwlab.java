package io.twlab.testing;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.server.ServerConfig;
import io.twlab.server.TwlabServer;
import io.twlab.store.RunStore;
import io.twlab.store.SqliteRunStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole twlab server in this JVM on a {@link FakeEngine}: gRPC over the in-process transport,
 * HTTP on a free loopback port, the run history in {@code dataDir}. For tests of the adapters'
 * mapping, errors and paging; what the kernel does is for the integration tests.
 */
public final class InProcessTwlab implements AutoCloseable {
  private final TwlabServer server;
  private final ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();

  private InProcessTwlab(TwlabServer server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  /** A server whose history already holds what {@code seed} saved into it. */
  public static InProcessTwlab start(Path dataDir, Consumer<RunStore> seed) {
    try (SqliteRunStore history = SqliteRunStore.open(dataDir, 1_000, BuiltInScenarios.catalog().outcomeTypes())) {
      seed.accept(history);
    }
    String name = InProcessServerBuilder.generateName();
    ServerConfig config = new ServerConfig(0, 0, "twlab-test-" + name).withTracer(false, "").withDataDir(dataDir);
    try {
      TwlabServer server = TwlabServer.start(config, new FakeEngine(),
          InProcessServerBuilder.forName(name).directExecutor());
      return new InProcessTwlab(server, InProcessChannelBuilder.forName(name).directExecutor().build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public LabServiceGrpc.LabServiceBlockingStub grpc() {
    return LabServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public LabServiceGrpc.LabServiceStub asyncGrpc() {
    return LabServiceGrpc.newStub(channel);
  }

  /** The routes the server's HTTP API answers, as {@code METHOD path}. */
  public List<String> httpRoutes() {
    return server.httpRoutes();
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  /** An SSE stream read to its end (a replay ends; a live watch does not). */
  public HttpResponse<String> events(String path) {
    return send(HttpRequest.newBuilder(uri(path)).header("Accept", "text/event-stream").GET());
  }

  public HttpResponse<String> post(String path, String contentType, String body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpResponse<String> delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.httpPort() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(java.time.Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.close();
  }

  /** One server per test, in a fresh data directory, closed after the test. */
  public static final class Fixture implements AfterEachCallback {
    private InProcessTwlab started;
    private Path dataDir;

    public InProcessTwlab start(Consumer<RunStore> seed) {
      try {
        dataDir = Files.createTempDirectory("twlab-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      started = InProcessTwlab.start(dataDir, seed);
      return started;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
      if (started != null) {
        started.close();
        started = null;
      }
      if (dataDir != null) {
        try (var files = Files.walk(dataDir)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
        dataDir = null;
      }
    }
  }
}
