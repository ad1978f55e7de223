package io.twlab.api.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.twlab.api.ApiError;
import io.twlab.api.CourseMapper;
import io.twlab.api.IdentityMapper;
import io.twlab.api.grpc.GrpcCourseService;
import io.twlab.api.report.PlatformReports;
import io.twlab.api.report.ReportFormat;
import io.twlab.app.Courses;
import io.twlab.identity.Principal;
import io.twlab.proto.v1.V1;
import java.time.Clock;
import java.util.Locale;

/**
 * Course grading over HTTP: an assignment file or a submission is the request's body itself (YAML or
 * JSON), as a grade's experiment is; a submission answers 202 with its job at once.
 */
final class CourseRoutes {
  private static final int DEFAULT_JOBS = 50;
  private static final String JOB_EVENTS = "/api/v1/jobs/{id}/events";

  private final Courses courses;
  private final Clock clock;

  CourseRoutes(Courses courses, Clock clock) {
    this.courses = courses;
    this.clock = clock;
  }

  void addTo(RoutesConfig routes) {
    routes.post("/api/v1/assignments", ctx -> {
      Courses.Published published = courses.publish(HttpApi.principal(ctx), ctx.body(),
          HttpApi.orEmpty(ctx.queryParam("workshop_id")), HttpApi.orEmpty(ctx.queryParam("replaces")));
      ctx.status(201);
      HttpApi.proto(ctx, CourseMapper.assignment(published, clock.instant()));
    });
    routes.get("/api/v1/assignments", ctx -> HttpApi.proto(ctx, CourseMapper.assignments(
        courses.list(HttpApi.principal(ctx)), clock.instant())));
    routes.get("/api/v1/assignments/{id}", ctx -> HttpApi.proto(ctx, CourseMapper.assignment(
        courses.get(HttpApi.principal(ctx), ctx.pathParam("id")), clock.instant())));
    routes.post("/api/v1/assignments/{id}/credentials", ctx -> {
      V1.CreatePlatformCredentialRequest.Builder request = V1.CreatePlatformCredentialRequest.newBuilder();
      HttpApi.parse(ctx, request);
      ctx.status(201);
      HttpApi.proto(ctx, IdentityMapper.issued(courses.platformCredential(HttpApi.principal(ctx), ctx.pathParam("id"),
          request.getName())));
    });
    // The body is the submission file itself (application/yaml), or a SubmitRequest in JSON that brings
    // programs too (their bytes in base64); ?student= names the seat (a platform's own student id).
    routes.post("/api/v1/assignments/{id}/submissions", ctx -> {
      V1.SubmitRequest.Builder request = V1.SubmitRequest.newBuilder().setStudent(HttpApi.orEmpty(ctx.queryParam("student")));
      if ("application/json".equals(ctx.contentType() == null ? "" : ctx.contentType().split(";", 2)[0].trim())) {
        HttpApi.parse(ctx, request);
      } else {
        request.setSubmission(ctx.body());
      }
      Courses.JobView job = courses.submit(HttpApi.principal(ctx), ctx.pathParam("id"), request.getSubmission(),
          request.getStudent(), CourseMapper.programs(request.getProgramsList()));
      ctx.status(202).header("Location", "/api/v1/jobs/" + job.job().id());
      HttpApi.proto(ctx, CourseMapper.job(job));
    });
    routes.get("/api/v1/jobs", ctx -> HttpApi.proto(ctx, CourseMapper.jobs(courses.jobs(HttpApi.principal(ctx),
        HttpApi.orEmpty(ctx.queryParam("assignment_id")), HttpApi.number(ctx, "limit", DEFAULT_JOBS)))));
    routes.get("/api/v1/jobs/{id}", ctx -> HttpApi.proto(ctx, CourseMapper.job(courses.job(HttpApi.principal(ctx),
        ctx.pathParam("id")))));
    routes.post("/api/v1/jobs/{id}/cancel", ctx -> HttpApi.proto(ctx, CourseMapper.job(courses.cancel(
        HttpApi.principal(ctx), ctx.pathParam("id")))));
    // The report in a platform's own format, as that platform reads it (not wrapped in JSON).
    routes.get("/api/v1/jobs/{id}/report", ctx -> {
      ReportFormat format = ReportFormat.of("format", ctx.queryParam("format"));
      PlatformReports.Report report = PlatformReports.render(format, courses.finished(HttpApi.principal(ctx),
          ctx.pathParam("id")));
      ctx.contentType(report.contentType()).result(report.body());
    });
    // Checked before the stream opens, so that an unknown job is a problem+json response.
    routes.before(JOB_EVENTS, ctx -> courses.job(HttpApi.principal(ctx), ctx.pathParam("id")));
    // The job again at every change, as SSE events named after its state, until it is finished.
    routes.sse(JOB_EVENTS, this::streamJob);
  }

  private void streamJob(SseClient client) {
    Context ctx = client.ctx();
    Principal principal = HttpApi.principal(ctx);
    try {
      courses.watch(principal, ctx.pathParam("id"), new Courses.JobSink() {
        @Override
        public boolean isOpen() {
          return !client.terminated();
        }

        @Override
        public void send(Courses.JobView job) throws Exception {
          client.sendEvent(job.job().state().name().toLowerCase(Locale.ROOT), HttpApi.PRINTER.print(CourseMapper.job(job)));
        }
      }, GrpcCourseService.WATCH_LIMIT);
    } catch (Exception e) {
      client.sendEvent("error", HttpApi.problemBody(ctx.path(), ApiError.of(e)).toString(), null);
    }
  }
}
