package io.twlab.app;

import io.twlab.event.LabEvent;

/** Where a watcher's events go (a gRPC stream, an SSE connection). */
public interface EventSink {

  boolean isOpen();

  /** Delivers one event; may block while the watcher is not ready (flow control). */
  void send(LabEvent event) throws Exception;

  /** Called when a wait for events ended empty: a chance to detect a watcher that went away. */
  default void idle() throws Exception {}
}
