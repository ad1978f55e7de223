package io.twlab.api.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.twlab.api.ServerVersion;

/**
 * Every response's headers name the server's version ({@value #NAME}), the health check's among
 * them: a client learns what it talks to without a token.
 */
public final class VersionHeader implements ServerInterceptor {
  public static final String NAME = "twlab-server-version";
  private static final Metadata.Key<String> KEY = Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void sendHeaders(Metadata responseHeaders) {
        responseHeaders.put(KEY, ServerVersion.CURRENT);
        super.sendHeaders(responseHeaders);
      }
    }, headers);
  }
}
