package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import io.grpc.Context;
import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.ConnectionOutcome;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.NatMapping;
import io.twlab.proto.v1.V1.NcTimeWaitResult;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * S1 on the real kernel through the public APIs: TIME_WAIT on the active closer only, the
 * transitions streamed over WatchLab and SSE, and resuming both from a sequence number.
 */
class NcTimeWaitIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();
  private static Lab direct;

  @BeforeAll
  static void start() {
    direct = twlab.createLab(LabSpec.newBuilder().setTopology("direct")
        .putNodes("client", V1.NodeConfig.newBuilder().putSysctls("net.ipv4.tcp_fin_timeout", "5").build())
        .build());
  }

  @Test
  void clientClosesFirstSoOnlyTheClientHoldsTimeWaitAndWatchLabStreamsIt() {
    Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(direct.getId())
        .setScenario("nc-timewait").putParams("port", "5100").setWait(true).build());

    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    NcTimeWaitResult result = run.getResult().getNcTimeWait();
    assertEquals("client", result.getTimeWaitNode());
    assertTimeWaitOnlyOn("client", result);
    // Traced: every state the kernel went through, not only those a 100 ms sample caught.
    assertEquals(List.of(TcpState.TCP_STATE_CLOSED, TcpState.TCP_STATE_SYN_SENT, TcpState.TCP_STATE_ESTABLISHED,
        TcpState.TCP_STATE_FIN_WAIT1, TcpState.TCP_STATE_FIN_WAIT2, TcpState.TCP_STATE_TIME_WAIT),
        result.getNodesList().stream().filter(o -> o.getNode().equals("client")).findFirst().orElseThrow().getStatesList());
    assertEquals(List.of(TcpState.TCP_STATE_CLOSED, TcpState.TCP_STATE_SYN_RECV, TcpState.TCP_STATE_ESTABLISHED,
        TcpState.TCP_STATE_CLOSE_WAIT, TcpState.TCP_STATE_LAST_ACK, TcpState.TCP_STATE_CLOSED),
        result.getNodesList().stream().filter(o -> o.getNode().equals("server")).findFirst().orElseThrow().getStatesList());
    // TIME_WAIT is 60 s whatever tcp_fin_timeout (5 s on this client) says.
    long timerMs = Durations.toMillis(result.getTimeWaitTimerAtEntry());
    assertTrue(timerMs > 58_000 && timerMs <= 60_000, "timer at entry " + timerMs + " ms");

    List<LabEvent> streamed = watchUntilRunFinished(run.getStartSequence(), run.getId());
    List<LabEvent> clientTransitions = transitionsOf(streamed, "client", result.getClientConnection());
    assertTrue(clientTransitions.stream().anyMatch(e -> e.getTransition().getTo() == TcpState.TCP_STATE_TIME_WAIT
        && e.getTransition().hasTimeWaitRemaining()), "no TIME_WAIT transition streamed: " + clientTransitions);
    assertTrue(streamed.stream().noneMatch(e -> e.hasTransition() && e.getTransition().getNode().equals("server")
        && e.getTransition().getTo() == TcpState.TCP_STATE_TIME_WAIT), "server entered TIME_WAIT");
    assertTrue(streamed.stream().anyMatch(e -> e.hasStateCounts() && e.getStateCounts().getNode().equals("client")
        && e.getStateCounts().getCountsOrDefault("TIME_WAIT", 0) >= 1), "no state counts with TIME_WAIT");
    assertTrue(streamed.stream().anyMatch(LabEvent::hasRunProgress));
    for (int i = 1; i < streamed.size(); i++) {
      assertEquals(streamed.get(i - 1).getSequence() + 1, streamed.get(i).getSequence(), "sequence gap");
    }

    // Resume: a watcher that saw up to the middle of the run gets exactly what followed, once.
    LabEvent middle = streamed.get(streamed.size() / 2);
    List<LabEvent> resumed = watchUntilRunFinished(middle.getSequence(), run.getId());
    assertEquals(streamed.subList(streamed.size() / 2 + 1, streamed.size()), resumed);
  }

  @Test
  void serverClosesFirstOverHttpSoOnlyTheServerHoldsTimeWaitAndSseStreamsIt() throws Exception {
    HttpResponse<String> response = twlab.post("/api/v1/labs/" + direct.getId() + "/runs",
        "{\"scenario\":\"nc-timewait\",\"params\":{\"closer\":\"server\",\"port\":\"5200\"},\"wait\":true}");
    assertEquals(200, response.statusCode(), response.body());
    Run.Builder run = Run.newBuilder();
    com.google.protobuf.util.JsonFormat.parser().merge(response.body(), run);
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    assertEquals("server", run.getResult().getNcTimeWait().getTimeWaitNode());
    assertTimeWaitOnlyOn("server", run.getResult().getNcTimeWait());

    List<SseEvent> all = sse(run.getStartSequence(), null, run.getId());
    assertTrue(all.stream().anyMatch(e -> e.name.equals("transition") && e.data.contains("\"node\":\"server\"")
        && e.data.contains("\"to\":\"TCP_STATE_TIME_WAIT\"")), "no server TIME_WAIT over SSE");
    assertTrue(all.stream().noneMatch(e -> e.name.equals("transition") && e.data.contains("\"node\":\"client\"")
        && e.data.contains("\"to\":\"TCP_STATE_TIME_WAIT\"")), "client entered TIME_WAIT");

    SseEvent middle = all.get(all.size() / 2);
    List<SseEvent> resumed = sse(0, middle.id, run.getId());
    assertEquals(all.subList(all.size() / 2 + 1, all.size()).stream().map(e -> e.id).toList(),
        resumed.stream().map(e -> e.id).toList());
  }

  @Test
  void natLabClientBehindTheGatewayHoldsTimeWait() {
    Lab nat = twlab.createLab(LabSpec.newBuilder().setTopology("nat").setSnatPortRange("41000-41004").build());
    Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(nat.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    NcTimeWaitResult result = run.getResult().getNcTimeWait();
    assertTimeWaitOnlyOn("client1", result);
    // The server sees the client through the gateway's SNAT pool.
    ConnectionOutcome server = result.getNodesList().stream().filter(n -> n.getNode().equals("server")).findFirst().orElseThrow();
    int remotePort = Integer.parseInt(server.getConnection().replaceAll(".*:", ""));
    assertTrue(remotePort >= 41000 && remotePort <= 41004, server.getConnection());

    // The gateway's NAT mapping joins the two: the client's socket is its original tuple, the
    // server's socket is its reply tuple.
    String clientSocket = result.getClientConnection();
    String serverSocket = server.getConnection();
    Iterator<LabEvent> events = twlab.grpc().withDeadlineAfter(10, TimeUnit.SECONDS).watchLab(WatchLabRequest
        .newBuilder().setLabId(nat.getId()).setAfterSequence(run.getStartSequence()).addNodes("gateway").build());
    NatMapping mapping = null;
    while (mapping == null && events.hasNext()) {
      LabEvent e = events.next();
      if (e.hasNat() && e.getNat().getEvent().equals("NEW") && e.getNat().getOriginal().equals(clientSocket)) {
        mapping = e.getNat();
      }
    }
    assertTrue(mapping != null, "no NAT mapping for " + clientSocket);
    assertEquals("SYN_SENT", mapping.getState());
    assertEquals(serverSocket, mapping.getReply(), "the reply tuple is the server's socket");
  }

  private static void assertTimeWaitOnlyOn(String node, NcTimeWaitResult result) {
    assertEquals(2, result.getNodesCount());
    for (ConnectionOutcome outcome : result.getNodesList()) {
      boolean closer = outcome.getNode().equals(node);
      assertEquals(closer, outcome.getTimeWaitSeen(), outcome.toString());
      assertEquals(closer, outcome.getStatesList().contains(TcpState.TCP_STATE_TIME_WAIT), outcome.toString());
      assertTrue(outcome.getStatesList().contains(TcpState.TCP_STATE_ESTABLISHED), outcome.toString());
      if (!closer) {
        assertEquals(TcpState.TCP_STATE_CLOSED, outcome.getStates(outcome.getStatesCount() - 1), outcome.toString());
      }
    }
  }

  private List<LabEvent> watchUntilRunFinished(long after, String runId) {
    List<LabEvent> events = new ArrayList<>();
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      call.run(() -> {
        Iterator<LabEvent> stream = twlab.grpc().withDeadlineAfter(30, TimeUnit.SECONDS).watchLab(
            WatchLabRequest.newBuilder().setLabId(direct.getId()).setAfterSequence(after).build());
        while (stream.hasNext()) {
          LabEvent event = stream.next();
          events.add(event);
          if (event.hasRunFinished() && event.getRunFinished().getRun().getId().equals(runId)) {
            return;
          }
        }
      });
    }
    assertFalse(events.isEmpty());
    return events;
  }

  private static List<LabEvent> transitionsOf(List<LabEvent> events, String node, String connection) {
    String local = connection.split(" -> ")[0];
    return events.stream().filter(e -> e.hasTransition() && e.getTransition().getNode().equals(node)
        && e.getTransition().getLocal().equals(local)).toList();
  }

  private record SseEvent(String id, String name, String data) {}

  /** Reads the SSE stream (resuming by ?after= or Last-Event-ID) until the run's run_finished event. */
  private List<SseEvent> sse(long after, String lastEventId, String runId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(twlab.httpBase() + "/api/v1/labs/" + direct.getId() + "/events" + (lastEventId == null ? "?after=" + after : "")))
        .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    List<SseEvent> events = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      Map<String, String> fields = new java.util.HashMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String line;
      while (System.nanoTime() < deadline && (line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (fields.containsKey("data")) {
            SseEvent event = new SseEvent(fields.get("id"), fields.getOrDefault("event", "message"), fields.get("data"));
            events.add(event);
            if (event.name.equals("run_finished") && event.data.contains(runId)) {
              return events;
            }
          }
          fields.clear();
        } else if (!line.startsWith(":")) {
          int colon = line.indexOf(':');
          fields.merge(line.substring(0, colon), line.substring(colon + 1).trim(), (a, b) -> a + "\n" + b);
        }
      }
    }
    throw new AssertionError("SSE stream ended without run_finished for " + runId + ": " + events);
  }
}
