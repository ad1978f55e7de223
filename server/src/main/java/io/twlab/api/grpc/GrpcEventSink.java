package io.twlab.api.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.twlab.api.ProtoMapper;
import io.twlab.app.EventSink;
import io.twlab.event.LabEvent;
import io.twlab.proto.v1.V1;

/** A WatchLab stream that respects gRPC flow control: it waits while the client is not ready. */
final class GrpcEventSink implements EventSink {
  private final ServerCallStreamObserver<V1.LabEvent> stream;
  private final Object readiness = new Object();
  private volatile boolean cancelled;

  GrpcEventSink(ServerCallStreamObserver<V1.LabEvent> stream) {
    this.stream = stream;
    stream.setOnCancelHandler(() -> {
      cancelled = true;
      signal();
    });
    stream.setOnReadyHandler(this::signal);
  }

  @Override
  public boolean isOpen() {
    return !cancelled;
  }

  @Override
  public void send(LabEvent event) throws InterruptedException {
    synchronized (readiness) {
      while (!stream.isReady() && !cancelled) {
        readiness.wait(1_000);
      }
    }
    if (!cancelled) {
      stream.onNext(ProtoMapper.event(event));
    }
  }

  private void signal() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }
}
