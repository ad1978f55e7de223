package io.twlab.it;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.twlab.proto.v1.V1.ConnectionTransition;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A gRPC watcher of every connection event of a lab, collected while the test runs. */
final class LabWatch implements AutoCloseable {
  private final List<ConnectionTransition> seen = new CopyOnWriteArrayList<>();
  private final Context.CancellableContext call = Context.current().withCancellation();

  static LabWatch of(TwlabFixture fixture, Lab lab) {
    LabWatch w = new LabWatch();
    w.call.run(() -> fixture.asyncGrpc().watchLab(WatchLabRequest.newBuilder().setLabId(lab.getId())
        .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), new StreamObserver<>() {
          @Override
          public void onNext(LabEvent event) {
            if (event.hasTransition()) {
              w.seen.add(event.getTransition());
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        }));
    return w;
  }

  List<ConnectionTransition> transitions() {
    return List.copyOf(seen);
  }

  /** The transitions that match, once one of them is {@code last} (within 20 s). */
  List<ConnectionTransition> await(Predicate<ConnectionTransition> match, Predicate<ConnectionTransition> last)
      throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      List<ConnectionTransition> matching = seen.stream().filter(match).toList();
      if (matching.stream().anyMatch(last)) {
        return matching;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not seen within 20 s; matching so far: " + seen.stream().filter(match).toList());
  }

  @Override
  public void close() {
    call.cancel(null);
  }
}
