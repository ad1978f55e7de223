package io.twlab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.scenario.builtin.NatCollision;
import io.twlab.scenario.builtin.NcTimeWait;
import io.twlab.scenario.builtin.TwReuse;
import java.util.List;
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

  @Test
  void runNodesFollowTheParameters() {
    TwReuse twReuse = new TwReuse();
    assertEquals(21, twReuse.runNodes(twReuse.descriptor().resolve(Map.of())).size());
    // A control (reuse not allowed) runs once, where reuse would be likeliest: shortest delay, paced.
    assertEquals(List.of("reuse0-ts1-d10-paced", "reuse2-ts1-d10-paced", "reuse0-ts1-d10-paced-lo",
            "reuse2-ts1-d1000-fast-lo", "reuse2-ts1-d1000-paced-lo", "reuse2-ts1-d10-fast-lo", "reuse2-ts1-d10-paced-lo"),
        twReuse.runNodes(twReuse.descriptor().resolve(Map.of("reuse", "0,2", "timestamps", "1"))));
    assertEquals(List.of("reuse0-ts1-d10-fast", "reuse1-ts1-d10-fast"), twReuse.runNodes(twReuse.descriptor().resolve(
        Map.of("reuse", "0,1", "timestamps", "1", "delay-ms", "10", "pace", "fast", "loopback", "false"))));
    NatCollision nat = new NatCollision();
    assertEquals(List.of("nat-ts1-c1", "nat-ts1-c2", "nat-ts1-c3"),
        nat.runNodes(nat.descriptor().resolve(Map.of("timestamps", "1", "clients", "3"))));
    assertEquals(List.of(), new NcTimeWait().runNodes(s1.resolve(Map.of())));
  }
}
