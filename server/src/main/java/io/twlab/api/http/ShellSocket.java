package io.twlab.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.twlab.api.ApiError;
import io.twlab.app.Shells;
import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.InvalidArgumentException;
import io.twlab.identity.Principal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shell over a WebSocket, as the console's terminal speaks it. The client sends text messages
 * {@code {"input": "..."}} and {@code {"resize": {"columns": 80, "rows": 24}}}; the server sends the
 * terminal's output as binary messages, and text messages {@code {"opened": {...}}} first, {@code
 * {"closed": {...}}} last, or a problem+json refusal, each followed by the socket's close. Output is
 * sent one message at a time, each once the client took the one before, so that a flood waits in
 * the shell's terminal rather than in the server's memory.
 */
final class ShellSocket {
  private static final Logger LOG = LoggerFactory.getLogger(ShellSocket.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEND_LIMIT_SECONDS = 30;

  private final Shells shells;
  private final Map<String, Shells.Shell> open = new ConcurrentHashMap<>();

  ShellSocket(Shells shells) {
    this.shells = shells;
  }

  void configure(WsConfig ws, String principalKey, String callerKey) {
    ws.onConnect(ctx -> connect(ctx, ctx.attribute(principalKey), ctx.attribute(callerKey)));
    ws.onMessage(ctx -> {
      Shells.Shell shell = open.get(ctx.sessionId());
      if (shell != null) {
        message(ctx, shell, ctx.message());
      }
    });
    ws.onClose(ctx -> close(ctx.sessionId()));
    ws.onError(ctx -> close(ctx.sessionId()));
  }

  private void connect(WsConnectContext ctx, Principal principal, Caller caller) {
    String instance = "/api/v1/labs/" + ctx.pathParam("id") + "/nodes/" + ctx.pathParam("node") + "/shell";
    try {
      Shells.Shell shell = shells.open(principal, caller, ctx.session.getRemoteSocketAddress().toString(),
          new Shells.Request(ctx.pathParam("id"), ctx.pathParam("node"), true, size(ctx, "columns", 80),
              size(ctx, "rows", 24)), new Shells.Client() {
                @Override
                public void output(byte[] bytes) {
                  send(ctx, bytes);
                }

                @Override
                public void ended(Shells.Ended end) {
                  ObjectNode closed = JSON.createObjectNode();
                  closed.putObject("closed").put("reason", end.reason().id()).put("exitCode", end.exitCode())
                      .put("message", end.message());
                  finish(ctx, closed.toString(), WsCloseStatus.NORMAL_CLOSURE, end.reason().id());
                }
              });
      open.put(ctx.sessionId(), shell);
      ctx.enableAutomaticPings();
      ObjectNode opened = JSON.createObjectNode();
      opened.putObject("opened").put("shellId", shell.id()).put("labId", shell.labId()).put("node", shell.node())
          .put("user", Shells.USER).put("idleTimeoutSeconds", shells.idleTimeout().toSeconds());
      ctx.send(opened.toString());
    } catch (RuntimeException e) {
      ApiError error = ApiError.of(e);
      finish(ctx, HttpApi.problemBody(instance, error).toString(), WsCloseStatus.POLICY_VIOLATION, error.kind().title);
    }
  }

  private static int size(WsConnectContext ctx, String name, int otherwise) {
    String text = ctx.queryParam(name);
    try {
      return text == null || text.isBlank() ? otherwise : Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException(name, Bounded.quote(text) + " is not a number");
    }
  }

  private void message(WsContext ctx, Shells.Shell shell, String text) {
    try {
      JsonNode message = JSON.readTree(text);
      if (message == null || !message.isObject()) {
        throw new InvalidArgumentException("message", "must be {\"input\": \"...\"} or {\"resize\": {\"columns\": N, "
            + "\"rows\": N}}");
      }
      if (message.has("input")) {
        shell.input(message.get("input").asText().getBytes(StandardCharsets.UTF_8));
      } else if (message.has("resize")) {
        shell.resize(message.path("resize").path("columns").asInt(), message.path("resize").path("rows").asInt());
      } else {
        throw new InvalidArgumentException("message", "must carry input or resize");
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      ctx.send(HttpApi.problemBody("shell", ApiError.of(new InvalidArgumentException("message", "not JSON")))
          .toString());
    } catch (RuntimeException e) {
      ctx.send(HttpApi.problemBody("shell", ApiError.of(e)).toString());
    }
  }

  /** Sends one output message and waits until the client took it; a client that stops reading ends the shell. */
  private void send(WsContext ctx, byte[] bytes) {
    if (!ctx.session.isOpen()) {
      return;
    }
    Callback.Completable sent = new Callback.Completable();
    ctx.session.sendBinary(ByteBuffer.wrap(bytes), sent);
    try {
      sent.get(SEND_LIMIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("shell output not taken by {}: {}", ctx.sessionId(), e.toString());
      close(ctx.sessionId());
    }
  }

  private void finish(WsContext ctx, String last, WsCloseStatus status, String reason) {
    open.remove(ctx.sessionId());
    if (ctx.session.isOpen()) {
      ctx.send(last);
      ctx.closeSession(status, reason);
    }
  }

  private void close(String sessionId) {
    Shells.Shell shell = open.remove(sessionId);
    if (shell != null) {
      shell.close();
    }
  }
}
