package io.twlab.app;

import io.twlab.core.ExecResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.lab.LabRequest;
import io.twlab.lab.LabSpec;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.RuntimeFailure;
import io.twlab.scenario.ScenarioCatalog;
import io.twlab.store.RunStore;
import io.twlab.store.SqliteRunStore;
import io.twlab.sysctl.SysctlPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the service does when the engine fails, checked on an in-memory engine: these tests claim
 * bookkeeping, not TCP behaviour (the integration tests cover that on the real kernel).
 */
class LabServiceFailureTest {
  @TempDir
  Path dataDir;
  private RunStore history;

  @BeforeEach
  void openHistory() {
    history = SqliteRunStore.open(dataDir, 10);
  }

  @AfterEach
  void closeHistory() {
    history.close();
  }

  @Test
  void aLabThatFailsHalfwayIsRemovedBeforeTheErrorIsReturned() {
    InMemoryEngine engine = new InMemoryEngine("server");
    LabService service = new LabService(engine, ServerSettings.defaults(), ScenarioCatalog.builtIn(), history,
        Clock.systemUTC());

    RuntimeFailure failure = assertThrows(RuntimeFailure.class,
        () -> service.createLab(new LabRequest("nat", 2, "", Map.of(), null)));

    assertTrue(failure.getMessage().contains("server"), failure.getMessage());
    assertTrue(engine.started.size() >= 3, "the failure should come after some nodes were made: " + engine.started);
    assertEquals(Set.of(), engine.objects, "left behind: " + engine.objects);
    assertEquals(List.of(), service.listLabs());
  }

  @Test
  void startRefusesMissingLabImagesAndSaysHowToBuildThem() {
    InMemoryEngine engine = new InMemoryEngine(null);
    engine.images = false;
    LabService service = new LabService(engine, ServerSettings.defaults(), ScenarioCatalog.builtIn(), history,
        Clock.systemUTC());

    IllegalStateException e = assertThrows(IllegalStateException.class, service::start);
    assertTrue(e.getMessage().contains("lab-images/build.sh"), e.getMessage());
  }

  @Test
  void aNodeWhosePortRangeCoversThePortOfTheEnginesDnsIsMadeAgain() {
    InMemoryEngine engine = new InMemoryEngine(null);
    engine.dnsPorts.addAll(List.of(40057, 40000, 45000));

    provision(engine, "40000 40099");

    assertEquals(3, engine.started.stream().filter(name -> name.endsWith("-client")).count(), engine.started.toString());
    assertEquals(1, engine.started.stream().filter(name -> name.endsWith("-server")).count(), engine.started.toString());
    assertEquals(List.of(), engine.dnsPorts, "the third client's DNS port 45000 is outside its range and is kept");
    assertEquals(2, engine.objects.stream().filter(name -> !name.endsWith("-net")).count(), engine.objects.toString());
  }

  @Test
  void aPortRangeCoveringMostOfTheDefaultOneIsNotRetriedForOnePort() {
    InMemoryEngine engine = new InMemoryEngine(null);
    engine.dnsPorts.add(40057);

    provision(engine, "20000 60999");

    assertEquals(1, engine.started.stream().filter(name -> name.endsWith("-client")).count(), engine.started.toString());
  }

  private static void provision(LabRuntime engine, String clientPortRange) {
    SysctlPolicy policy = new SysctlPolicy();
    LabSpec spec = new LabRequest("direct", 1, "",
        Map.of("client", Map.of("net.ipv4.ip_local_port_range", clientPortRange)), null).validate(policy);
    new LabProvisioner(engine, ServerSettings.defaults(), policy).create("lab-1", spec, Instant.now());
  }

  /**
   * Networks and containers as names; starting the container of node {@code failingNode} fails.
   * {@code ss} in a container shows Docker's DNS listener on the next of {@code dnsPorts}.
   */
  private static final class InMemoryEngine implements LabRuntime {
    final Set<String> objects = new HashSet<>();
    final List<String> started = new ArrayList<>();
    final List<Integer> dnsPorts = new ArrayList<>();
    final String failingNode;
    boolean images = true;

    InMemoryEngine(String failingNode) {
      this.failingNode = failingNode;
    }

    @Override
    public boolean imageExists(String image) {
      return images;
    }

    @Override
    public Set<String> usedSubnets() {
      return Set.of();
    }

    @Override
    public String createNetwork(String name, String subnet, Map<String, String> labels) {
      objects.add(name);
      return name;
    }

    @Override
    public String startContainer(ContainerRequest request) {
      if (request.name().endsWith("-" + failingNode)) {
        throw new RuntimeFailure("cannot start container " + request.name() + ": engine said no");
      }
      objects.add(request.name());
      started.add(request.name());
      return request.name();
    }

    @Override
    public Map<String, String> addresses(String containerId) {
      return Map.of();
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, Duration timeout, Consumer<String> lines) {
      if (command.get(0).equals("ss") && !dnsPorts.isEmpty()) {
        return new ExecResult(0, "LISTEN 0      4096   127.0.0.11:" + dnsPorts.remove(0) + " 0.0.0.0:*\n", "");
      }
      return new ExecResult(0, "", "");
    }

    @Override
    public void execDetached(String containerId, List<String> command) {}

    @Override
    public void removeContainer(String containerId) {
      objects.remove(containerId);
    }

    @Override
    public ExecStream execStream(String containerId, List<String> command, Consumer<String> lines) {
      return () -> {};
    }

    @Override
    public List<ContainerInfo> containers(String labelKey, String labelValue) {
      return List.of();
    }

    @Override
    public List<NetworkInfo> networks(String labelKey, String labelValue) {
      return List.of();
    }

    @Override
    public int removeLabelled(String labelKey, String labelValue) {
      int before = objects.size();
      objects.removeIf(name -> name.startsWith("twlab-" + labelValue + "-"));
      return before - objects.size();
    }

    @Override
    public void close() {}
  }
}
