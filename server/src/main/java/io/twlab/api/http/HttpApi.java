package io.twlab.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.twlab.api.ApiError;
import io.twlab.api.ProtoMapper;
import io.twlab.app.EventSink;
import io.twlab.app.LabService;
import io.twlab.event.LabEvent;
import io.twlab.lab.FieldViolation;
import io.twlab.lab.InvalidArgumentException;
import io.twlab.proto.v1.CreateLabRequest;
import io.twlab.proto.v1.DeleteLabResponse;
import io.twlab.proto.v1.ListLabsResponse;
import io.twlab.proto.v1.ListScenariosResponse;
import io.twlab.proto.v1.RunScenarioRequest;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST + SSE face of {@link LabService}: bodies are the proto3 JSON mapping of twlab.v1. */
public final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  private static final String PROBLEM_JSON = "application/problem+json";
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LabService service;

  public HttpApi(LabService service) {
    this.service = service;
  }

  public Javalin create() {
    return Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.routes.get("/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
      config.routes.get("/api/v1/labs", ctx -> proto(ctx, ListLabsResponse.newBuilder()
          .addAllLabs(service.listLabs().stream().map(ProtoMapper::lab).toList()).build()));
      config.routes.post("/api/v1/labs", this::createLab);
      config.routes.get("/api/v1/labs/{id}", ctx -> proto(ctx, ProtoMapper.lab(service.getLab(ctx.pathParam("id")))));
      config.routes.delete("/api/v1/labs/{id}", ctx -> {
        service.deleteLab(ctx.pathParam("id"));
        proto(ctx, DeleteLabResponse.newBuilder().setLabId(ctx.pathParam("id")).build());
      });
      config.routes.get("/api/v1/scenarios", ctx -> proto(ctx, ListScenariosResponse.newBuilder()
          .addAllScenarios(service.scenarios().stream().map(ProtoMapper::scenario).toList()).build()));
      config.routes.post("/api/v1/labs/{id}/runs", this::runScenario);
      config.routes.get("/api/v1/runs/{id}", ctx -> proto(ctx, ProtoMapper.run(service.getRun(ctx.pathParam("id")))));
      // Checked before the stream opens, so that an unknown lab is a 404 problem, not an SSE error event.
      config.routes.before("/api/v1/labs/{id}/events", ctx -> service.getLab(ctx.pathParam("id")));
      config.routes.sse("/api/v1/labs/{id}/events", this::streamEvents);
      config.routes.exception(Exception.class, (e, ctx) -> problem(ctx, e));
    });
  }

  private void createLab(Context ctx) throws InvalidProtocolBufferException {
    CreateLabRequest.Builder request = CreateLabRequest.newBuilder();
    parse(ctx, request);
    ctx.status(201);
    proto(ctx, ProtoMapper.lab(service.createLab(ProtoMapper.request(request.getSpec()))));
  }

  private void runScenario(Context ctx) throws Exception {
    RunScenarioRequest.Builder request = RunScenarioRequest.newBuilder();
    parse(ctx, request);
    boolean wait = request.getWait() || "true".equals(ctx.queryParam("wait"));
    var run = service.runScenario(ctx.pathParam("id"), request.getScenario(), request.getParamsMap(), wait);
    ctx.status(wait ? 200 : 202);
    proto(ctx, ProtoMapper.run(run));
  }

  /** SSE: resumes after the Last-Event-ID header (or ?after=N); each event's id is its sequence. */
  private void streamEvents(SseClient client) {
    Context ctx = client.ctx();
    String labId = ctx.pathParam("id");
    String resume = ctx.header("Last-Event-ID");
    if (resume == null) {
      resume = ctx.queryParam("after");
    }
    try {
      long after = resume == null || resume.isBlank() ? 0 : Long.parseLong(resume.trim());
      service.watch(labId, after, new SseSink(client));
    } catch (NumberFormatException e) {
      client.sendEvent("error", problemBody(ctx, ApiError.of(new InvalidArgumentException("Last-Event-ID",
          "'" + resume + "' is not a sequence number"))).toString(), null);
    } catch (Exception e) {
      client.sendEvent("error", problemBody(ctx, ApiError.of(e)).toString(), null);
    }
  }

  private static void parse(Context ctx, Message.Builder builder) {
    String body = ctx.body();
    try {
      PARSER.merge(body.isBlank() ? "{}" : body, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidArgumentException("body", "not a valid " + builder.getDescriptorForType().getFullName()
          + " in the proto3 JSON mapping: " + e.getMessage());
    }
  }

  private static void proto(Context ctx, Message message) throws InvalidProtocolBufferException {
    ctx.contentType("application/json").result(PRINTER.print(message));
  }

  private static void problem(Context ctx, Exception e) {
    ApiError error = ApiError.of(e);
    if (error.kind() == ApiError.Kind.INTERNAL) {
      LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
    }
    ctx.status(error.kind().httpStatus).contentType(PROBLEM_JSON).result(problemBody(ctx, error).toString());
  }

  /** RFC 9457 problem details, with one entry per bad field. */
  private static ObjectNode problemBody(Context ctx, ApiError error) {
    ObjectNode body = JSON.createObjectNode()
        .put("type", "urn:twlab:problem:" + error.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .put("title", error.kind().title)
        .put("status", error.kind().httpStatus)
        .put("detail", error.detail())
        .put("instance", ctx.path());
    if (!error.resourceType().isEmpty()) {
      body.putObject("resource").put("type", error.resourceType()).put("name", error.resourceName());
    }
    if (!error.violations().isEmpty()) {
      ArrayNode errors = body.putArray("errors");
      for (FieldViolation v : error.violations()) {
        errors.addObject().put("field", v.field()).put("reason", v.reason());
      }
    }
    return body;
  }

  private static final class SseSink implements EventSink {
    private final SseClient client;

    SseSink(SseClient client) {
      this.client = client;
    }

    @Override
    public boolean isOpen() {
      return !client.terminated();
    }

    @Override
    public void send(LabEvent event) throws InvalidProtocolBufferException {
      io.twlab.proto.v1.LabEvent message = ProtoMapper.event(event);
      client.sendEvent(message.getKindCase().name().toLowerCase(Locale.ROOT), PRINTER.print(message),
          String.valueOf(event.sequence()));
    }

    @Override
    public void idle() {
      client.sendComment("idle");
    }
  }
}
