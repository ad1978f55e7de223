package io.twlab.api.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.twlab.app.Access;
import io.twlab.core.Caller;
import io.twlab.core.UnauthenticatedException;
import io.twlab.identity.Authenticator;
import io.twlab.identity.Principal;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Refuses a call without a live bearer token (metadata {@code authorization: Bearer …}), or over
 * its caller's request rate, before any of its input is read, and hands the caller, and the address
 * it calls from, to the services through the call's context. Joining a workshop is the one call that
 * needs no token.
 */
public final class AuthInterceptor implements ServerInterceptor {
  static final Context.Key<Principal> PRINCIPAL = Context.key("twlab-principal");
  static final Context.Key<Caller> CALLER = Context.key("twlab-caller");
  static final Context.Key<String> REMOTE = Context.key("twlab-remote-address");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Authenticator authenticator;
  private final Access access;

  public AuthInterceptor(Authenticator authenticator, Access access) {
    this.authenticator = authenticator;
    this.access = access;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Context context = Context.current()
        .withValue(REMOTE, address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
    if (call.getMethodDescriptor().getFullMethodName()
        .equals(WorkshopServiceGrpc.getJoinWorkshopMethod().getFullMethodName())) {
      return Contexts.interceptCall(context, call, headers, next);
    }
    Principal principal;
    Caller caller;
    try {
      principal = authenticator.bearer(headers.get(AUTHORIZATION)).orElseThrow(UnauthenticatedException::new);
      access.pace(principal);
      caller = access.caller(principal);
    } catch (RuntimeException e) {
      StatusRuntimeException refused = GrpcLabService.toStatus(e);
      call.close(refused.getStatus(), refused.getTrailers());
      return new ServerCall.Listener<>() { };
    }
    return Contexts.interceptCall(context.withValue(PRINCIPAL, principal).withValue(CALLER, caller), call, headers,
        next);
  }

  /** The caller's IP address (in-process calls have none: "local"). */
  private static String address(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "local";
  }
}
