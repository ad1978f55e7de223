package io.twlab.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.Caller;
import io.twlab.lab.LabRequest;
import io.twlab.lab.LabSpec;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.RuntimeFailure;
import io.twlab.sysctl.SysctlPolicy;
import io.twlab.testing.FakeEngine;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the service does when the engine fails, checked on an in-memory engine: these tests claim
 * bookkeeping, not TCP behaviour (the integration tests cover that on the real kernel).
 */
class LabsFailureTest {
  private static final Caller DEVELOPER = Caller.admin("developer");

  @Test
  void aLabThatFailsHalfwayIsRemovedBeforeTheErrorIsReturned() {
    FakeEngine engine = new FakeEngine().failingNode("server");
    Labs labs = new Labs(engine, ServerSettings.defaults(), ServerLimits.DEFAULT, new SysctlPolicy(), Clock.systemUTC());

    RuntimeFailure failure = assertThrows(RuntimeFailure.class,
        () -> labs.create(DEVELOPER, new LabRequest("nat", 2, "", Map.of(), null)));

    assertTrue(failure.getMessage().contains("server"), failure.getMessage());
    assertTrue(engine.started().size() >= 3, "the failure should come after some nodes were made: " + engine.started());
    assertEquals(Set.of(), engine.objects(), "left behind: " + engine.objects());
    assertEquals(List.of(), labs.list(DEVELOPER));
  }

  @Test
  void startRefusesMissingLabImagesAndSaysHowToBuildThem() {
    FakeEngine engine = new FakeEngine().withoutImages();
    Labs labs = new Labs(engine, ServerSettings.defaults(), ServerLimits.DEFAULT, new SysctlPolicy(), Clock.systemUTC());

    IllegalStateException e = assertThrows(IllegalStateException.class, labs::start);
    assertTrue(e.getMessage().contains("lab-images/build.sh"), e.getMessage());
  }

  @Test
  void aNodeWhosePortRangeCoversThePortOfTheEnginesDnsIsMadeAgain() {
    FakeEngine engine = new FakeEngine().dnsListenersOn(40057, 40000, 45000);

    provision(engine, "40000 40099");

    assertEquals(3, engine.started().stream().filter(name -> name.endsWith("-client")).count(), engine.started().toString());
    assertEquals(1, engine.started().stream().filter(name -> name.endsWith("-server")).count(), engine.started().toString());
    assertEquals(List.of(), engine.unusedDnsPorts(), "the third client's DNS port 45000 is outside its range and is kept");
    assertEquals(2, engine.objects().stream().filter(name -> !name.endsWith("-net")).count(), engine.objects().toString());
  }

  @Test
  void aPortRangeCoveringMostOfTheDefaultOneIsNotRetriedForOnePort() {
    FakeEngine engine = new FakeEngine().dnsListenersOn(40057);

    provision(engine, "20000 60999");

    assertEquals(1, engine.started().stream().filter(name -> name.endsWith("-client")).count(), engine.started().toString());
  }

  private static void provision(LabRuntime engine, String clientPortRange) {
    SysctlPolicy policy = new SysctlPolicy();
    LabSpec spec = new LabRequest("direct", 1, "",
        Map.of("client", Map.of("net.ipv4.ip_local_port_range", clientPortRange)), null).validate(policy);
    new LabProvisioner(engine, ServerSettings.defaults(), policy).create("lab-1", DEVELOPER.self(), spec, Instant.now());
  }
}
