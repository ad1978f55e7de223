package io.twlab.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.app.ServerLimits;
import io.twlab.runtime.Confinement;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

  @Test
  void flagsWinOverEnvironmentWhichWinsOverDefaults() {
    assertEquals(new ServerConfig(9090, 8080, "twlab").withAccess("0.0.0.0", true),
        ServerConfig.from(new String[0], Map.of()));
    assertEquals(new ServerConfig(7000, 7001, "ws").withAccess("0.0.0.0", true), ServerConfig.from(new String[0],
        Map.of("TWLAB_GRPC_PORT", "7000", "TWLAB_HTTP_PORT", "7001", "TWLAB_OWNER", "ws")));
    assertEquals(new ServerConfig(1, 2, "ws").withAccess("0.0.0.0", true), ServerConfig.from(
        new String[] {"--grpc-port", "1", "--http-port=2"}, Map.of("TWLAB_GRPC_PORT", "7000", "TWLAB_OWNER", "ws")));
  }

  @Test
  void authenticationCanOnlyBeOffOnLoopback() {
    IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.from(new String[] {"--auth", "off"}, Map.of()));
    assertTrue(open.getMessage().startsWith("--auth off is only allowed with --bind 127.0.0.1"), open.getMessage());
    assertEquals(new ServerConfig(9090, 8080, "twlab"),
        ServerConfig.from(new String[] {"--bind", "127.0.0.1"}, Map.of("TWLAB_AUTH", "off")));
  }

  @Test
  void badPortsAndUnknownFlagsAreRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.from(new String[] {"--grpc-port", "99999"}, Map.of()));
    assertEquals("--grpc-port must be a port number (0-65535), got '99999'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ServerConfig.from(new String[] {"--verbose"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> ServerConfig.from(new String[0], Map.of("TWLAB_HTTP_PORT", "x")));
    IllegalArgumentException retention = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.from(new String[] {"--event-retention", "10"}, Map.of()));
    assertEquals("--event-retention must be a number of events per lab (1000-10000000), got '10'", retention.getMessage());
  }

  @Test
  void nodeLimitsTlsAndPublicHostsComeFromFlagsOrTheEnvironment(@TempDir Path dir) throws Exception {
    ServerConfig defaults = ServerConfig.from(new String[0], Map.of());
    assertEquals(new Confinement(64 * Confinement.MIB, 256, 1, Set.of(), false), defaults.nodes());
    assertEquals(List.of("localhost", "127.0.0.1", "[::1]"), defaults.allowedHosts());
    assertEquals(Optional.empty(), defaults.tls());

    Path cert = Files.writeString(dir.resolve("server.pem"), "");
    Path key = Files.writeString(dir.resolve("server.key"), "");
    ServerConfig workshop = ServerConfig.from(new String[] {"--node-memory", "128", "--node-pids=512",
        "--tls-cert", cert.toString(), "--bind", "10.0.0.5"}, Map.of("TWLAB_NODE_CPUS", "2",
        "TWLAB_TLS_KEY", key.toString(), "TWLAB_PUBLIC_HOST", "lab.example.org,192.0.2.7"));
    assertEquals(new Confinement(128 * Confinement.MIB, 512, 2, Set.of(), false), workshop.nodes());
    assertEquals(Optional.of(new TlsFiles(cert, key)), workshop.tls());
    assertEquals(List.of("localhost", "127.0.0.1", "[::1]", "10.0.0.5", "lab.example.org", "192.0.2.7"),
        workshop.allowedHosts());

    IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.from(new String[] {"--tls-cert", cert.toString()}, Map.of()));
    assertEquals("--tls-key (TWLAB_TLS_KEY) is missing: TLS needs both --tls-cert and --tls-key", half.getMessage());
    IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.from(new String[] {"--node-memory", "4"}, Map.of()));
    assertEquals("--node-memory must be a memory size in MiB (16-16384), got '4'", tiny.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ServerConfig.from(
        new String[] {"--tls-cert", dir.resolve("nope.pem").toString(), "--tls-key", key.toString()}, Map.of()));
    assertTrue(missing.getMessage().startsWith("cannot read " + dir.resolve("nope.pem")), missing.getMessage());
  }

  @Test
  void gradingConcurrencyIsFittedToTheHostUnlessChosen() {
    assertEquals(ServerLimits.gradingFittedToHost(), ServerConfig.from(new String[0], Map.of()).limits().grading());
    assertEquals(3, ServerConfig.from(new String[] {"--grading-jobs", "3"}, Map.of()).limits().grading());
    assertEquals(5, ServerConfig.from(new String[0], Map.of("TWLAB_GRADING_JOBS", "5")).limits().grading());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.from(new String[] {"--grading-jobs", "0"}, Map.of()));
    assertEquals("--grading-jobs must be a number of submissions graded at once (1-32), got '0'", zero.getMessage());
  }

  @Test
  void eventRetentionComesFromTheFlagOrTheEnvironment() {
    assertEquals(100_000, ServerConfig.from(new String[0], Map.of()).eventRetention());
    assertEquals(5_000, ServerConfig.from(new String[0], Map.of("TWLAB_EVENT_RETENTION", "5000")).eventRetention());
    assertEquals(2_000, ServerConfig.from(new String[] {"--event-retention=2000"},
        Map.of("TWLAB_EVENT_RETENTION", "5000")).eventRetention());
  }

  @Test
  void historyGoesToTheDataDirectory() {
    ServerConfig defaults = ServerConfig.from(new String[0], Map.of());
    assertEquals(ServerConfig.DEFAULT_DATA_DIR, defaults.dataDir());
    assertEquals(10_000, defaults.historyRuns());
    ServerConfig set = ServerConfig.from(new String[] {"--data-dir", "/srv/twlab", "--history-runs=50"},
        Map.of("TWLAB_DATA_DIR", "/var/lib/twlab", "TWLAB_HISTORY_RUNS", "7"));
    assertEquals(Path.of("/srv/twlab"), set.dataDir());
    assertEquals(50, set.historyRuns());
    assertEquals(Path.of("/var/lib/twlab"), ServerConfig.from(new String[0], Map.of("TWLAB_DATA_DIR", "/var/lib/twlab"))
        .dataDir());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerConfig.from(new String[] {"--history-runs", "0"}, Map.of()));
    assertEquals("--history-runs must be a number of runs to keep (1-1000000), got '0'", e.getMessage());
  }

  @Test
  void tracerIsOnUnlessTurnedOff() {
    assertTrue(ServerConfig.from(new String[0], Map.of()).tracer());
    assertFalse(ServerConfig.from(new String[0], Map.of("TWLAB_TRACER", "off")).tracer());
    assertEquals("my/tracer:1", ServerConfig.from(new String[] {"--tracer-image", "my/tracer:1"}, Map.of()).tracerImage());
    assertThrows(IllegalArgumentException.class, () -> ServerConfig.from(new String[] {"--tracer", "maybe"}, Map.of()));
  }

  @Test
  void helpListsEveryOptionWithItsEnvironmentVariableAndStartsNothing() {
    StringWriter out = new StringWriter();

    Optional<ServerConfig> config = ServerConfig.parse(new String[] {"--help"}, Map.of(), new PrintWriter(out, true));

    assertTrue(config.isEmpty());
    for (String option : List.of("--grpc-port", "--http-port", "--owner", "--event-retention", "--tracer",
        "--tracer-image", "--data-dir", "--history-runs")) {
      assertTrue(out.toString().contains(option), option + " missing from:\n" + out);
    }
    assertTrue(out.toString().contains("TWLAB_GRPC_PORT"), out.toString());
  }
}
