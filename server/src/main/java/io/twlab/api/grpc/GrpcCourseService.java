package io.twlab.api.grpc;

import io.grpc.stub.StreamObserver;
import io.twlab.api.CourseMapper;
import io.twlab.api.IdentityMapper;
import io.twlab.api.report.PlatformReports;
import io.twlab.api.report.ReportFormat;
import io.twlab.app.Courses;
import io.twlab.app.TwlabServices;
import io.twlab.identity.Principal;
import io.twlab.proto.v1.CourseServiceGrpc;
import io.twlab.proto.v1.V1;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/** twlab.v1.CourseService: translates to {@link Courses}; the caller comes from {@link AuthInterceptor}. */
public final class GrpcCourseService extends CourseServiceGrpc.CourseServiceImplBase {
  static final int DEFAULT_JOBS = 50;
  /** A WatchJob ends after this long, finished or not: a job's time limit is at most 30 minutes. */
  public static final Duration WATCH_LIMIT = Duration.ofMinutes(40);

  private final Courses courses;
  private final ExecutorService watchers;
  private final Clock clock;

  /** {@code watchers} runs each WatchJob stream, so that gRPC's own threads are never blocked. */
  public GrpcCourseService(TwlabServices services, ExecutorService watchers, Clock clock) {
    this.courses = services.courses();
    this.watchers = watchers;
    this.clock = clock;
  }

  @Override
  public void publishAssignment(V1.PublishAssignmentRequest request, StreamObserver<V1.Assignment> response) {
    GrpcLabService.unary(response, () -> CourseMapper.assignment(courses.publish(principal(), request.getAssignment(),
        request.getWorkshopId().trim(), request.getReplaces().trim()), clock.instant()));
  }

  @Override
  public void getAssignment(V1.GetAssignmentRequest request, StreamObserver<V1.Assignment> response) {
    GrpcLabService.unary(response, () -> CourseMapper.assignment(courses.get(principal(), request.getAssignmentId()),
        clock.instant()));
  }

  @Override
  public void listAssignments(V1.ListAssignmentsRequest request, StreamObserver<V1.ListAssignmentsResponse> response) {
    GrpcLabService.unary(response, () -> CourseMapper.assignments(courses.list(principal()), clock.instant()));
  }

  @Override
  public void createPlatformCredential(V1.CreatePlatformCredentialRequest request,
      StreamObserver<V1.IssuedCredential> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.issued(courses.platformCredential(principal(),
        request.getAssignmentId(), request.getName())));
  }

  @Override
  public void submit(V1.SubmitRequest request, StreamObserver<V1.Job> response) {
    GrpcLabService.unary(response, () -> CourseMapper.job(courses.submit(principal(), request.getAssignmentId(),
        request.getSubmission(), request.getStudent(), CourseMapper.programs(request.getProgramsList()))));
  }

  @Override
  public void getJob(V1.GetJobRequest request, StreamObserver<V1.Job> response) {
    GrpcLabService.unary(response, () -> CourseMapper.job(courses.job(principal(), request.getJobId())));
  }

  @Override
  public void listJobs(V1.ListJobsRequest request, StreamObserver<V1.ListJobsResponse> response) {
    GrpcLabService.unary(response, () -> CourseMapper.jobs(courses.jobs(principal(), request.getAssignmentId().trim(),
        request.getLimit() == 0 ? DEFAULT_JOBS : request.getLimit())));
  }

  @Override
  public void cancelJob(V1.CancelJobRequest request, StreamObserver<V1.Job> response) {
    GrpcLabService.unary(response, () -> CourseMapper.job(courses.cancel(principal(), request.getJobId())));
  }

  @Override
  public void getJobReport(V1.GetJobReportRequest request, StreamObserver<V1.JobReport> response) {
    GrpcLabService.unary(response, () -> {
      ReportFormat format = ReportFormat.of("format", request.getFormat());
      return CourseMapper.report(PlatformReports.render(format, courses.finished(principal(), request.getJobId())));
    });
  }

  @Override
  public void watchJob(V1.GetJobRequest request, StreamObserver<V1.Job> response) {
    Principal principal = principal();
    GrpcLabService.stream(response, watchers, (open, send) -> courses.watch(principal, request.getJobId(),
        new Courses.JobSink() {
          @Override
          public boolean isOpen() {
            return open.getAsBoolean();
          }

          @Override
          public void send(Courses.JobView job) {
            send.accept(CourseMapper.job(job));
          }
        }, WATCH_LIMIT));
  }

  private static Principal principal() {
    return AuthInterceptor.PRINCIPAL.get();
  }
}
