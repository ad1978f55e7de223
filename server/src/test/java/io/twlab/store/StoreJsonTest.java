package io.twlab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreJsonTest {
  private final StoreJson json = new StoreJson();

  @Test
  void aRecordWrittenBeforeAFieldExistedReadsItAsEmpty() {
    String older = "{\"summary\":\"s\",\"outcome\":{\"type\":\"LingerRst\",\"cases\":[]},\"counters\":{}}";

    ScenarioResult result = json.read(older, ScenarioResult.class);

    assertEquals(new ScenarioResult("s", new ScenarioOutcome.LingerRst(List.of()), Map.of(), Map.of()), result);
  }

  @Test
  void roundTripsASealedOutcome() {
    ScenarioResult result = new ScenarioResult("s", new ScenarioOutcome.LingerRst(List.of()), Map.of(),
        Map.of("narrow-client", Map.of("net.ipv4.tcp_tw_reuse", "1")));

    assertEquals(result, json.read(json.write(result), ScenarioResult.class));
  }
}
