package io.twlab.it;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.twlab.proto.v1.LabServiceGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A twlab server in a JVM of its own, started from the packaged jar as users start it, so that a
 * test can kill it as a crash would (SIGKILL: no shutdown hook runs). Loopback, no authentication.
 */
final class ServerProcess implements AutoCloseable {
  private static final Path JAR = Path.of("target", "twlab-server.jar");
  private static final Pattern LISTENING = Pattern.compile("gRPC port (\\d+), HTTP port (\\d+)");
  private static final long START_LIMIT_MILLIS = 90_000;

  private final Process process;
  private final Path output;
  private final int grpcPort;
  private final ManagedChannel channel;

  private ServerProcess(Process process, Path output, int grpcPort) {
    this.process = process;
    this.output = output;
    this.grpcPort = grpcPort;
    this.channel = Grpc.newChannelBuilderForAddress("localhost", grpcPort, InsecureChannelCredentials.create()).build();
  }

  /** Starts a server of {@code owner} on {@code dataDir} and waits until it listens. */
  static ServerProcess start(String owner, Path dataDir) throws IOException, InterruptedException {
    Path output = Files.createTempFile(owner + "-server", ".log");
    Process process = launch(owner, dataDir, output);
    long deadline = System.currentTimeMillis() + START_LIMIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      Matcher listening = LISTENING.matcher(Files.readString(output));
      if (listening.find()) {
        return new ServerProcess(process, output, Integer.parseInt(listening.group(1)));
      }
      if (!process.isAlive()) {
        throw new AssertionError("the server exited with " + process.exitValue() + ": " + Files.readString(output));
      }
      Thread.sleep(100);
    }
    process.destroyForcibly().waitFor();
    throw new AssertionError("the server did not listen within 90 s: " + Files.readString(output));
  }

  /** Starts a server that is expected to refuse to start: returns its exit code and what it printed. */
  static Refusal startRefused(String owner, Path dataDir) throws IOException, InterruptedException {
    Path output = Files.createTempFile(owner + "-refused", ".log");
    Process process = launch(owner, dataDir, output);
    if (!process.waitFor(START_LIMIT_MILLIS, TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("the server did not refuse to start: " + Files.readString(output));
    }
    Refusal refusal = new Refusal(process.exitValue(), Files.readString(output));
    Files.delete(output);
    return refusal;
  }

  record Refusal(int exitCode, String output) {}

  private static Process launch(String owner, Path dataDir, Path output) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString(), "--owner", owner, "--data-dir", dataDir.toString(), "--auth", "off",
        "--bind", "127.0.0.1", "--grpc-port", "0", "--http-port", "0"));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
  }

  LabServiceGrpc.LabServiceBlockingStub grpc() {
    return LabServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  LabServiceGrpc.LabServiceStub asyncGrpc() {
    return LabServiceGrpc.newStub(channel);
  }

  int grpcPort() {
    return grpcPort;
  }

  String output() throws IOException {
    return Files.readString(output);
  }

  /** SIGKILL, as the OOM killer or a power cut would stop it. */
  void kill() throws InterruptedException {
    channel.shutdownNow();
    process.destroyForcibly().waitFor();
  }

  /** SIGTERM, as `docker stop` sends: the server shuts down gracefully. */
  @Override
  public void close() throws IOException, InterruptedException {
    channel.shutdownNow();
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
    Files.deleteIfExists(output);
  }
}
