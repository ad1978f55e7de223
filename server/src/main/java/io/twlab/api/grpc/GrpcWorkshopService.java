package io.twlab.api.grpc;

import io.grpc.stub.StreamObserver;
import io.twlab.api.IdentityMapper;
import io.twlab.app.Access;
import io.twlab.identity.Principal;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.Caller;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.EndWorkshopRequest;
import io.twlab.proto.v1.V1.IssuedCredential;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.ListWorkshopsRequest;
import io.twlab.proto.v1.V1.ListWorkshopsResponse;
import io.twlab.proto.v1.V1.RevokeCredentialRequest;
import io.twlab.proto.v1.V1.RevokeCredentialResponse;
import io.twlab.proto.v1.V1.WhoAmIRequest;
import io.twlab.proto.v1.V1.Workshop;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import java.util.List;

/** twlab.v1.WorkshopService: translates to {@link Access}; the caller comes from {@link AuthInterceptor}. */
public final class GrpcWorkshopService extends WorkshopServiceGrpc.WorkshopServiceImplBase {
  private final Access access;

  public GrpcWorkshopService(Access access) {
    this.access = access;
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
        () -> IdentityMapper.workshop(access.endWorkshop(principal(), request.getWorkshopId())));
  }

  @Override
  public void revokeCredential(RevokeCredentialRequest request, StreamObserver<RevokeCredentialResponse> response) {
    GrpcLabService.unary(response, () -> {
      access.revoke(principal(), request.getPrincipalId());
      return RevokeCredentialResponse.newBuilder().setPrincipalId(request.getPrincipalId()).build();
    });
  }

  private static Principal principal() {
    return AuthInterceptor.PRINCIPAL.get();
  }
}
