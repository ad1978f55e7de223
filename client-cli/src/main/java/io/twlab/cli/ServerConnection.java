package io.twlab.cli;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** One channel to the server for the life of a command, sending the caller's bearer token with every call. */
final class ServerConnection implements AutoCloseable {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final ManagedChannel channel;
  private final Optional<CallCredentials> credentials;

  private ServerConnection(ManagedChannel channel, Optional<CallCredentials> credentials) {
    this.channel = channel;
    this.credentials = credentials;
  }

  /**
   * A connection to {@code target} (host:port). A token goes in plaintext (TLS comes with workshop
   * mode's hardening), so it is only sent to a server on this host unless {@code insecure} says the
   * network between is trusted.
   */
  static ServerConnection open(String target, Optional<String> token, boolean insecure) {
    if (token.isPresent()) {
      requirePrivate(target, insecure, "send your token");
    }
    return new ServerConnection(Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build(),
        token.map(ServerConnection::bearer));
  }

  /** Refuses a plaintext exchange of a secret with a server on another host, unless the user vouches for the network. */
  static void requirePrivate(String target, boolean insecure, String what) {
    if (!insecure && !LOOPBACK.contains(host(target))) {
      throw new CliException("refusing to " + what + " in plaintext to " + target + ": pass --insecure "
          + "(or TWLAB_INSECURE=true) if the network between you and the server is trusted", Twlab.INVALID_INPUT);
    }
  }

  WorkshopServiceGrpc.WorkshopServiceBlockingStub workshops() {
    WorkshopServiceGrpc.WorkshopServiceBlockingStub stub = WorkshopServiceGrpc.newBlockingStub(channel);
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
