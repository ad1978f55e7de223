package io.twlab.api.http;

import com.google.protobuf.InvalidProtocolBufferException;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsConnectContext;
import io.twlab.api.ProtoMapper;
import io.twlab.app.EventSink;
import io.twlab.event.LabEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * A WebSocket watch: one text message per event (the proto3 JSON mapping), sent asynchronously; the
 * next events go once Jetty has written the last ones, so a slow reader holds no thread and at most
 * one batch of messages.
 */
final class WebSocketEventSink implements EventSink {
  private final WsConnectContext ctx;
  private final String labId;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean failed;
  private volatile Runnable wake = () -> {};

  WebSocketEventSink(WsConnectContext ctx, String labId) {
    this.ctx = ctx;
    this.labId = labId;
  }

  @Override
  public boolean isOpen() {
    return !failed && ctx.session.isOpen();
  }

  @Override
  public boolean isReady() {
    return inFlight.get() == 0;
  }

  @Override
  public void onReady(Runnable wake) {
    this.wake = wake;
  }

  @Override
  public void sendAll(List<LabEvent> events) throws InvalidProtocolBufferException {
    inFlight.set(events.size());
    for (LabEvent event : events) {
      ctx.session.sendText(HttpApi.PRINTER.print(ProtoMapper.event(event)), Callback.from(this::sent, this::failed));
    }
  }

  @Override
  public void end(Exception failure) {
    if (failure == null) {
      ctx.closeSession(WsCloseStatus.NORMAL_CLOSURE, "lab " + labId + " is gone");
    } else {
      ctx.closeSession();
    }
  }

  private void sent() {
    if (inFlight.decrementAndGet() == 0) {
      wake.run();
    }
  }

  private void failed(Throwable t) {
    failed = true;
    wake.run();
  }
}
