package io.twlab.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.twlab.api.grpc.AuthInterceptor;
import io.twlab.api.grpc.GrpcCourseService;
import io.twlab.api.grpc.GrpcLabService;
import io.twlab.api.grpc.GrpcWorkshopService;
import io.twlab.api.grpc.VersionHeader;
import io.twlab.api.http.HttpApi;
import io.twlab.api.http.MetricsEndpoint;
import io.twlab.app.Access;
import io.twlab.app.AssignmentVersions;
import io.twlab.app.Captures;
import io.twlab.app.Classrooms;
import io.twlab.app.Courses;
import io.twlab.app.EventStreams;
import io.twlab.app.ExperimentService;
import io.twlab.app.GradingQueue;
import io.twlab.app.Labs;
import io.twlab.app.OwnerLock;
import io.twlab.app.Runs;
import io.twlab.app.ServerSettings;
import io.twlab.app.Shells;
import io.twlab.app.TwlabServices;
import io.twlab.identity.Authenticator;
import io.twlab.identity.Credentials;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.RuntimeFailure;
import io.twlab.runtime.docker.DockerRuntime;
import io.twlab.scenario.ScenarioCatalog;
import io.twlab.scenario.ScenarioDescriptor;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.store.RunStore;
import io.twlab.store.SqliteCourseStore;
import io.twlab.store.SqliteIdentityStore;
import io.twlab.store.SqliteRunStore;
import io.twlab.sysctl.SysctlPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The twlab control plane: the one place that wires its objects. Labs, runs and event streams over
 * a {@link LabRuntime}, behind gRPC and HTTP. Closing it stops both and closes what it opened, in
 * the reverse order; the labs stay, for the next server with the same owner to re-adopt.
 */
public final class TwlabServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TwlabServer.class);

  private final Server grpc;
  private final Javalin http;
  private final HealthStatusManager health;
  /** What {@link #close} closes, last opened first. */
  private final Deque<AutoCloseable> owned;

  private TwlabServer(Server grpc, Javalin http, HealthStatusManager health, Deque<AutoCloseable> owned) {
    this.grpc = grpc;
    this.http = http;
    this.health = health;
    this.owned = owned;
  }
  /**
   * The HTTP API's routes as {@code METHOD path} ("GET /api/v1/labs/{id}"), a WebSocket as a GET:
   * what the API's OpenAPI document describes.
   */
  public List<String> httpRoutes() {
    Set<HandlerType> methods = Set.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
        HandlerType.DELETE);
    List<String> routes = new ArrayList<>();
    http.unsafe.internalRouter.allHttpHandlers().stream().map(e -> e.endpoint)
        .filter(e -> methods.contains(e.method)).forEach(e -> routes.add(e.method + " " + e.path));
    http.unsafe.internalRouter.allWsHandlers().forEach(ws -> routes.add("GET " + ws.getPath()));
    return routes;
  }


  /** Starts on the Docker engine this host runs. */
  public static TwlabServer start(ServerConfig config) throws IOException {
    return start(config, DockerRuntime.connect());
  }

  /**
   * Starts on {@code runtime}, which the server then owns and closes: the real engine, or a fake
   * one for tests of everything above the engine.
   */
  public static TwlabServer start(ServerConfig config, LabRuntime runtime) throws IOException {
    Optional<ServerTls> tls = config.tls().map(ServerTls::new);
    return start(config, runtime, tls, NettyServerBuilder.forAddress(
        new InetSocketAddress(config.bind(), config.grpcPort()),
        tls.map(ServerTls::grpc).orElseGet(InsecureServerCredentials::create)));
  }

  /**
   * Like {@link #start(ServerConfig, LabRuntime)}, serving gRPC from {@code grpcBuilder}: a port of
   * its own, or an in-process transport for tests that need no network.
   */
  public static TwlabServer start(ServerConfig config, LabRuntime runtime, ServerBuilder<?> grpcBuilder)
      throws IOException {
    return start(config, runtime, config.tls().map(ServerTls::new), grpcBuilder);
  }

  private static TwlabServer start(ServerConfig config, LabRuntime runtime, Optional<ServerTls> tls,
      ServerBuilder<?> grpcBuilder) throws IOException {
    Deque<AutoCloseable> owned = new ArrayDeque<>();
    owned.push(runtime);
    try {
      ScenarioCatalog catalog = BuiltInScenarios.catalog();
      RunStore history = SqliteRunStore.open(config.dataDir(), config.historyRuns(), catalog.outcomeTypes());
      owned.push(history);
      SqliteIdentityStore identities = SqliteIdentityStore.open(config.dataDir());
      owned.push(identities);
      Credentials credentials = new Credentials(identities, Clock.systemUTC());
      Authenticator authenticator = authenticator(config, credentials);
      ServerSettings defaults = ServerSettings.defaults();
      ServerSettings settings = defaults.withOwner(config.owner()).withEventRetention(config.eventRetention())
          .withTracer(config.tracer(), config.tracerImage().isEmpty() ? defaults.tracerImage() : config.tracerImage())
          .withNodes(config.nodes());
      Clock clock = Clock.systemUTC();
      owned.push(OwnerLock.acquire(runtime, settings, holder(), clock));
      SysctlPolicy policy = new SysctlPolicy();
      Labs labs = new Labs(runtime, settings, config.limits(), policy, clock);
      owned.push(labs);
      Runs runs = new Runs(runtime, labs, catalog, policy, history, config.limits(), clock);
      owned.push(runs);
      Access access = new Access(credentials, identities, identities,
          catalog.descriptors().stream().map(ScenarioDescriptor::name).collect(Collectors.toSet()), clock);
      EventStreams events = new EventStreams(labs, runs, history);
      owned.push(events);
      ExperimentService experiments = new ExperimentService(labs, runs, policy, clock);
      SqliteCourseStore courseStore = SqliteCourseStore.open(config.dataDir());
      owned.push(courseStore);
      AssignmentVersions assignments = new AssignmentVersions(courseStore, policy);
      GradingQueue grading = new GradingQueue(courseStore, Courses.grader(assignments, experiments, labs, courseStore),
          config.limits().grading(), clock);
      owned.push(grading);
      Shells shells = new Shells(labs, access, config.limits(), clock);
      owned.push(shells);
      TwlabServices services = new TwlabServices(labs, runs, events, experiments, access,
          new Classrooms(access, labs, runs, events, shells, clock),
          new Courses(courseStore, access, identities, credentials, experiments, grading, assignments, clock),
          new Captures(runtime, labs), shells);
      ExecutorService watchers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "twlab-watch");
        t.setDaemon(true);
        return t;
      });
      labs.start();
      runs.interruptLeftovers();
      grading.start();
      HealthStatusManager health = new HealthStatusManager();
      AuthInterceptor auth = new AuthInterceptor(authenticator, access);
      Server grpc = grpcBuilder
          .addService(ServerInterceptors.intercept(new GrpcLabService(services, watchers).definition(), auth))
          .addService(ServerInterceptors.intercept(new GrpcWorkshopService(services, watchers), auth))
          .addService(ServerInterceptors.intercept(new GrpcCourseService(services, watchers, clock), auth))
          .addService(health.getHealthService())
          .addService(ProtoReflectionServiceV1.newInstance())
          .intercept(new VersionHeader())
          .build()
          .start();
      owned.push(() -> stop(grpc));
      // Before gRPC waits for its calls to end: the streams among them end when their threads stop,
      // the lab watches when told to.
      owned.push(watchers::shutdownNow);
      owned.push(events::endAll);
      health.setStatus("", ServingStatus.SERVING);
      health.setStatus("twlab.v1.LabService", ServingStatus.SERVING);
      ServerMetrics metrics = new ServerMetrics(runtime, labs, runs, events, grading);
      owned.push(metrics);
      MetricsEndpoint metricsEndpoint = new MetricsEndpoint(metrics::scrape,
          config.auth() ? Optional.of(ScrapeToken.ensure(config.dataDir())) : Optional.empty());
      Javalin http = new HttpApi(services, authenticator, config.allowedHosts(), metricsEndpoint, clock)
          .create(jetty -> tls.ifPresent(t -> jetty.addConnector((server, http1) -> t.https(server, http1,
              config.bind(), config.httpPort())))).start(config.bind(), config.httpPort());
      owned.push(http::stop);
      LOG.info("twlab listening on {}: gRPC port {}, HTTP port {} ({}), owner {}, run history in {}", config.bind(),
          grpc.getPort(), http.port(), tls.isPresent() ? "TLS" : "plaintext", config.owner(), config.dataDir());
      return new TwlabServer(grpc, http, health, owned);
    } catch (IOException | RuntimeException e) {
      closeAll(owned);
      throw e;
    }
  }

  /** How the owner lock names this server to another that finds it held. */
  private static String holder() {
    return "server process " + ProcessHandle.current().pid() + " on host "
        + Optional.ofNullable(System.getenv("HOSTNAME")).orElse("?");
  }

  /** Bearer tokens from the database, with the admin's written to the data directory; or, on loopback, none. */
  private static Authenticator authenticator(ServerConfig config, Credentials credentials) {
    if (!config.auth()) {
      LOG.warn("AUTHENTICATION IS OFF: anyone who reaches {} can create, run and delete every lab; "
          + "this is only allowed on loopback (start with --auth on for anything else)", config.bind());
      return Authenticator.open();
    }
    if (config.adminTokenFile().isPresent()) {
      AdminToken.register(config.adminTokenFile().get(), credentials);
      LOG.info("authentication on: the admin's bearer token is the one in {}", config.adminTokenFile().get());
    } else {
      LOG.info("authentication on: the admin's bearer token is in {} (readable by its owner only)",
          AdminToken.ensure(config.dataDir(), credentials));
    }
    return credentials;
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
    closeAll(owned);
  }

  private static void stop(Server grpc) throws InterruptedException {
    grpc.shutdown();
    if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
      grpc.shutdownNow();
    }
  }

  private static void closeAll(Deque<AutoCloseable> owned) {
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.warn("closing the server: {}", e.toString());
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Optional<ServerConfig> config;
    try {
      config = ServerConfig.parse(args, System.getenv(), new PrintWriter(System.out, true));
    } catch (IllegalArgumentException e) {
      System.err.println("twlab-server: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (config.isEmpty()) {
      return;
    }
    TwlabServer server;
    try {
      server = start(config.get());
    } catch (IllegalStateException | RuntimeFailure e) {
      System.err.println("twlab-server: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "twlab-shutdown"));
    server.grpc.awaitTermination();
  }
}
