package io.twlab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.event.EventPayload;
import io.twlab.grading.Verdict;
import io.twlab.event.EventPayload.ConnectionTransition;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.scenario.builtin.LingerRst;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreJsonTest {
  private final StoreJson json = new StoreJson(BuiltInScenarios.catalog().outcomeTypes());

  @Test
  void aRecordWrittenBeforeAFieldExistedReadsItAsEmpty() {
    String older = "{\"summary\":\"s\",\"outcome\":{\"type\":\"LingerRst\",\"cases\":[]},\"counters\":{}}";

    ScenarioResult result = json.read(older, ScenarioResult.class);

    assertEquals(new ScenarioResult("s", new LingerRst.Outcome(List.of()), Map.of(), Map.of()), result);
  }

  @Test
  void aTransitionStoredFlatBeforeSocketChangeReadsWithItsEventTime() {
    String older = "{\"type\":\"ConnectionTransition\",\"node\":\"client\",\"local\":\"10.0.0.2:40000\","
        + "\"remote\":\"10.0.0.3:5000\",\"from\":\"FIN_WAIT2\",\"to\":\"TIME_WAIT\","
        + "\"timeWaitRemaining\":\"PT59.9S\",\"traced\":true}";
    Instant at = Instant.parse("2026-11-20T10:00:00Z");

    EventPayload payload = json.readPayload(older, at);

    assertEquals(new EventPayload.ConnectionTransition(new SocketChange("client", at,
        new SocketKey("10.0.0.2:40000", "10.0.0.3:5000"), TcpState.FIN_WAIT2, TcpState.TIME_WAIT,
        Optional.of(Duration.ofMillis(59_900)), true)), payload);
  }

  @Test
  void aVerdictRecordedBeforeOutcomesExistedReadsItsOutcomeFromPassed() {
    String older = "{\"expectation\":{\"type\":\"ErrorCount\",\"errno\":\"EADDRNOTAVAIL\","
        + "\"comparison\":{\"op\":\"EQUAL\",\"value\":100.0,\"tolerance\":0.0}},\"passed\":false,"
        + "\"observed\":\"EADDRNOTAVAIL errors: 99\",\"reason\":\"expected == 100\"}";

    Verdict verdict = json.read(older, Verdict.class);

    assertEquals(Verdict.Outcome.FAILED, verdict.outcome());
    assertEquals(false, verdict.passed());
  }

  @Test
  void aTransitionRoundTrips() {
    EventPayload payload = new EventPayload.ConnectionTransition(new SocketChange("server",
        Instant.parse("2026-11-20T10:00:00Z"), new SocketKey("10.0.0.3:5000", "10.0.0.2:40000"), TcpState.LAST_ACK,
        TcpState.CLOSED, Optional.empty(), false));

    assertEquals(payload, json.readPayload(json.write(payload), Instant.EPOCH));
  }

  @Test
  void roundTripsASealedOutcome() {
    ScenarioResult result = new ScenarioResult("s", new LingerRst.Outcome(List.of()), Map.of(),
        Map.of("narrow-client", Map.of("net.ipv4.tcp_tw_reuse", "1")));

    assertEquals(result, json.read(json.write(result), ScenarioResult.class));
  }
}
