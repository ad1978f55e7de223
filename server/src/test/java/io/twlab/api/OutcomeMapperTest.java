package io.twlab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.twlab.core.TcpState;
import io.twlab.core.TimeWaitEnd;
import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.NcTimeWaitResult;
import io.twlab.proto.v1.V1.PortExhaustionResult;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.LoadReport.Latency;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.builtin.BuiltInScenarios;
import io.twlab.scenario.builtin.NcTimeWait;
import io.twlab.scenario.builtin.NcTimeWait.ConnectionOutcome;
import io.twlab.scenario.builtin.PortExhaustion;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutcomeMapperTest {

  /** Every field of every built-in result message has a source in its outcome, checked by type: no run needed. */
  @Test
  void everyResultFieldOfEveryScenarioHasASource() {
    for (Scenario scenario : BuiltInScenarios.catalog().scenarios()) {
      FieldDescriptor detail = OutcomeMapper.detailField(scenario.outcomeType());
      assertSourced(detail.getMessageType(), scenario.outcomeType());
    }
  }

  @Test
  void everyDetailFieldBelongsToAScenario() {
    List<String> mapped = BuiltInScenarios.catalog().scenarios().stream()
        .map(s -> OutcomeMapper.detailField(s.outcomeType()).getName()).toList();
    ScenarioResult.getDescriptor().getOneofs().get(0).getFields()
        .forEach(f -> assertTrue(mapped.contains(f.getName()), f.getName() + " has no scenario"));
  }

  @Test
  void mapsNestedRecordsEnumsDurationsAndOptionals() {
    var outcome = new NcTimeWait.Outcome("client", "10.0.0.2:40000 -> 10.0.0.3:5000",
        List.of(new NcTimeWait.ConnectionOutcome("client", "10.0.0.2:40000 -> 10.0.0.3:5000",
            List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.TIME_WAIT), true)),
        Optional.of("client"), Optional.of(Duration.ofMillis(59_900)), Optional.empty(), true,
        Optional.of(TimeWaitEnd.RESET));
    ScenarioResult.Builder b = ScenarioResult.newBuilder();

    OutcomeMapper.fill(b, outcome);

    NcTimeWaitResult r = b.getNcTimeWait();
    assertEquals("client", r.getTimeWaitNode());
    assertEquals(59, r.getTimeWaitTimerAtEntry().getSeconds());
    assertEquals(900_000_000, r.getTimeWaitTimerAtEntry().getNanos());
    assertFalse(r.getExpiryMeasured());
    assertFalse(r.hasTimeWaitLifetime(), "an empty Optional leaves its field unset");
    assertEquals(V1.TimeWaitEnd.TIME_WAIT_END_RESET, r.getTimeWaitEnd());
    assertEquals(List.of(V1.TcpState.TCP_STATE_ESTABLISHED, V1.TcpState.TCP_STATE_FIN_WAIT1,
        V1.TcpState.TCP_STATE_FIN_WAIT2, V1.TcpState.TCP_STATE_TIME_WAIT),
        r.getNodes(0).getStatesList());
  }

  @Test
  void mapsLoadsMapsAndDerivedFields() {
    LoadReport load = new LoadReport("narrow-client", "twlab-conn", 200, 100, 100, 1.5,
        Map.of("EADDRNOTAVAIL", 100L), Map.of("EADDRNOTAVAIL", "Cannot assign requested address"), 101,
        new LoadReport.Latency(0.1, 0.2, 0.3, 0.4, 0.5), Map.of("lt1ms", 100L), Optional.empty(),
        Map.of("TIME_WAIT", 99, "FIN_WAIT2", 1));
    var outcome = new PortExhaustion.Outcome("40000-40099", 100, Optional.of(load), "EADDRNOTAVAIL",
        "Cannot assign requested address", "nc: x", "redis-cli: y", Optional.of(61.5), Optional.empty());
    ScenarioResult.Builder b = ScenarioResult.newBuilder();

    OutcomeMapper.fill(b, outcome);

    PortExhaustionResult r = b.getPortExhaustion();
    assertTrue(r.getRecoveryObserved());
    assertEquals(61.5, r.getRecoveredAfterSeconds());
    assertEquals(100L, r.getLoad().getErrorsOrThrow("EADDRNOTAVAIL"));
    assertEquals(0.4, r.getLoad().getConnectMs().getP99());
    assertEquals(101, r.getLoad().getFirstFailure());
    assertEquals(99, r.getTimeWaitAtFirstFailure());
    assertEquals(1, r.getLoad().getSocketsAtFirstFailureOrThrow("FIN_WAIT2"));
  }

  private static void assertSourced(Descriptor message, Type source) {
    Class<?> type = raw(source);
    for (FieldDescriptor field : message.getFields()) {
      Type value = unwrap(OutcomeMapper.source(type, field).getGenericReturnType(), Optional.class, 0);
      if (field.isMapField()) {
        value = arg(value, 1);
        field = field.getMessageType().findFieldByName("value");
      } else if (field.isRepeated()) {
        value = arg(value, 0);
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !field.getMessageType().getFullName().equals("google.protobuf.Duration")) {
        assertSourced(field.getMessageType(), value);
      }
    }
  }

  private static Type unwrap(Type type, Class<?> wrapper, int index) {
    return raw(type) == wrapper ? arg(type, index) : type;
  }

  private static Type arg(Type type, int index) {
    return ((ParameterizedType) type).getActualTypeArguments()[index];
  }

  private static Class<?> raw(Type type) {
    return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
  }
}
