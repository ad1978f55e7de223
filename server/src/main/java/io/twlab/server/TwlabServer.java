package io.twlab.server;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.javalin.Javalin;
import io.twlab.api.grpc.GrpcLabService;
import io.twlab.api.http.HttpApi;
import io.twlab.app.ExperimentService;
import io.twlab.app.LabService;
import io.twlab.app.ServerSettings;
import io.twlab.store.RunStore;
import io.twlab.store.SqliteRunStore;
import io.twlab.runtime.docker.DockerRuntime;
import io.twlab.scenario.ScenarioCatalog;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The twlab control plane: one {@link LabService} behind gRPC and HTTP. Closing it stops both. */
public final class TwlabServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TwlabServer.class);

  private final DockerRuntime runtime;
  private final RunStore history;
  private final LabService service;
  private final ExecutorService watchers;
  private final Server grpc;
  private final Javalin http;
  private final HealthStatusManager health;

  private TwlabServer(DockerRuntime runtime, RunStore history, LabService service, ExecutorService watchers,
      Server grpc, Javalin http, HealthStatusManager health) {
    this.runtime = runtime;
    this.history = history;
    this.service = service;
    this.watchers = watchers;
    this.grpc = grpc;
    this.http = http;
    this.health = health;
  }

  public static TwlabServer start(ServerConfig config) throws IOException {
    RunStore history = SqliteRunStore.open(config.dataDir(), config.historyRuns());
    DockerRuntime runtime;
    try {
      runtime = DockerRuntime.connect();
    } catch (RuntimeException e) {
      history.close();
      throw e;
    }
    ServerSettings defaults = ServerSettings.defaults();
    LabService service = new LabService(runtime, defaults.withOwner(config.owner())
        .withEventRetention(config.eventRetention())
        .withTracer(config.tracer(), config.tracerImage().isEmpty() ? defaults.tracerImage() : config.tracerImage()),
        ScenarioCatalog.builtIn(), history, Clock.systemUTC());
    ExecutorService watchers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "twlab-watch");
      t.setDaemon(true);
      return t;
    });
    try {
      service.start();
      ExperimentService experiments = new ExperimentService(service, Clock.systemUTC());
      HealthStatusManager health = new HealthStatusManager();
      Server grpc = Grpc.newServerBuilderForPort(config.grpcPort(), InsecureServerCredentials.create())
          .addService(new GrpcLabService(service, experiments, watchers))
          .addService(health.getHealthService())
          .addService(ProtoReflectionServiceV1.newInstance())
          .build()
          .start();
      health.setStatus("", ServingStatus.SERVING);
      health.setStatus("twlab.v1.LabService", ServingStatus.SERVING);
      Javalin http = new HttpApi(service, experiments, watchers).create().start(config.httpPort());
      LOG.info("twlab listening: gRPC port {}, HTTP port {}, owner {}, run history in {}", grpc.getPort(), http.port(),
          config.owner(), config.dataDir());
      return new TwlabServer(runtime, history, service, watchers, grpc, http, health);
    } catch (IOException | RuntimeException e) {
      service.close();
      watchers.shutdownNow();
      runtime.close();
      history.close();
      throw e;
    }
  }

  public int grpcPort() {
    return grpc.getPort();
  }

  public int httpPort() {
    return http.port();
  }

  /** Stops serving; the labs stay and the next server with the same owner re-adopts them. */
  @Override
  public void close() {
    health.enterTerminalState();
    http.stop();
    grpc.shutdown();
    watchers.shutdownNow();
    service.close();
    try {
      if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      grpc.shutdownNow();
    }
    runtime.close();
    history.close();
  }

  public static void main(String[] args) throws Exception {
    ServerConfig config;
    try {
      config = ServerConfig.from(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("twlab-server: " + e.getMessage());
      System.exit(2);
      return;
    }
    TwlabServer server;
    try {
      server = start(config);
    } catch (IllegalStateException | io.twlab.runtime.RuntimeFailure e) {
      System.err.println("twlab-server: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "twlab-shutdown"));
    server.grpc.awaitTermination();
  }
}
