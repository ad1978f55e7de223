package io.twlab.api.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.app.Access;
import io.twlab.core.Caller;
import io.twlab.core.UnauthenticatedException;
import io.twlab.identity.Authenticator;
import io.twlab.identity.Principal;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Refuses a call without a live bearer token (metadata {@code authorization: Bearer …}), or over
 * its caller's request rate, before any of its input is read, and hands the caller, and the address
 * it calls from, to the services through the call's context. Joining a workshop is the one call that
 * needs no token. Every call that changes something, and every refused one, goes to the audit log.
 */
public final class AuthInterceptor implements ServerInterceptor {
  static final Context.Key<Principal> PRINCIPAL = Context.key("twlab-principal");
  static final Context.Key<Caller> CALLER = Context.key("twlab-caller");
  static final Context.Key<String> REMOTE = Context.key("twlab-remote-address");
  private static final Set<Status.Code> REFUSALS = Set.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED,
      Status.Code.RESOURCE_EXHAUSTED);
  private static final Pattern READS = Pattern.compile("(Get|List|Watch|WhoAmI).*");
  private static final List<String> TARGETS = List.of("lab_id", "run_id", "workshop_id", "principal_id", "job_id",
      "assignment_id");
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
    String address = address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    Context context = Context.current().withValue(REMOTE, address);
    if (call.getMethodDescriptor().getFullMethodName()
        .equals(WorkshopServiceGrpc.getJoinWorkshopMethod().getFullMethodName())) {
      return audited(call, headers, next, context, Optional.empty(), address);
    }
    Principal principal;
    Caller caller;
    try {
      principal = authenticator.bearer(headers.get(AUTHORIZATION)).orElseThrow(UnauthenticatedException::new);
      access.pace(principal);
      caller = access.caller(principal);
    } catch (RuntimeException e) {
      StatusRuntimeException refused = GrpcLabService.toStatus(e);
      access.audit(Optional.empty(), address, action(call), "", refused.getStatus().getCode().name());
      call.close(refused.getStatus(), refused.getTrailers());
      return new ServerCall.Listener<>() { };
    }
    return audited(call, headers, next, context.withValue(PRINCIPAL, principal).withValue(CALLER, caller),
        Optional.of(principal), address);
  }

  /**
   * Runs the call in {@code context}; when it ends, records it in the audit log if it changed
   * something or was refused (a read that worked is not recorded).
   */
  private <Q, R> ServerCall.Listener<Q> audited(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next,
      Context context, Optional<Principal> principal, String address) {
    AtomicReference<Object> request = new AtomicReference<>();
    AtomicReference<Object> response = new AtomicReference<>();
    ServerCall<Q, R> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(R message) {
        response.compareAndSet(null, message);
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        String method = call.getMethodDescriptor().getBareMethodName();
        if (!status.isOk() && REFUSALS.contains(status.getCode()) || !READS.matcher(method).matches()) {
          access.audit(principal, address, action(call), target(request.get(), response.get()),
              status.getCode().name());
        }
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, watched, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        request.compareAndSet(null, message);
        super.onMessage(message);
      }
    };
  }

  private static String action(ServerCall<?, ?> call) {
    return "grpc " + call.getMethodDescriptor().getBareMethodName();
  }

  /** What the call was about: the lab, run, workshop or principal it names, else the one it made. */
  private static String target(Object request, Object response) {
    if (request instanceof Message in) {
      for (String field : TARGETS) {
        FieldDescriptor named = in.getDescriptorForType().findFieldByName(field);
        if (named != null && !in.getField(named).toString().isEmpty()) {
          return in.getField(named).toString();
        }
      }
    }
    if (response instanceof Message out) {
      FieldDescriptor id = out.getDescriptorForType().findFieldByName("id");
      if (id != null) {
        return out.getField(id).toString();
      }
      FieldDescriptor caller = out.getDescriptorForType().findFieldByName("caller");
      if (caller != null && out.getField(caller) instanceof Message made) {
        return target(null, made);
      }
    }
    return "";
  }

  /** The caller's IP address (in-process calls have none: "local"). */
  private static String address(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "local";
  }
}
