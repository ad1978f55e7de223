package io.twlab.api.http;

import io.javalin.http.sse.SseClient;
import io.twlab.api.ApiError;
import io.twlab.api.ProtoMapper;
import io.twlab.app.EventSink;
import io.twlab.event.LabEvent;
import io.twlab.proto.v1.V1;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * An SSE event stream written in the Servlet API's non-blocking mode: the events a watcher is
 * behind by go out in one write and one flush, and only while the connection can take them; Jetty
 * calls back once it can again, so a slow reader holds no thread. Each event's id is its sequence.
 */
final class SseEventSink implements EventSink, WriteListener {
  private static final byte[] IDLE = ": idle\n\n".getBytes(StandardCharsets.UTF_8);

  private final SseClient client;
  private final ServletOutputStream out;
  private volatile Runnable wake = () -> {};
  private volatile boolean failed;
  private volatile boolean ending;
  private Exception endFailure;
  private boolean errorWritten;
  private boolean closed;

  /** {@code client} is kept alive: the stream, not its handler, completes it. */
  SseEventSink(SseClient client) throws IOException {
    this.client = client;
    this.out = client.ctx().res().getOutputStream();
    client.keepAlive();
    client.onClose(() -> wake.run());
  }

  @Override
  public boolean isOpen() {
    return !failed && !client.terminated();
  }

  @Override
  public boolean isReady() {
    return out.isReady();
  }

  @Override
  public void onReady(Runnable wake) {
    this.wake = wake;
    out.setWriteListener(this);
  }

  @Override
  public void sendAll(List<LabEvent> events) throws IOException {
    StringBuilder text = new StringBuilder(events.size() * 256);
    for (LabEvent event : events) {
      V1.LabEvent message = ProtoMapper.event(event);
      text.append("event: ").append(message.getKindCase().name().toLowerCase(Locale.ROOT))
          .append("\nid: ").append(event.sequence())
          .append("\ndata: ").append(HttpApi.PRINTER.print(message)).append("\n\n");
    }
    write(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void idle() throws IOException {
    if (out.isReady()) {
      write(IDLE);
    }
  }

  @Override
  public synchronized void end(Exception failure) {
    endFailure = failure;
    ending = true;
    endWhenWritten();
  }

  @Override
  public void onWritePossible() {
    if (ending) {
      endWhenWritten();
    } else {
      wake.run();
    }
  }

  @Override
  public void onError(Throwable t) {
    failed = true;
    if (ending) {
      closeOnce();
    } else {
      wake.run();
    }
  }

  /** Writes the error event, if any, then completes the response once nothing is left to write. */
  private synchronized void endWhenWritten() {
    try {
      if (closed || !out.isReady()) {
        return;
      }
      if (endFailure != null && !errorWritten) {
        errorWritten = true;
        write(("event: error\ndata: " + HttpApi.problemBody(client.ctx().path(), ApiError.of(endFailure))
            + "\n\n").getBytes(StandardCharsets.UTF_8));
        if (!out.isReady()) {
          return;
        }
      }
    } catch (IOException e) {
      failed = true;
    }
    closeOnce();
  }

  private synchronized void closeOnce() {
    if (!closed) {
      closed = true;
      client.close();
    }
  }

  /** Called only while the stream is ready; a write that does not finish at once flushes itself. */
  private void write(byte[] bytes) throws IOException {
    try {
      out.write(bytes);
      if (out.isReady()) {
        out.flush();
      }
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }
}
