package io.twlab.api.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.twlab.app.EventSink;
import io.twlab.event.LabEvent;
import io.twlab.proto.v1.V1;
import java.util.List;
import java.util.function.Function;

/**
 * A WatchLab stream (a message per event) or a WatchLabBatched one (the events the watcher is
 * behind by in one message) that respects gRPC flow control: it waits while the client is not ready.
 */
final class GrpcEventSink<T> implements EventSink {
  private final ServerCallStreamObserver<T> stream;
  private final Function<List<V1.LabEvent>, List<T>> messages;
  private final MappedEvents mapped;
  private final Object readiness = new Object();
  private volatile boolean cancelled;

  private GrpcEventSink(ServerCallStreamObserver<T> stream, MappedEvents mapped,
      Function<List<V1.LabEvent>, List<T>> messages) {
    this.stream = stream;
    this.mapped = mapped;
    this.messages = messages;
    stream.setOnCancelHandler(() -> {
      cancelled = true;
      signal();
    });
    stream.setOnReadyHandler(this::signal);
  }

  static GrpcEventSink<V1.LabEvent> single(ServerCallStreamObserver<V1.LabEvent> stream, MappedEvents mapped) {
    return new GrpcEventSink<>(stream, mapped, events -> events);
  }

  static GrpcEventSink<V1.LabEventBatch> batches(ServerCallStreamObserver<V1.LabEventBatch> stream,
      MappedEvents mapped) {
    return new GrpcEventSink<>(stream, mapped, events -> List.of(V1.LabEventBatch.newBuilder().addAllEvents(events)
        .build()));
  }

  @Override
  public boolean isOpen() {
    return !cancelled;
  }

  @Override
  public void send(LabEvent event) throws InterruptedException {
    sendAll(List.of(event));
  }

  @Override
  public void sendAll(List<LabEvent> events) throws InterruptedException {
    for (T message : messages.apply(events.stream().map(mapped::of).toList())) {
      synchronized (readiness) {
        while (!stream.isReady() && !cancelled) {
          readiness.wait(1_000);
        }
      }
      if (cancelled) {
        return;
      }
      stream.onNext(message);
    }
  }

  private void signal() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }
}
