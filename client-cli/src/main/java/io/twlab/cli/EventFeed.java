package io.twlab.cli;

import io.grpc.Context;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.util.Iterator;
import java.util.function.Predicate;

/** Reads a lab's event stream until a condition says stop (or the lab is gone); then cancels it. */
final class EventFeed {
  private EventFeed() {}

  /** Hands each event to {@code handler} until it returns false; returns the last event seen. */
  static LabEvent follow(ServerConnection server, String labId, long afterSequence, Predicate<LabEvent> handler) {
    return follow(server, WatchLabRequest.newBuilder().setLabId(labId).setAfterSequence(afterSequence).build(), handler);
  }

  /** Like {@link #follow(ServerConnection, String, long, Predicate)} with the request's filters and detail. */
  static LabEvent follow(ServerConnection server, WatchLabRequest request, Predicate<LabEvent> handler) {
    LabEvent[] last = {null};
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      call.run(() -> {
        Iterator<LabEvent> events = server.blocking().watchLab(request);
        while (events.hasNext()) {
          last[0] = events.next();
          if (!handler.test(last[0])) {
            return;
          }
        }
      });
    }
    return last[0];
  }
}
