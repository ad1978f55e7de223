package io.twlab.cli;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.twlab.proto.v1.LabServiceGrpc;
import java.util.concurrent.TimeUnit;

/** One channel to the server for the life of a command. */
final class ServerConnection implements AutoCloseable {
  private final ManagedChannel channel;

  ServerConnection(String target) {
    this.channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
  }

  LabServiceGrpc.LabServiceBlockingStub blocking() {
    return LabServiceGrpc.newBlockingStub(channel);
  }

  LabServiceGrpc.LabServiceStub async() {
    return LabServiceGrpc.newStub(channel);
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
