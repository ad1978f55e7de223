package io.twlab.app;

import io.twlab.event.LabEvent;
import java.util.List;

/**
 * Where a watcher's events go (a gRPC stream, an SSE connection, a WebSocket), written without
 * waiting: the stream sends only while the sink is ready, and the sink calls it back when it is
 * ready again, so that a slow watcher holds no thread while it catches up.
 */
public interface EventSink {

  /** False once the watcher went away; the stream then ends. */
  boolean isOpen();

  /** Whether a send now goes out without waiting for the watcher (flow control). */
  boolean isReady();

  /** Called once, before anything is sent: {@code wake} is to be run whenever the sink turns ready or closes. */
  void onReady(Runnable wake);

  /**
   * Delivers events in order, as one message where the sink can, without waiting: a sink may take
   * the whole list beyond its readiness, so a slow watcher holds at most one list more.
   */
  void sendAll(List<LabEvent> events) throws Exception;

  /** Called when the stream has been quiet a while: a chance to keep the connection alive, or to find it gone. */
  default void idle() throws Exception {}

  /** The events ended ({@code failure} null) or could not go on: completes or fails the watcher's stream. */
  void end(Exception failure);
}
