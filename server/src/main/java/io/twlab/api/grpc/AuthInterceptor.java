package io.twlab.api.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.twlab.core.UnauthenticatedException;
import io.twlab.identity.Authenticator;

/** Refuses a call without a live bearer token (metadata {@code authorization: Bearer …}) before any of its input is read. */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Authenticator authenticator;

  public AuthInterceptor(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (authenticator.bearer(headers.get(AUTHORIZATION)).isEmpty()) {
      StatusRuntimeException refused = GrpcLabService.toStatus(new UnauthenticatedException());
      call.close(refused.getStatus(), refused.getTrailers());
      return new ServerCall.Listener<>() { };
    }
    return next.startCall(call, headers);
  }
}
