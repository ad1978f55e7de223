package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabEventBatch;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoublePredicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Watchers of a 2 000-connection flood: filters (gRPC, SSE, WebSocket), every transition when
 * asked, summaries otherwise, and nothing lost either way.
 */
class WatchIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();
  private static final int CONNECTIONS = 2_000;
  private static final Pattern WATCH_STREAM_CODE = Pattern.compile(
      "io\\.twlab\\.(app\\.(EventStreams|WatchPump)|api\\.grpc\\.GrpcEventSink|api\\.http\\.(SseEventSink|WebSocketEventSink))"
      + "(\\$.*)?");
  private static Lab lab;
  private static Run flood;

  @BeforeAll
  static void flood() {
    lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    flood = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("redis-flood")
        .putParams("connections", String.valueOf(CONNECTIONS)).setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, flood.getState(), flood.getError());
  }

  @Test
  void connectionsDetailDeliversEveryTransitionTheFilterWants() {
    List<LabEvent> events = grpcUntilFinished(WatchLabRequest.newBuilder().addNodes("client")
        .addStates(TcpState.TCP_STATE_TIME_WAIT).setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS));
    List<LabEvent> transitions = events.stream().filter(LabEvent::hasTransition).toList();
    assertEquals(CONNECTIONS, transitions.stream().filter(e -> e.getTransition().getTo() == TcpState.TCP_STATE_TIME_WAIT)
        .count(), "every client socket entering TIME_WAIT, once");
    assertTrue(transitions.stream().allMatch(e -> e.getTransition().getNode().equals("client")));
    assertTrue(events.stream().noneMatch(LabEvent::hasSummary));
  }

  @Test
  void aBatchedWatcherThatIsBehindGetsTheSameEventsInFewerMessagesAndResumesAfterABatch() {
    WatchLabRequest.Builder request = WatchLabRequest.newBuilder().setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS);
    List<LabEvent> one = grpcUntilFinished(request.clone());
    Iterator<LabEventBatch> batches = twlab.grpc().withDeadlineAfter(60, TimeUnit.SECONDS).watchLabBatched(
        request.clone().setLabId(lab.getId()).setAfterSequence(flood.getStartSequence()).build());
    List<LabEvent> batched = new ArrayList<>();
    int messages = 0;
    int largest = 0;
    long resumeAfter = -1;
    while (batched.isEmpty() || !finishes(batched.get(batched.size() - 1))) {
      LabEventBatch batch = batches.next();
      messages++;
      largest = Math.max(largest, batch.getEventsCount());
      batched.addAll(batch.getEventsList());
      if (messages == 1) {
        resumeAfter = batch.getEvents(batch.getEventsCount() - 1).getSequence();
      }
    }
    assertEquals(one, batched, "the same events in the same order");
    assertTrue(largest > 1 && largest <= 1024, "a watcher behind by thousands gets up to 1024 at once: " + largest);
    assertTrue(messages < one.size() / 10, messages + " messages for " + one.size() + " events");

    long after = resumeAfter;
    LabEventBatch resumed = twlab.grpc().withDeadlineAfter(60, TimeUnit.SECONDS).watchLabBatched(
        request.clone().setLabId(lab.getId()).setAfterSequence(after).build()).next();
    assertEquals(after + 1, resumed.getEvents(0).getSequence(), "resumes right after the last event of a batch");
  }

  @Test
  void autoDetailCompactsTheFloodIntoSummariesWithoutLosingATransition() {
    List<LabEvent> every = grpcUntilFinished(WatchLabRequest.newBuilder().setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS));
    List<LabEvent> auto = grpcUntilFinished(WatchLabRequest.newBuilder());

    long transitions = every.stream().filter(LabEvent::hasTransition).count();
    long deliveredOneByOne = auto.stream().filter(LabEvent::hasTransition).count();
    long summarised = auto.stream().filter(LabEvent::hasSummary)
        .mapToLong(e -> e.getSummary().getTransitionsMap().values().stream().mapToInt(Integer::intValue).sum()).sum();
    // The 100 ms sampler sees every TIME_WAIT, but few of redis' sub-millisecond sockets (docs/kernel-facts.md §4).
    assertTrue(transitions >= CONNECTIONS, "at least each client TIME_WAIT: " + transitions);
    assertEquals(transitions, deliveredOneByOne + summarised, "summaries account for every transition");
    assertTrue(auto.size() * 4 < every.size(), auto.size() + " events instead of " + every.size());
  }

  @Test
  void kernelCountersStreamAsDeltasPerNode() {
    Iterator<LabEvent> stream = twlab.grpc().withDeadlineAfter(30, TimeUnit.SECONDS).watchLab(WatchLabRequest
        .newBuilder().setLabId(lab.getId()).setAfterSequence(flood.getStartSequence()).addNodes("client").build());
    long timeWaits = 0;
    long activeOpens = 0;
    while (timeWaits < CONNECTIONS && stream.hasNext()) {
      LabEvent event = stream.next();
      if (event.hasCounters()) {
        assertEquals("client", event.getCounters().getNode());
        timeWaits += event.getCounters().getDeltasOrDefault("TcpExtTW", 0);
        activeOpens += event.getCounters().getDeltasOrDefault("TcpActiveOpens", 0);
      }
    }
    assertEquals(CONNECTIONS, timeWaits, "TcpExtTW deltas add up to the flood");
    assertEquals(CONNECTIONS, activeOpens);
  }

  @Test
  void sseAndWebSocketTakeTheSameFiltersAndRefuseBadOnesByName() throws Exception {
    // Checked before the SSE stream opens: a problem+json response naming each bad filter.
    HttpResponse<String> bad = twlab.get("/api/v1/labs/" + lab.getId() + "/events?states=TIME_WAITING&ports=0");
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("\"field\":\"states\"") && bad.body().contains("\"field\":\"ports\""), bad.body());

    List<LabEvent> aggregated = webSocket("after=" + flood.getStartSequence() + "&states=TIME_WAIT&detail=aggregated");
    long toTimeWait = aggregated.stream().filter(LabEvent::hasSummary)
        .flatMap(e -> e.getSummary().getTransitionsMap().entrySet().stream())
        .filter(t -> t.getKey().endsWith("->TIME_WAIT")).mapToLong(t -> t.getValue()).sum();
    assertEquals(CONNECTIONS, toTimeWait, "the WebSocket watcher's summaries count every TIME_WAIT");
    assertTrue(aggregated.stream().noneMatch(LabEvent::hasTransition));

    StatusRuntimeException grpcBad = assertThrows(StatusRuntimeException.class, () -> grpcUntilFinished(
        WatchLabRequest.newBuilder().addStates(TcpState.TCP_STATE_UNSPECIFIED)));
    assertEquals(Status.Code.INVALID_ARGUMENT, grpcBad.getStatus().getCode());
  }

  @Test
  void aWatcherThatStopsReadingDelaysNeitherTheLabNorAFastWatcherAndLabsNeverSeeEachOthersEvents()
      throws Exception {
    Lab other = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    // The slow watcher asks for one event and then never for more: gRPC flow control holds its stream.
    AtomicInteger slowReceived = new AtomicInteger();
    AtomicReference<ClientCallStreamObserver<WatchLabRequest>> slowCall = new AtomicReference<>();
    twlab.asyncGrpc().watchLab(WatchLabRequest.newBuilder().setLabId(lab.getId()).setAfterSequence(-1)
        .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), new ClientResponseObserver<WatchLabRequest, LabEvent>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<WatchLabRequest> call) {
            slowCall.set(call);
            call.disableAutoRequestWithInitial(1);
          }

          @Override
          public void onNext(LabEvent event) {
            slowReceived.incrementAndGet();
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    Iterator<LabEvent> otherLab = twlab.grpc().withDeadlineAfter(60, TimeUnit.SECONDS).watchLab(WatchLabRequest
        .newBuilder().setLabId(other.getId()).setAfterSequence(-1).build());
    try {
      Run second = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
          .setScenario("redis-flood").putParams("connections", String.valueOf(CONNECTIONS)).setWait(true).build());
      assertEquals(RunState.RUN_STATE_SUCCEEDED, second.getState(), "the lab ran on: " + second.getError());

      long started = System.nanoTime();
      Iterator<LabEvent> fast = twlab.grpc().withDeadlineAfter(30, TimeUnit.SECONDS).watchLab(WatchLabRequest
          .newBuilder().setLabId(lab.getId()).setAfterSequence(second.getStartSequence())
          .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build());
      long fastReceived = 0;
      while (fast.hasNext()) {
        LabEvent event = fast.next();
        fastReceived++;
        if (event.hasRunFinished() && event.getRunFinished().getRun().getId().equals(second.getId())) {
          break;
        }
      }
      assertTrue(fastReceived >= CONNECTIONS, "fast watcher got " + fastReceived);
      assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10), "the fast watcher was held up");
      assertTrue(slowReceived.get() <= 1, "the slow watcher asked for one event, got " + slowReceived.get());

      // A run in another lab: this lab's watcher sees none of it.
      twlab.run(other, "nc-timewait", Map.of("port", "5300"));
      List<LabEvent> seen = new ArrayList<>();
      while (otherLab.hasNext()) {
        LabEvent event = otherLab.next();
        seen.add(event);
        if (event.hasRunFinished()) {
          break;
        }
      }
      assertTrue(seen.stream().allMatch(e -> e.getLabId().equals(other.getId())));
      assertTrue(seen.stream().filter(LabEvent::hasTransition).allMatch(e -> e.getTransition().getRemote().endsWith(":5300")
          || e.getTransition().getLocal().endsWith(":5300")), "only the nc-timewait connection: " + seen);
    } finally {
      slowCall.get().cancel("test over", null);
    }
  }

  @Test
  void watchersThatStopReadingHoldNoThreadEachAndEndWhenTheyGo() throws Exception {
    int each = 30;
    // Other tests' watchers may still be open, or end meanwhile.
    double watchersBefore = metric("twlab_watchers");
    List<ClientCallStreamObserver<WatchLabRequest>> grpcCalls = new ArrayList<>();
    List<Socket> sseSockets = new ArrayList<>();
    try {
      for (int i = 0; i < each; i++) {
        // Each asks for nothing: gRPC's flow control stops its stream once the transport's window is full.
        twlab.asyncGrpc().watchLab(WatchLabRequest.newBuilder().setLabId(lab.getId()).setAfterSequence(0)
            .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), new ClientResponseObserver<WatchLabRequest, LabEvent>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<WatchLabRequest> call) {
                grpcCalls.add(call);
                call.disableAutoRequestWithInitial(0);
              }

              @Override
              public void onNext(LabEvent event) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
        // An SSE reader that never reads past a small receive buffer.
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("localhost", twlab.httpPort()), 5_000);
        socket.getOutputStream().write(("GET /api/v1/labs/" + lab.getId() + "/events?after=0&detail=connections "
            + "HTTP/1.1\r\nHost: localhost:" + twlab.httpPort() + "\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        sseSockets.add(socket);
      }
      awaitMetric("twlab_watchers", n -> n >= 2 * each, "all " + 2 * each + " watching");
      // Every one of them is behind and stays behind: the flood's events do not fit its connection.
      Thread.sleep(2_000);
      assertTrue(metric("twlab_watchers_lag_max") > 0, "the stuck watchers are behind");
      // The server runs in this JVM: look for threads inside a watch stream's code. A stuck watcher
      // used to hold one each, waiting there; now only a pass that runs is there, on a pool of a few.
      long inStreams = 0;
      for (int i = 0; i < 5; i++) {
        inStreams = Math.max(inStreams, Thread.getAllStackTraces().values().stream().filter(stack -> Arrays.stream(stack)
            .anyMatch(frame -> WATCH_STREAM_CODE.matcher(frame.getClassName()).matches())).count());
        Thread.sleep(200);
      }
      assertTrue(inStreams <= Runtime.getRuntime().availableProcessors(), 2 * each + " stuck watchers: " + inStreams
          + " threads in watch streams");
      // A watcher that reads gets the whole flood meanwhile (and goes once it has).
      try (Context.CancellableContext reading = Context.current().withCancellation()) {
        assertTrue(reading.call(() -> grpcUntilFinished(WatchLabRequest.newBuilder()
            .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS))).stream().filter(LabEvent::hasTransition).count() >= CONNECTIONS);
      }
    } finally {
      grpcCalls.forEach(c -> c.cancel("test over", null));
      for (Socket socket : sseSockets) {
        socket.close();
      }
    }
    awaitMetric("twlab_watchers", n -> n <= watchersBefore, "every one gone ended, and counts no more");
  }

  private static double metric(String name) throws Exception {
    String text = twlab.get("/metrics").body();
    return text.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
        .findFirst().orElseThrow(() -> new AssertionError(name + " missing: " + text));
  }

  /** Until the metric is as {@code wanted}, for at most 20 s. */
  private static void awaitMetric(String name, DoublePredicate wanted, String what) throws Exception {
    for (int i = 0; i < 80 && !wanted.test(metric(name)); i++) {
      Thread.sleep(250);
    }
    double last = metric(name);
    assertTrue(wanted.test(last), what + ": " + name + " is " + last);
  }

  private static List<LabEvent> grpcUntilFinished(WatchLabRequest.Builder request) {
    Iterator<LabEvent> stream = twlab.grpc().withDeadlineAfter(60, TimeUnit.SECONDS)
        .watchLab(request.setLabId(lab.getId()).setAfterSequence(flood.getStartSequence()).build());
    List<LabEvent> events = new ArrayList<>();
    while (stream.hasNext()) {
      LabEvent event = stream.next();
      events.add(event);
      if (finishes(event)) {
        return events;
      }
    }
    throw new AssertionError("stream ended before the run finished");
  }

  private static List<LabEvent> webSocket(String query) throws Exception {
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    URI uri = URI.create(twlab.httpBase().replace("http://", "ws://") + "/api/v1/labs/" + lab.getId() + "/ws?" + query);
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          messages.add(partial.toString());
          partial.setLength(0);
        }
        ws.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    List<LabEvent> events = new ArrayList<>();
    try {
      while (true) {
        String message = messages.poll(30, TimeUnit.SECONDS);
        if (message == null) {
          throw new AssertionError("no WebSocket message within 30 s after " + events.size());
        }
        LabEvent.Builder event = LabEvent.newBuilder();
        JsonFormat.parser().merge(message, event);
        events.add(event.build());
        if (finishes(event.build())) {
          return events;
        }
      }
    } finally {
      socket.abort();
    }
  }

  private static boolean finishes(LabEvent event) {
    return event.hasRunFinished() && event.getRunFinished().getRun().getId().equals(flood.getId());
  }
}
