package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.lab.TopologyKind;
import io.twlab.scenario.ParameterSpec;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.RunNodeTemplate;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioCatalog;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.store.SqliteRunStore;
import io.twlab.sysctl.SysctlPolicy;
import io.twlab.testing.FakeEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run is checked against before it starts: among others, the sysctl policy for the nodes it adds. */
class RunsCheckTest {
  @TempDir
  Path dataDir;
  private SqliteRunStore history;

  @AfterEach
  void closeHistory() {
    if (history != null) {
      history.close();
    }
  }

  /** Allows tcp_fin_timeout up to 1000 s, the policy up to 600: the policy decides. */
  static final class GenerousScenario extends Scenario {
    private static final IntParam FIN_TIMEOUT = new IntParam("fin-timeout", "seconds", 5, 1, 1_000);
    private static final RunNodeTemplate<ScenarioParams> CLIENT = RunNodeTemplate.single("generous-client")
        .sysctlFromParam("net.ipv4.tcp_fin_timeout", FIN_TIMEOUT);

    GenerousScenario() {
      super(define("generous").parameters(FIN_TIMEOUT).runNodes(CLIENT).title("t").teaches("d").checksClaim("c"));
    }

    record Outcome() implements ScenarioOutcome {}

    @Override
    public ScenarioResult run(ScenarioContext context, ScenarioParams params) {
      throw new AssertionError("checked, never run");
    }
  }

  @Test
  void aParameterThatWouldGiveARunNodeASysctlThePolicyRefusesIsRefusedBeforeTheRun() {
    // Defaults are filled in, the capture parameter every scenario takes among them.
    Runs runs = runs(new ScenarioCatalog(List.of(new GenerousScenario())));

    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> runs.check("generous", Map.of("fin-timeout", "900"), TopologyKind.DIRECT));

    FieldViolation v = e.violations().get(0);
    assertEquals("params", v.field());
    assertTrue(v.reason().contains("generous-client net.ipv4.tcp_fin_timeout=900"), v.reason());
    assertEquals(Map.of("fin-timeout", "600", "capture", "false"),
        runs.check("generous", Map.of("fin-timeout", "600"), TopologyKind.DIRECT).values());
  }

  /** No parameter a built-in scenario accepts gives its run nodes a sysctl the policy refuses. */
  @Test
  void everyBuiltInScenarioStaysWithinThePolicyAtTheBoundsOfItsParameters() {
    SysctlPolicy policy = new SysctlPolicy();
    for (Scenario scenario : BuiltInScenarios.catalog().scenarios()) {
      for (ParameterSpec p : scenario.descriptor().parameters()) {
        if (p instanceof IntParam i) {
          for (long bound : List.of(i.min(), i.max())) {
            Map<String, String> raw = new HashMap<>(Map.of(p.name(), String.valueOf(bound)));
            ScenarioParams params = scenario.descriptor().resolve(raw);
            scenario.runNodeSysctls(params).forEach((node, sysctls) -> sysctls.forEach((key, value) ->
                assertEquals(Optional.empty(), policy.reasonAgainst(key, value),
                    scenario.name() + " " + p.name() + "=" + bound + ": " + node + " " + key + "=" + value)));
          }
        }
      }
    }
  }

  private Runs runs(ScenarioCatalog catalog) {
    FakeEngine engine = new FakeEngine();
    SysctlPolicy policy = new SysctlPolicy();
    history = SqliteRunStore.open(dataDir, 10, catalog.outcomeTypes());
    return new Runs(engine, new Labs(engine, ServerSettings.defaults(), ServerLimits.DEFAULT, policy, Clock.systemUTC()),
        catalog, policy, history, ServerLimits.DEFAULT, Clock.systemUTC());
  }
}
