package io.twlab.cli;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.twlab.proto.v1.CourseServiceGrpc;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** One channel to the server for the life of a command, sending the caller's bearer token with every call. */
final class ServerConnection implements AutoCloseable {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> SERVER_VERSION =
      Metadata.Key.of("twlab-server-version", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final ManagedChannel channel;
  private final Optional<CallCredentials> credentials;

  private ServerConnection(ManagedChannel channel, Optional<CallCredentials> credentials) {
    this.channel = channel;
    this.credentials = credentials;
  }

  /**
   * Where the server is and how to reach it: over TLS (trusting the system's CAs, or {@code ca}
   * only), or in plaintext; {@code insecure}: the user vouches for a plaintext network.
   */
  record Endpoint(String target, boolean tls, Optional<Path> ca, boolean insecure) {
    boolean encrypted() {
      return tls || ca.isPresent();
    }
  }

  /**
   * A connection to the endpoint. A token goes in plaintext only to a server on this host, unless
   * the user says the network between is trusted.
   */
  static ServerConnection open(Endpoint endpoint, Optional<String> token) {
    if (token.isPresent()) {
      requirePrivate(endpoint, "send your token");
    }
    return new ServerConnection(Grpc.newChannelBuilder(endpoint.target(), credentials(endpoint)).build(),
        token.map(ServerConnection::bearer));
  }

  private static ChannelCredentials credentials(Endpoint endpoint) {
    if (!endpoint.encrypted()) {
      return InsecureChannelCredentials.create();
    }
    if (endpoint.ca().isEmpty()) {
      return TlsChannelCredentials.create();
    }
    try {
      return TlsChannelCredentials.newBuilder().trustManager(endpoint.ca().get().toFile()).build();
    } catch (IOException e) {
      throw new CliException("cannot read the CA certificate " + endpoint.ca().get() + " (--ca, a PEM file): "
          + e.getMessage(), Twlab.INVALID_INPUT);
    }
  }

  /** Refuses a plaintext exchange of a secret with a server on another host, unless the user vouches for the network. */
  static void requirePrivate(Endpoint endpoint, String what) {
    if (!endpoint.encrypted() && !endpoint.insecure() && !LOOPBACK.contains(host(endpoint.target()))) {
      throw new CliException("refusing to " + what + " in plaintext to " + endpoint.target() + ": use TLS (--ca FILE "
          + "with the server's CA, or --tls when the system trusts its certificate), or pass --insecure "
          + "(TWLAB_INSECURE=true) if the network between you and the server is trusted", Twlab.INVALID_INPUT);
    }
  }

  WorkshopServiceGrpc.WorkshopServiceBlockingStub workshops() {
    WorkshopServiceGrpc.WorkshopServiceBlockingStub stub = WorkshopServiceGrpc.newBlockingStub(channel);
    return credentials.map(stub::withCallCredentials).orElse(stub);
  }

  CourseServiceGrpc.CourseServiceBlockingStub courses() {
    CourseServiceGrpc.CourseServiceBlockingStub stub = CourseServiceGrpc.newBlockingStub(channel);
    return credentials.map(stub::withCallCredentials).orElse(stub);
  }

  LabServiceGrpc.LabServiceBlockingStub blocking() {
    LabServiceGrpc.LabServiceBlockingStub stub = LabServiceGrpc.newBlockingStub(channel);
    return credentials.map(stub::withCallCredentials).orElse(stub);
  }

  LabServiceGrpc.LabServiceStub async() {
    LabServiceGrpc.LabServiceStub stub = LabServiceGrpc.newStub(channel);
    return credentials.map(stub::withCallCredentials).orElse(stub);
  }

  /**
   * The server's version, from the headers of its health check (a call that needs no token).
   */
  String serverVersion() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    HealthGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
    String version = headers.get() == null ? null : headers.get().get(SERVER_VERSION);
    return version == null ? "(a server too old to say)" : version;
  }

  private static String host(String target) {
    int colon = target.lastIndexOf(':');
    return colon > 0 && !target.endsWith("]") ? target.substring(0, colon) : target;
  }

  private static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        applier.apply(headers);
      }
    };
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
