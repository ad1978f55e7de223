package io.twlab.api.grpc;

import io.grpc.stub.StreamObserver;
import io.twlab.api.IdentityMapper;
import io.twlab.api.ProtoMapper;
import io.twlab.api.report.RoomGrades;
import io.twlab.app.Access;
import io.twlab.app.Classrooms;
import io.twlab.app.Courses;
import io.twlab.app.TwlabServices;
import io.twlab.identity.Principal;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.Classroom;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.EndWorkshopLabsRequest;
import io.twlab.proto.v1.V1.EndWorkshopRequest;
import io.twlab.proto.v1.V1.ExportGradesRequest;
import io.twlab.proto.v1.V1.ExtendWorkshopLabsRequest;
import io.twlab.proto.v1.V1.ExtendWorkshopRequest;
import io.twlab.proto.v1.V1.GradesExport;
import io.twlab.proto.v1.V1.IssuedCredential;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.ListAuditRequest;
import io.twlab.proto.v1.V1.ListAuditResponse;
import io.twlab.proto.v1.V1.ListWorkshopsRequest;
import io.twlab.proto.v1.V1.ListWorkshopsResponse;
import io.twlab.proto.v1.V1.RevokeCredentialRequest;
import io.twlab.proto.v1.V1.RevokeCredentialResponse;
import io.twlab.proto.v1.V1.RotateCredentialRequest;
import io.twlab.proto.v1.V1.WatchClassroomRequest;
import io.twlab.proto.v1.V1.WhoAmIRequest;
import io.twlab.proto.v1.V1.Workshop;
import io.twlab.proto.v1.V1.WorkshopLabsResponse;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * twlab.v1.WorkshopService: translates to {@link Access} and {@link Classrooms}; the caller comes
 * from {@link AuthInterceptor}.
 */
public final class GrpcWorkshopService extends WorkshopServiceGrpc.WorkshopServiceImplBase {
  private static final int DEFAULT_AUDIT = 100;

  private final Access access;
  private final Classrooms classrooms;
  private final Courses courses;
  private final ExecutorService watchers;

  /** {@code watchers} runs each WatchClassroom stream, so that gRPC's own threads are never blocked. */
  public GrpcWorkshopService(TwlabServices services, ExecutorService watchers) {
    this.access = services.access();
    this.classrooms = services.classrooms();
    this.courses = services.courses();
    this.watchers = watchers;
  }

  @Override
  public void whoAmI(WhoAmIRequest request, StreamObserver<Caller> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.caller(principal()));
  }

  @Override
  public void addInstructor(AddInstructorRequest request, StreamObserver<IssuedCredential> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.issued(access.addInstructor(principal(), request.getName())));
  }

  @Override
  public void createWorkshop(CreateWorkshopRequest request, StreamObserver<Workshop> response) {
    GrpcLabService.unary(response, () -> {
      Access.Opened opened = IdentityMapper.open(access, principal(), request);
      return IdentityMapper.workshop(opened.workshop(), opened.joinCode(), List.of());
    });
  }

  @Override
  public void listWorkshops(ListWorkshopsRequest request, StreamObserver<ListWorkshopsResponse> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.workshops(access.workshops(principal())));
  }

  @Override
  public void joinWorkshop(JoinWorkshopRequest request, StreamObserver<IssuedCredential> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.issued(access.join(request.getJoinCode(), request.getName(),
        AuthInterceptor.REMOTE.get())));
  }

  @Override
  public void endWorkshop(EndWorkshopRequest request, StreamObserver<Workshop> response) {
    GrpcLabService.unary(response,
        () -> IdentityMapper.workshop(classrooms.end(principal(), AuthInterceptor.CALLER.get(),
            request.getWorkshopId())));
  }

  @Override
  public void extendWorkshopLabs(ExtendWorkshopLabsRequest request, StreamObserver<WorkshopLabsResponse> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.workshopLabs(request.getWorkshopId(),
        classrooms.extendLabs(principal(), AuthInterceptor.CALLER.get(), request.getWorkshopId(),
            ProtoMapper.duration(request.getBy()))));
  }

  @Override
  public void endWorkshopLabs(EndWorkshopLabsRequest request, StreamObserver<WorkshopLabsResponse> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.workshopLabs(request.getWorkshopId(),
        classrooms.endLabs(principal(), AuthInterceptor.CALLER.get(), request.getWorkshopId())));
  }

  @Override
  public void exportGrades(ExportGradesRequest request, StreamObserver<GradesExport> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.grades(RoomGrades.render(request.getWorkshopId(),
        RoomGrades.Format.of(request.getFormat()), classrooms.grades(principal(), request.getWorkshopId()))));
  }

  @Override
  public void extendWorkshop(ExtendWorkshopRequest request, StreamObserver<Workshop> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.workshop(access.extendWorkshop(principal(),
        request.getWorkshopId(), ProtoMapper.duration(request.getBy()))));
  }

  @Override
  public void revokeCredential(RevokeCredentialRequest request, StreamObserver<RevokeCredentialResponse> response) {
    GrpcLabService.unary(response, () -> {
      courses.revoke(principal(), request.getPrincipalId());
      return RevokeCredentialResponse.newBuilder().setPrincipalId(request.getPrincipalId()).build();
    });
  }

  @Override
  public void rotateCredential(RotateCredentialRequest request, StreamObserver<IssuedCredential> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.issued(access.rotate(principal())));
  }

  @Override
  public void listAudit(ListAuditRequest request, StreamObserver<ListAuditResponse> response) {
    GrpcLabService.unary(response, () -> IdentityMapper.audit(access.audit(principal(), request.getWorkshopId(),
        request.getLimit() == 0 ? DEFAULT_AUDIT : request.getLimit())));
  }

  @Override
  public void watchClassroom(WatchClassroomRequest request, StreamObserver<Classroom> response) {
    Classrooms.Watch watch;
    try {
      watch = classrooms.watch(principal(), AuthInterceptor.CALLER.get(), request.getWorkshopId());
    } catch (RuntimeException e) {
      response.onError(GrpcLabService.toStatus(e));
      return;
    }
    GrpcLabService.stream(response, watchers, (open, send) -> {
      try (watch) {
        watch.to(new Classrooms.Sink() {
          @Override
          public boolean isOpen() {
            return open.getAsBoolean();
          }

          @Override
          public void send(Classrooms.Classroom classroom) {
            send.accept(IdentityMapper.classroom(classroom));
          }
        });
      }
    });
  }

  private static Principal principal() {
    return AuthInterceptor.PRINCIPAL.get();
  }
}
