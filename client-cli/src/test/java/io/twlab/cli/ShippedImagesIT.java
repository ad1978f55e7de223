package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The artifacts users run, tested as they run them: the server and CLI images that
 * docker-compose.yml builds (from the jars this build packaged), the server with the Docker
 * socket and authentication on, S1 run through the CLI image with the admin's token.
 */
class ShippedImagesIT {
  private static final String SERVER_IMAGE = "twlab/control-plane:dev";
  private static final String CLI_IMAGE = "twlab/cli:dev";
  private final String owner = "twlab-tc-" + UUID.randomUUID().toString().substring(0, 8);

  @Test
  void theCliImageRunsS1AgainstTheServerImage() throws Exception {
    build(SERVER_IMAGE, "../server");
    build(CLI_IMAGE, ".");
    try (Network network = Network.newNetwork();
        GenericContainer<?> server = new GenericContainer<>(DockerImageName.parse(SERVER_IMAGE))
            .withNetwork(network).withNetworkAliases("server")
            .withFileSystemBind("/var/run/docker.sock", "/var/run/docker.sock")
            .withEnv("TWLAB_OWNER", owner).withEnv("TWLAB_DATA_DIR", "/var/lib/twlab")
            // Its HTTP API answers only the host names it serves: it says when it listens.
            .waitingFor(Wait.forLogMessage(".*twlab listening on.*", 1).withStartupTimeout(Duration.ofSeconds(120)))) {
      server.start();
      String token = server.copyFileFromContainer("/var/lib/twlab/admin.token",
          in -> new String(in.readAllBytes(), StandardCharsets.UTF_8)).trim();
      String out = cli(network, token, "run", "nc-timewait", "--watch");
      assertTrue(out.contains("TIME_WAIT"), out);
      assertTrue(out.contains("FIN_WAIT2"), out);

      // Both images come from one build: each names its version, the same one.
      String versions = cli(network, token, "version");
      Matcher matched = Pattern.compile("(?s)client\\s+twlab (\\S+)\\s+server\\s+twlab-server (\\S+) at server:9090.*")
          .matcher(versions);
      assertTrue(matched.matches(), versions);
      assertEquals(matched.group(1), matched.group(2), versions);
      assertNotEquals("dev", matched.group(2), "the shipped server knows its version: " + versions);
    }
  }

  /** Runs the CLI image with {@code args} against the server; what it printed, once it exited 0. */
  private static String cli(Network network, String token, String... args) {
    try (GenericContainer<?> cli = new GenericContainer<>(DockerImageName.parse(CLI_IMAGE))
        .withNetwork(network)
        .withEnv("TWLAB_SERVER", "server:9090").withEnv("TWLAB_INSECURE", "true")
        .withEnv("TWLAB_TOKEN", token)
        .withCommand(args)
        .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(180)))) {
      cli.start();
      String out = cli.getLogs();
      assertEquals(0L, cli.getCurrentContainerInfo().getState().getExitCodeLong(), out);
      return out;
    }
  }

  /** Builds an image as docker-compose.yml does: the module's Dockerfile on its packaged jar. */
  private static void build(String image, String context) throws IOException, InterruptedException {
    docker("build", "-q", "-t", image, context);
  }

  /** What a stopped test leaves: the labs the server made, its observer and its lock. */
  @AfterEach
  void removeLeftovers() throws Exception {
    for (String label : List.of("io.twlab.owner=", "io.twlab.tracer=", "io.twlab.lock=")) {
      for (String container : docker("ps", "-aq", "--filter", "label=" + label + owner)) {
        docker("rm", "-f", container);
      }
    }
    for (String net : docker("network", "ls", "-q", "--filter", "label=io.twlab.owner=" + owner)) {
      docker("network", "rm", net);
    }
  }

  private static List<String> docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(600, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("docker " + String.join(" ", args) + " failed: " + out);
    }
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
