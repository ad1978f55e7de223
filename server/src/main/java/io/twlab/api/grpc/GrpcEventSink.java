package io.twlab.api.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.twlab.app.EventSink;
import io.twlab.event.LabEvent;
import io.twlab.proto.v1.V1;
import java.util.List;
import java.util.function.Function;

/**
 * A WatchLab stream (a message per event) or a WatchLabBatched one (the events the watcher is
 * behind by in one message), fed as gRPC's flow control allows: sent while the call is ready,
 * woken by its on-ready handler, never waiting on a thread.
 */
final class GrpcEventSink<T> implements EventSink {
  private final ServerCallStreamObserver<T> stream;
  private final Function<List<V1.LabEvent>, List<T>> messages;
  private final MappedEvents mapped;
  private volatile boolean cancelled;
  private volatile Runnable wake = () -> {};

  /** Called while gRPC still hands the call to the service: its handlers can only be set then. */
  private GrpcEventSink(ServerCallStreamObserver<T> stream, MappedEvents mapped,
      Function<List<V1.LabEvent>, List<T>> messages) {
    this.stream = stream;
    this.mapped = mapped;
    this.messages = messages;
    stream.setOnCancelHandler(() -> {
      cancelled = true;
      wake.run();
    });
    stream.setOnReadyHandler(() -> wake.run());
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
  public boolean isReady() {
    return stream.isReady();
  }

  @Override
  public void onReady(Runnable wake) {
    this.wake = wake;
  }

  @Override
  public void sendAll(List<LabEvent> events) {
    for (T message : messages.apply(events.stream().map(mapped::of).toList())) {
      if (cancelled) {
        return;
      }
      stream.onNext(message);
    }
  }

  @Override
  public void end(Exception failure) {
    if (cancelled) {
      return;
    }
    if (failure == null) {
      stream.onCompleted();
    } else {
      stream.onError(GrpcLabService.toStatus(failure));
    }
  }
}
