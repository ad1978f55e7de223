package io.twlab.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.javalin.Javalin;
import io.javalin.config.JettyConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.javalin.router.Endpoint;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsConnectContext;
import io.twlab.api.ApiError;
import io.twlab.api.ServerVersion;
import io.twlab.api.ApiError.Kind;
import io.twlab.api.IdentityMapper;
import io.twlab.api.ProtoMapper;
import io.twlab.api.report.RoomGrades;
import io.twlab.app.Access;
import io.twlab.app.Captures;
import io.twlab.app.Classrooms;
import io.twlab.app.Courses;
import io.twlab.app.EventStreams;
import io.twlab.app.ExperimentService;
import io.twlab.app.Labs;
import io.twlab.app.Runs;
import io.twlab.app.TwlabServices;
import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.UnauthenticatedException;
import io.twlab.event.Detail;
import io.twlab.event.EventFilter;
import io.twlab.identity.Authenticator;
import io.twlab.identity.Principal;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.DeleteLabResponse;
import io.twlab.proto.v1.V1.ExtendWorkshopLabsRequest;
import io.twlab.proto.v1.V1.ExtendWorkshopRequest;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.ListLabsResponse;
import io.twlab.proto.v1.V1.ListScenariosResponse;
import io.twlab.proto.v1.V1.RevokeCredentialResponse;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.store.RunQuery;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST, SSE and WebSocket face of the twlab services: bodies are the proto3 JSON mapping of twlab.v1. */
public final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  private static final String PROBLEM_JSON = "application/problem+json";
  static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JOIN = "/api/v1/workshops/join";
  private static final String PRINCIPAL = "twlab.principal";
  private static final String CALLER = "twlab.caller";
  private static final String STREAM = "twlab.stream";
  /** The lab, run, workshop, credential, assignment or job a path names. */
  private static final Pattern TARGET = Pattern.compile(
      "/api/v1/(?:labs|runs|workshops|credentials|assignments|jobs)/([^/]+).*");
  private static final String LAB_EVENTS = "/api/v1/labs/{id}/events";
  private static final String RUN_EVENTS = "/api/v1/runs/{id}/events";
  private static final String SESSIONS = "/api/v1/sessions";
  /** The REST API's description (public: it holds nothing of anyone's). */
  static final String OPENAPI = "/api/v1/openapi.json";
  private static final String SESSION_COOKIE = "twlab_session";
  private static final String COOKIE_ATTRIBUTES = "; Path=/api; HttpOnly; SameSite=Strict";
  private static final String CLASSROOM_EVENTS = "/api/v1/workshops/{id}/classroom/events";
  private static final int DEFAULT_AUDIT = 100;
  /**
   * The web console's pages run only the server's own scripts and styles and talk only to it (no
   * CDN: workshop rooms may be offline), may not be framed, and are fetched again after an upgrade.
   */
  private static final Map<String, String> CONSOLE_HEADERS = Map.of(
      // xterm.js sets its theme and cell size in <style> elements it makes: styles may be inline,
      // scripts never.
      "Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "no-referrer",
      "Cache-Control", "no-cache");
  /**
   * A request's body: a lab spec, a workshop, an experiment file (at most 256 KiB of YAML), or a
   * submission whose program is a static binary of at most 2 MiB, sent in base64.
   */
  private static final long MAX_BODY = 4 * 1024 * 1024;

  private final Labs labs;
  private final Runs runs;
  private final EventStreams events;
  private final ExperimentService experiments;
  private final Authenticator authenticator;
  private final Access access;
  private final Classrooms classrooms;
  private final BrowserGuard guard;
  private final CourseRoutes courseRoutes;
  private final Courses courses;
  private final Captures captures;
  private final ShellSocket shellSocket;
  private final MetricsEndpoint metrics;

  /**
   * {@code authenticator} tells who calls every /api route; {@code hosts}: the names (and
   * addresses) clients reach the server by, the only Host headers it answers.
   */
  public HttpApi(TwlabServices services, Authenticator authenticator, List<String> hosts,
      MetricsEndpoint metrics, Clock clock) {
    this.metrics = metrics;
    this.courseRoutes = new CourseRoutes(services.courses(), clock);
    this.courses = services.courses();
    this.captures = services.captures();
    this.authenticator = authenticator;
    this.guard = new BrowserGuard(hosts);
    this.access = services.access();
    this.classrooms = services.classrooms();
    this.labs = services.labs();
    this.runs = services.runs();
    this.events = services.events();
    this.experiments = services.experiments();
    this.shellSocket = new ShellSocket(services.shells());
  }

  /** {@code jetty}: how the server listens, when not plaintext HTTP (TLS). */
  public Javalin create(Consumer<JettyConfig> jetty) {
    return Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.http.maxRequestSize = MAX_BODY;
      jetty.accept(config.jetty);
      config.routes.before(guard::checkSite);
      config.routes.wsBeforeUpgrade(guard::checkSite);
      config.routes.get("/healthz", ctx -> ctx.contentType("application/json")
          .result("{\"status\":\"ok\",\"version\":\"" + ServerVersion.CURRENT + "\"}"));
      config.routes.get(MetricsEndpoint.PATH, ctx -> metrics.serve(ctx, authenticator));
      config.staticFiles.enableWebjars();
      config.routes.get(OPENAPI, ctx -> ctx.contentType("application/json").result(resource("openapi.json")));
      config.routes.get("/explorer", ctx -> ctx.contentType("text/html; charset=utf-8")
          .result(resource("explorer/index.html")));
      config.routes.get("/explorer/explorer.js", ctx -> ctx.contentType("text/javascript")
          .result(resource("explorer/explorer.js")));
      config.staticFiles.add(files -> {
        files.hostedPath = "/";
        files.directory = "/io/twlab/console";
        files.location = Location.CLASSPATH;
        files.headers = CONSOLE_HEADERS;
      });
      // First of all handlers, so that no input of an unauthenticated call is read.
      config.routes.before("/api/*", this::authenticate);
      config.routes.wsBeforeUpgrade("/api/*", this::authenticate);
      config.routes.before("/api/*", guard::checkBody);
      config.routes.get("/api/v1/labs", ctx -> proto(ctx, ListLabsResponse.newBuilder()
          .addAllLabs(labs.list(caller(ctx)).stream().map(ProtoMapper::lab).toList()).build()));
      config.routes.post("/api/v1/labs", this::createLab);
      config.routes.get("/api/v1/labs/{id}", ctx -> proto(ctx, ProtoMapper.lab(labs.get(caller(ctx), ctx.pathParam("id")))));
      config.routes.delete("/api/v1/labs/{id}", ctx -> {
        labs.delete(caller(ctx), ctx.pathParam("id"));
        proto(ctx, DeleteLabResponse.newBuilder().setLabId(ctx.pathParam("id")).build());
      });
      config.routes.get("/api/v1/scenarios", ctx -> proto(ctx, ListScenariosResponse.newBuilder()
          .addAllScenarios(runs.scenarios(caller(ctx)).stream().map(ProtoMapper::scenario).toList()).build()));
      config.routes.get("/api/v1/sysctls", ctx -> proto(ctx, ProtoMapper.sysctls(labs.sysctlRules())));
      config.routes.post("/api/v1/labs/{id}/runs", this::runScenario);
      config.routes.get("/api/v1/labs/{id}/capture", this::capture);
      config.routes.get("/api/v1/runs/{id}/pcap", ctx -> {
        String node = orEmpty(ctx.queryParam("node"));
        byte[] pcap = runs.capture(caller(ctx), ctx.pathParam("id"), node);
        ctx.contentType("application/vnd.tcpdump.pcap").header("Content-Disposition", "attachment; filename=\""
            + ctx.pathParam("id").replaceAll("[^a-z0-9-]", "") + "-" + node.replaceAll("[^a-z0-9-]", "") + ".pcap\"")
            .result(pcap);
      });
      config.routes.get("/api/v1/runs/{id}/ladders", ctx -> proto(ctx, ProtoMapper.ladders(runs.ladders(caller(ctx),
          ctx.pathParam("id"), orEmpty(ctx.queryParam("node")), number(ctx, "max", 10)))));
      config.routes.get("/api/v1/runs", this::listRuns);
      config.routes.get("/api/v1/runs/{id}", ctx -> proto(ctx, ProtoMapper.run(runs.get(caller(ctx), ctx.pathParam("id")))));
      // The body is the experiment file itself, YAML or JSON.
      config.routes.post("/api/v1/grades", ctx -> proto(ctx, ProtoMapper.grade(experiments.grade(caller(ctx), ctx.body()))));
      config.routes.post("/api/v1/sweeps", ctx -> proto(ctx, ProtoMapper.sweep(experiments.sweep(caller(ctx), ctx.body()))));
      // Checked and counted before the stream opens, so that an unknown lab, a bad filter or a
      // watcher over the quota is a problem+json response, not an SSE error event.
      config.routes.before(LAB_EVENTS, ctx -> {
        resumeAfter(ctx);
        filter(ctx.queryParamMap());
        detail(ctx.queryParam("detail"));
        ctx.attribute(STREAM, events.lab(caller(ctx), ctx.pathParam("id")));
      });
      config.routes.sse(LAB_EVENTS, this::streamEvents);
      config.routes.before(RUN_EVENTS, ctx -> {
        resumeAfter(ctx);
        filter(ctx.queryParamMap());
        detail(ctx.queryParam("detail"));
        ctx.attribute(STREAM, events.replay(caller(ctx), ctx.pathParam("id"), speed(ctx.queryParam("speed"))));
      });
      // A recorded run's timeline; ?speed=1 replays it at the pace it happened.
      config.routes.sse(RUN_EVENTS, this::streamEvents);
      config.routes.ws("/api/v1/labs/{id}/ws", ws -> {
        ws.onConnect(this::startWebSocketWatch);
        ws.onClose(ctx -> LOG.debug("websocket watcher {} closed", ctx.sessionId()));
      });
      config.routes.ws("/api/v1/labs/{id}/nodes/{node}/shell", ws -> shellSocket.configure(ws, PRINCIPAL, CALLER));
      config.routes.get("/api/v1/whoami", ctx -> proto(ctx, IdentityMapper.caller(principal(ctx))));
      config.routes.post("/api/v1/instructors", ctx -> {
        AddInstructorRequest.Builder request = AddInstructorRequest.newBuilder();
        parse(ctx, request);
        ctx.status(201);
        proto(ctx, IdentityMapper.issued(access.addInstructor(principal(ctx), request.getName())));
      });
      config.routes.post("/api/v1/workshops", ctx -> {
        CreateWorkshopRequest.Builder request = CreateWorkshopRequest.newBuilder();
        parse(ctx, request);
        Access.Opened opened = IdentityMapper.open(access, principal(ctx), request.build());
        ctx.status(201);
        proto(ctx, IdentityMapper.workshop(opened.workshop(), opened.joinCode(), List.of()));
      });
      config.routes.get("/api/v1/workshops", ctx ->
          proto(ctx, IdentityMapper.workshops(access.workshops(principal(ctx)))));
      config.routes.post(JOIN, ctx -> {
        JoinWorkshopRequest.Builder request = JoinWorkshopRequest.newBuilder();
        parse(ctx, request);
        ctx.status(201);
        proto(ctx, IdentityMapper.issued(access.join(request.getJoinCode(), request.getName(), ctx.ip())));
      });
      config.routes.post("/api/v1/workshops/{id}/end", ctx ->
          proto(ctx, IdentityMapper.workshop(classrooms.end(principal(ctx), caller(ctx), ctx.pathParam("id")))));
      config.routes.post("/api/v1/workshops/{id}/extend", ctx -> {
        ExtendWorkshopRequest.Builder request = ExtendWorkshopRequest.newBuilder();
        parse(ctx, request);
        proto(ctx, IdentityMapper.workshop(access.extendWorkshop(principal(ctx), ctx.pathParam("id"),
            ProtoMapper.duration(request.getBy()))));
      });
      config.routes.post("/api/v1/credentials/{id}/revoke", ctx -> {
        courses.revoke(principal(ctx), ctx.pathParam("id"));
        proto(ctx, RevokeCredentialResponse.newBuilder().setPrincipalId(ctx.pathParam("id")).build());
      });
      // A browser's session: its token goes in an HttpOnly cookie that scripts cannot read, sent
      // back only to this server's own pages (SameSite=Strict), never in a URL.
      config.routes.post(SESSIONS, ctx -> {
        Access.Issued session = access.openSession(principal(ctx));
        ctx.header(BrowserGuard.CSRF_HEADER, BrowserGuard.csrfToken(session.token()));
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + session.token() + COOKIE_ATTRIBUTES + "; Max-Age="
            + Duration.between(Instant.now(), session.expiresAt()).toSeconds());
        ctx.status(201);
        proto(ctx, IdentityMapper.issued(new Access.Issued(session.principal(), "", session.expiresAt())));
      });
      config.routes.delete(SESSIONS, ctx -> {
        String token = ctx.cookie(SESSION_COOKIE);
        if (token != null) {
          access.closeSession(token);
        }
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + COOKIE_ATTRIBUTES + "; Max-Age=0");
        ctx.status(204);
      });
      config.routes.post("/api/v1/credentials/rotate", ctx -> proto(ctx,
          IdentityMapper.issued(access.rotate(principal(ctx)))));
      config.routes.get("/api/v1/audit", ctx -> proto(ctx, IdentityMapper.audit(access.audit(principal(ctx),
          orEmpty(ctx.queryParam("workshop_id")), number(ctx, "limit", DEFAULT_AUDIT)))));
      config.routes.get("/api/v1/workshops/{id}/classroom", ctx -> proto(ctx,
          IdentityMapper.classroom(classrooms.view(principal(ctx), ctx.pathParam("id")))));
      // The classroom again whenever it changes, as SSE events named "classroom".
      config.routes.before(CLASSROOM_EVENTS, ctx -> ctx.attribute(STREAM,
          classrooms.watch(principal(ctx), caller(ctx), ctx.pathParam("id"))));
      config.routes.sse(CLASSROOM_EVENTS, this::streamClassroom);
      config.routes.post("/api/v1/workshops/{id}/labs/extend", ctx -> {
        ExtendWorkshopLabsRequest.Builder request = ExtendWorkshopLabsRequest.newBuilder();
        parse(ctx, request);
        proto(ctx, IdentityMapper.workshopLabs(ctx.pathParam("id"), classrooms.extendLabs(principal(ctx), caller(ctx),
            ctx.pathParam("id"), ProtoMapper.duration(request.getBy()))));
      });
      config.routes.delete("/api/v1/workshops/{id}/labs", ctx -> proto(ctx, IdentityMapper.workshopLabs(
          ctx.pathParam("id"), classrooms.endLabs(principal(ctx), caller(ctx), ctx.pathParam("id")))));
      // The file itself, to save or import into a gradebook.
      config.routes.get("/api/v1/workshops/{id}/grades", ctx -> {
        RoomGrades.Export export = RoomGrades.render(ctx.pathParam("id"), RoomGrades.Format.of(
            ctx.queryParam("format")), classrooms.grades(principal(ctx), ctx.pathParam("id")));
        ctx.contentType(export.format().contentType + "; charset=utf-8")
            .header("Content-Disposition", "attachment; filename=\"" + export.fileName().replaceAll("[^A-Za-z0-9.-]",
                "") + "\"").result(export.body());
      });
      courseRoutes.addTo(config.routes);
      config.routes.exception(Exception.class, (e, ctx) -> problem(ctx, e));
      config.routes.exception(HttpResponseException.class, HttpApi::refusedByJavalin);
      config.routes.after("/api/*", this::audit);
    });
  }

  /**
   * Every /api route but joining a workshop needs a caller within their request rate; the handlers
   * find them in the context.
   */
  private void authenticate(Context ctx) {
    if (ctx.path().equals(JOIN) || ctx.path().equals(OPENAPI)) {
      return;
    }
    String authorization = ctx.header("Authorization");
    String session = ctx.cookie(SESSION_COOKIE);
    if (authorization == null && session != null) {
      guard.checkCsrf(ctx, session);
      ctx.header(BrowserGuard.CSRF_HEADER, BrowserGuard.csrfToken(session));
      authorization = "Bearer " + session;
    }
    Principal principal = authenticator.bearer(authorization).orElseThrow(UnauthenticatedException::new);
    access.pace(principal);
    ctx.attribute(PRINCIPAL, principal);
    ctx.attribute(CALLER, access.caller(principal));
  }

  /**
   * Every call that changed something, and every refused one, goes to the audit log. An event
   * stream the server's stop cut has no request left to read: it changed nothing.
   */
  private void audit(Context ctx) {
    try {
      auditCall(ctx);
    } catch (IllegalStateException | NullPointerException e) {
      LOG.debug("not audited, the request is gone: {}", e.toString());
    }
  }

  private void auditCall(Context ctx) {
    int status = ctx.statusCode();
    boolean refused = status == 401 || status == 403 || status == 429;
    if (ctx.method() == HandlerType.GET && !refused) {
      return;
    }
    Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
    Matcher named = TARGET.matcher(ctx.path());
    String target = named.matches() && !Set.of("join", "rotate").contains(named.group(1)) ? named.group(1) : made(ctx);
    access.audit(Optional.ofNullable(principal(ctx)), ctx.ip(), "http " + ctx.method() + " "
        + (endpoint == null ? ctx.path() : endpoint.path), target, outcome(status));
  }

  /** The id of what a call made (a lab, a workshop, a credential), from its response. */
  private static String made(Context ctx) {
    try {
      JsonNode body = JSON.readTree(ctx.result() == null ? "" : ctx.result());
      return body == null ? "" : body.path("id").asText(body.path("caller").path("id").asText(""));
    } catch (JsonProcessingException e) {
      return "";
    }
  }

  /** An HTTP status as the audit log records both APIs' outcomes: OK, or the error's kind. */
  private static String outcome(int status) {
    return status < 400 ? "OK" : Arrays.stream(ApiError.Kind.values()).filter(k -> k.httpStatus == status)
        .map(Enum::name).findFirst().orElse(String.valueOf(status));
  }

  static Principal principal(Context ctx) {
    return ctx.attribute(PRINCIPAL);
  }

  private static Caller caller(Context ctx) {
    return ctx.attribute(CALLER);
  }

  private void createLab(Context ctx) throws InvalidProtocolBufferException {
    CreateLabRequest.Builder request = CreateLabRequest.newBuilder();
    parse(ctx, request);
    ctx.status(201);
    proto(ctx, ProtoMapper.lab(ProtoMapper.createLab(labs, caller(ctx), request.getSpec())));
  }

  private void runScenario(Context ctx) throws Exception {
    RunScenarioRequest.Builder request = RunScenarioRequest.newBuilder();
    parse(ctx, request);
    boolean wait = request.getWait() || "true".equals(ctx.queryParam("wait"));
    var run = runs.start(caller(ctx), ctx.pathParam("id"), request.getScenario(), request.getParamsMap(), wait);
    ctx.status(wait ? 200 : 202);
    proto(ctx, ProtoMapper.run(run));
  }

  /**
   * A pcap stream, as Wireshark reads it; the headers go out with the first bytes, so that a
   * refused request is still a problem+json answer.
   */
  private void capture(Context ctx) throws Exception {
    String node = orEmpty(ctx.queryParam("node"));
    Captures.Request request = new Captures.Request(node, orEmpty(ctx.queryParam("filter")),
        number(ctx, "seconds", Captures.DEFAULT_SECONDS), number(ctx, "max_bytes", (int) Captures.DEFAULT_BYTES));
    captures.capture(caller(ctx), ctx.pathParam("id"), request, new OutputStream() {
      private OutputStream body;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        if (body == null) {
          ctx.contentType("application/vnd.tcpdump.pcap").header("Content-Disposition",
              "attachment; filename=\"" + ctx.pathParam("id") + "-" + node.replaceAll("[^a-z0-9-]", "") + ".pcap\"");
          body = ctx.outputStream();
        }
        body.write(bytes, offset, length);
      }

      @Override
      public void flush() throws IOException {
        if (body != null) {
          body.flush();
        }
      }
    });
  }

  private void listRuns(Context ctx) throws Exception {
    RunQuery query = ProtoMapper.runQuery(orEmpty(ctx.queryParam("lab_id")), orEmpty(ctx.queryParam("scenario")),
        orEmpty(ctx.queryParam("experiment")), number(ctx, "page_size", 0), orEmpty(ctx.queryParam("page_token")));
    proto(ctx, ProtoMapper.runs(runs.list(caller(ctx), query), query));
  }

  /** A file packaged with the API (io/twlab/api/...). */
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = HttpApi.class.getResourceAsStream("/io/twlab/api/" + name)) {
      if (in == null) {
        throw new IllegalStateException("io/twlab/api/" + name + " is not packaged with the server: rebuild it");
      }
      return in.readAllBytes();
    }
  }

  /** A whole-number query parameter, {@code otherwise} when it is absent. */
  static int number(Context ctx, String name, int otherwise) {
    String text = ctx.queryParam(name);
    try {
      return text == null || text.isBlank() ? otherwise : Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException(name, Bounded.quote(text) + " is not a number");
    }
  }

  static String orEmpty(String value) {
    return value == null ? "" : value.trim();
  }

  private static double speed(String text) {
    try {
      return text == null || text.isBlank() ? 0 : Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("speed", Bounded.quote(text) + " is not a number (0: at once, 1: as it happened)");
    }
  }

  /** SSE: resumes after the Last-Event-ID header (or ?after=N); each event's id is its sequence. */
  private void streamEvents(SseClient client) {
    Context ctx = client.ctx();
    EventStreams.Stream source = ctx.attribute(STREAM);
    try {
      source.start(resumeAfter(ctx), filter(ctx.queryParamMap()), detail(ctx.queryParam("detail")),
          new SseEventSink(client));
    } catch (Exception e) {
      source.close();
      client.sendEvent("error", problemBody(ctx.path(), ApiError.of(e)).toString(), null);
      client.close();
    }
  }

  /** The sequence an event stream resumes after: the Last-Event-ID header, or ?after=N; 0 for the start. */
  private static long resumeAfter(Context ctx) {
    String header = ctx.header("Last-Event-ID");
    return header != null ? sequence("Last-Event-ID", header) : sequence("after", ctx.queryParam("after"));
  }

  private static long sequence(String field, String text) {
    try {
      long after = text == null || text.isBlank() ? 0 : Long.parseLong(text.trim());
      if (after >= EventStreams.FROM_NOW) {
        return after;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidArgumentException(field, Bounded.quote(text) + " is not a sequence number (0: every retained "
        + "event, -1: from now on)");
  }

  private void streamClassroom(SseClient client) {
    try (Classrooms.Watch watch = client.ctx().attribute(STREAM)) {
      watch.to(new Classrooms.Sink() {
        @Override
        public boolean isOpen() {
          return !client.terminated();
        }

        @Override
        public void send(Classrooms.Classroom classroom) throws InvalidProtocolBufferException {
          client.sendEvent("classroom", PRINTER.print(IdentityMapper.classroom(classroom)));
        }
      });
    } catch (Exception e) {
      client.sendEvent("error", problemBody(client.ctx().path(), ApiError.of(e)).toString(), null);
    }
  }

  /**
   * WebSocket: each text message is one event in the proto3 JSON mapping; {@code ?after=N} resumes.
   * A bad request gets one problem+json message, then the socket is closed (1008).
   */
  private void startWebSocketWatch(WsConnectContext ctx) {
    String labId = ctx.pathParam("id");
    try {
      long afterSequence = sequence("after", ctx.queryParam("after"));
      EventFilter filter = filter(ctx.queryParamMap());
      Detail detail = detail(ctx.queryParam("detail"));
      events.lab(ctx.attribute(CALLER), labId).start(afterSequence, filter, detail, new WebSocketEventSink(ctx, labId));
    } catch (RuntimeException e) {
      ctx.send(problemBody("/api/v1/labs/" + labId + "/ws", ApiError.of(e)).toString());
      ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, ApiError.of(e).kind().title);
    }
  }

  /** {@code nodes}, {@code states} and {@code ports}, each repeated or comma-separated. */
  private static EventFilter filter(Map<String, List<String>> query) {
    return EventFilter.parse(values(query, "nodes"), values(query, "states"), values(query, "ports"));
  }

  private static List<String> values(Map<String, List<String>> query, String name) {
    return query.getOrDefault(name, List.of()).stream().flatMap(v -> Arrays.stream(v.split(",")))
        .map(String::trim).filter(v -> !v.isEmpty()).toList();
  }

  private static Detail detail(String text) {
    if (text == null || text.isBlank()) {
      return Detail.AUTO;
    }
    try {
      return Detail.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("detail", Bounded.quote(text) + " is not one of auto, connections, aggregated");
    }
  }

  static void parse(Context ctx, Message.Builder builder) {
    String body = ctx.body();
    try {
      PARSER.merge(body.isBlank() ? "{}" : body, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidArgumentException("body", "not a valid " + builder.getDescriptorForType().getFullName()
          + " in the proto3 JSON mapping: " + e.getMessage());
    }
  }

  static void proto(Context ctx, Message message) throws InvalidProtocolBufferException {
    ctx.contentType("application/json").result(PRINTER.print(message));
  }

  /** Javalin's own refusals (a body over its size limit: 413) as problem+json too. */
  private static void refusedByJavalin(HttpResponseException e, Context ctx) {
    boolean tooLarge = e.getStatus() == 413;
    ObjectNode body = JSON.createObjectNode()
        .put("type", "urn:twlab:problem:http-" + e.getStatus())
        .put("title", Bounded.text(e.getMessage(), Bounded.QUOTE))
        .put("status", e.getStatus())
        .put("detail", tooLarge ? "the body is larger than " + MAX_BODY / 1024 + " KiB" : "")
        .put("instance", ctx.path());
    body.putArray("errors").addObject().put("field", "body")
        .put("reason", tooLarge ? "at most " + MAX_BODY + " bytes" : "refused");
    ctx.status(e.getStatus()).contentType(PROBLEM_JSON).result(body.toString());
  }

  private static void problem(Context ctx, Exception e) {
    try {
      answer(ctx, e);
    } catch (IllegalStateException | NullPointerException gone) {
      LOG.debug("no answer to a request that is gone ({}): {}", gone.toString(), e.toString());
    }
  }

  private static void answer(Context ctx, Exception e) {
    ApiError error = ApiError.of(e);
    if (error.kind() == ApiError.Kind.INTERNAL) {
      LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
    }
    if (error.kind() == ApiError.Kind.UNAUTHENTICATED) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"twlab\"");
    }
    if (error.retryAfterSeconds() > 0) {
      ctx.header("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    ctx.status(error.kind().httpStatus).contentType(PROBLEM_JSON).result(problemBody(ctx.path(), error).toString());
  }

  /** RFC 9457 problem details, with one entry per bad field. */
  static ObjectNode problemBody(String instance, ApiError error) {
    ObjectNode body = JSON.createObjectNode()
        .put("type", "urn:twlab:problem:" + error.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .put("title", error.kind().title)
        .put("status", error.kind().httpStatus)
        .put("detail", error.detail())
        .put("instance", instance);
    if (!error.resourceType().isEmpty()) {
      body.putObject("resource").put("type", error.resourceType()).put("name", error.resourceName());
    }
    error.quota().ifPresent(q -> body.putObject("quota").put("limit", q.limit()).put("used", q.used())
        .put("max", q.max()));
    if (!error.violations().isEmpty()) {
      ArrayNode errors = body.putArray("errors");
      for (FieldViolation v : error.violations()) {
        errors.addObject().put("field", v.field()).put("reason", v.reason());
      }
    }
    return body;
  }
}
