package io.twlab.app;

import io.twlab.event.LabEvent;
import java.util.List;

/** Where a watcher's events go (a gRPC stream, an SSE connection). */
public interface EventSink {

  boolean isOpen();

  /** Delivers one event; may block while the watcher is not ready (flow control). */
  void send(LabEvent event) throws Exception;

  /** Delivers events in order, as one message where the sink can (a watcher that is behind gets many). */
  default void sendAll(List<LabEvent> events) throws Exception {
    for (LabEvent event : events) {
      if (!isOpen()) {
        return;
      }
      send(event);
    }
  }

  /** Called when a wait for events ended empty: a chance to detect a watcher that went away. */
  default void idle() throws Exception {}
}
