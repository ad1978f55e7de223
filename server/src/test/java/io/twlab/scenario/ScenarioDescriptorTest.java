package io.twlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.twlab.lab.FieldViolation;
import io.twlab.lab.InvalidArgumentException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioDescriptorTest {
  private final ScenarioDescriptor s1 = new NcTimeWait().descriptor();

  @Test
  void fillsInDefaults() {
    ScenarioParams params = s1.resolve(Map.of("closer", "server"));
    assertEquals("server", params.text("closer"));
    assertEquals(5000, params.integer("port"));
    assertEquals(false, params.bool("wait-expiry"));
  }

  @Test
  void namesEveryBadOrUnknownParameter() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> s1.resolve(Map.of("closer", "both", "port", "80", "wait-expiry", "maybe", "count", "3")));
    assertEquals(4, e.violations().size(), e.violations().toString());
    assertEquals(java.util.Set.of("params[closer]", "params[port]", "params[wait-expiry]", "params[count]"),
        e.violations().stream().map(FieldViolation::field).collect(java.util.stream.Collectors.toSet()));
  }
}
