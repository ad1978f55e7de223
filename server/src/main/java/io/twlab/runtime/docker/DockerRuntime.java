package io.twlab.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.ExecStartCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.api.model.WaitResponse;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.twlab.core.ExecResult;
import io.twlab.runtime.Confinement;
import io.twlab.runtime.ContainerGone;
import io.twlab.runtime.EngineCall;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerInfo;
import io.twlab.runtime.LabRuntime.ContainerRequest;
import io.twlab.runtime.LabRuntime.ExecChannel;
import io.twlab.runtime.LabRuntime.ExecStream;
import io.twlab.runtime.LabRuntime.NetworkInfo;
import io.twlab.runtime.LabRuntime.Terminal;
import io.twlab.runtime.LabRuntime.TerminalRequest;
import io.twlab.runtime.RuntimeFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link LabRuntime} on a Docker engine through docker-java. */
public final class DockerRuntime implements LabRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(DockerRuntime.class);
  private static final String PID_MARK = "twlab-pid ";
  /**
   * The bridge gets no IPv4 address: the network's gateway address answers nothing, so a node has
   * no way to the host's own services (the control plane among them) even with NET_ADMIN.
   */
  private static final Map<String, String> NO_HOST_ADDRESS = Map.of("com.docker.network.bridge.inhibit_ipv4", "true");

  /** How long a terminal's last output may trail its container's exit. */
  private static final Duration LAST_OUTPUT = Duration.ofMillis(300);
  /** A program's output is kept for its last lines only: one file of 1 MB, whatever it prints. */
  private static final Map<String, String> PROGRAM_LOG = Map.of("max-size", "1m", "max-file", "1");
  private static final int MAX_LOG_CHARS = 4096;
  /** A busy engine on two cores answers in seconds; one that takes a minute is stuck. */
  private static final Duration DEFAULT_CALL_BOUND = Duration.ofSeconds(60);

  private final DockerClient docker;
  private final TimedHttpClient http;

  private final Duration callBound;

  private DockerRuntime(DockerClient docker, TimedHttpClient http, Duration callBound) {
    this.docker = docker;
    this.http = http;
    this.callBound = callBound;
  }

  /** Connects to the engine named by DOCKER_HOST, or the local socket, bounding its calls to a minute. */
  public static DockerRuntime connect() {
    return connect(DEFAULT_CALL_BOUND);
  }

  /**
   * Connects to the engine named by DOCKER_HOST, or the local socket. A call the engine has not
   * answered after {@code callBound} fails (streams excepted: see {@link BoundedHttpClient}).
   */
  public static DockerRuntime connect(Duration callBound) {
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    TimedHttpClient http = new TimedHttpClient(new BoundedHttpClient(new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(512)
        .connectionTimeout(Duration.ofSeconds(10))
        .build(), callBound));
    DockerClient client = DockerClientImpl.getInstance(config, http);
    try {
      client.pingCmd().exec();
    } catch (RuntimeException e) {
      throw new RuntimeFailure("cannot reach the Docker engine at " + config.getDockerHost()
          + ": start dockerd (or run .ci/setup) and retry", e);
    }
    return new DockerRuntime(client, http, callBound);
  }

  @Override
  public List<EngineCall> engineCalls() {
    return http.calls();
  }

  @Override
  public boolean imageExists(String image) {
    try {
      docker.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  @Override
  public Set<String> usedSubnets() {
    Set<String> subnets = new HashSet<>();
    for (Network network : docker.listNetworksCmd().exec()) {
      if (network.getIpam() != null && network.getIpam().getConfig() != null) {
        network.getIpam().getConfig().stream().map(Network.Ipam.Config::getSubnet)
            .filter(Objects::nonNull).forEach(subnets::add);
      }
    }
    return subnets;
  }

  @Override
  public String createNetwork(String name, String subnet, Map<String, String> labels) {
    try {
      return docker.createNetworkCmd()
          .withName(name)
          .withDriver("bridge")
          .withInternal(true)
          .withOptions(NO_HOST_ADDRESS)
          .withCheckDuplicate(true)
          .withLabels(labels)
          .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(subnet)))
          .exec()
          .getId();
    } catch (DockerException e) {
      throw new RuntimeFailure("cannot create network " + name + " (" + subnet + "): " + e.getMessage(), e);
    }
  }

  @Override
  public String startContainer(ContainerRequest request) {
    HostConfig host = confined(HostConfig.newHostConfig(), request.confinement())
        .withNetworkMode(request.networks().get(0))
        .withSysctls(request.sysctls());
    if (request.hostProcesses()) {
      host = host.withPidMode("host");
    }
    List<String> env = request.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    try (CreateContainerCmd create = docker.createContainerCmd(request.image())) {
      String id = create
          .withName(request.name())
          .withHostName(request.labels().getOrDefault("io.twlab.node", request.name()))
          .withLabels(request.labels())
          .withEnv(env)
          .withCmd(request.command())
          .withHostConfig(host)
          .exec()
          .getId();
      for (String network : request.networks().subList(1, request.networks().size())) {
        docker.connectToNetworkCmd().withContainerId(id).withNetworkId(network).exec();
      }
      docker.startContainerCmd(id).exec();
      return id;
    } catch (DockerException e) {
      throw new RuntimeFailure("cannot start container " + request.name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String startProgram(ProgramRequest request) {
    String id;
    try (CreateContainerCmd create = joining(request.image(), request.name(), request.joins(), request.labels(),
        request.env(), request.user(), request.command(), request.confinement(),
        new LogConfig(LogConfig.LoggingType.JSON_FILE, PROGRAM_LOG))) {
      id = create
          .withVolumes(new Volume(request.directory()))
          .exec()
          .getId();
    } catch (DockerException e) {
      throw new RuntimeFailure("cannot create the program container " + request.name() + ": " + e.getMessage(), e);
    }
    try {
      // The root is read-only; the directory is a volume of the container's own, so the engine
      // takes the files there before the program starts (and removes them with the container).
      docker.copyArchiveToContainerCmd(id).withRemotePath(request.directory())
          .withTarInputStream(new java.io.ByteArrayInputStream(tar(request.files()))).exec();
      docker.startContainerCmd(id).exec();
      return id;
    } catch (DockerException e) {
      removeContainer(id);
      throw new RuntimeFailure("cannot start the program container " + request.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The engine never half-closes an attached input, so a script's shell would wait for more input
   * for ever: without a terminal, its input goes through this relay, which ends it at a line only
   * the server knows ($0) and hands the rest to the command.
   */
  private static final String INPUT_RELAY =
      "while IFS= read -r line || [ -n \"$line\" ]; do [ \"$line\" = \"$0\" ] && break; printf '%s\\n' \"$line\";"
      + " done | \"$@\"";

  @Override
  public Terminal startTerminal(TerminalRequest request, Consumer<byte[]> output, IntConsumer ended) {
    String endOfInput = "twlab-end-of-input-" + java.util.UUID.randomUUID();
    List<String> command = new ArrayList<>(request.command());
    if (!request.tty()) {
      command.addAll(0, List.of("/bin/bash", "-c", INPUT_RELAY, endOfInput));
    }
    String id;
    // What is typed and printed in a shell is the student's: no log keeps it.
    try (CreateContainerCmd create = joining(request.image(), request.name(), request.joins(), request.labels(),
        request.env(), request.user(), command, request.confinement(), new LogConfig(LogConfig.LoggingType.NONE))) {
      id = create
          .withTty(request.tty())
          .withStdinOpen(true)
          // The end of the client's input is the end of the shell's: a script's last line ran.
          .withStdInOnce(true)
          .withAttachStdin(true)
          .withAttachStdout(true)
          .withAttachStderr(true)
          .exec()
          .getId();
    } catch (DockerException e) {
      throw new RuntimeFailure("cannot create the terminal container " + request.name() + ": " + e.getMessage(), e);
    }
    QueuedInput input = new QueuedInput();
    AtomicBoolean closed = new AtomicBoolean();
    AtomicBoolean reported = new AtomicBoolean();
    IntConsumer end = exit -> {
      if (reported.compareAndSet(false, true)) {
        ended.accept(closed.get() ? -1 : exit);
      }
    };
    ResultCallback.Adapter<Frame> attached = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        output.accept(frame.getPayload());
      }
    };
    try {
      docker.attachContainerCmd(id).withStdIn(input).withStdOut(true).withStdErr(true).withFollowStream(true)
          .exec(attached).awaitStarted(10, TimeUnit.SECONDS);
      docker.startContainerCmd(id).exec();
      // The attached stream outlives the shell while its input is held open: the container's exit
      // ends the terminal, once what it printed last has had a moment to arrive. Not on the
      // engine's callback thread, which its stream's close has interrupted.
      docker.waitContainerCmd(id).exec(new ResultCallback.Adapter<WaitResponse>() {
        private volatile int exit = -1;

        @Override
        public void onNext(WaitResponse response) {
          exit = response.getStatusCode() == null ? -1 : response.getStatusCode();
        }

        @Override
        public void onComplete() {
          ended(exit);
          super.onComplete();
        }

        /** The container was removed (its lab was deleted) or the engine went away. */
        @Override
        public void onError(Throwable failure) {
          ended(-1);
          super.onError(failure);
        }

        private void ended(int status) {
          LOG.debug("terminal {} ended with status {}", request.name(), status);
          Thread ending = new Thread(() -> {
            try {
              attached.awaitCompletion(LAST_OUTPUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            end.accept(status);
          }, "twlab-terminal-end");
          ending.setDaemon(true);
          ending.start();
        }
      });
    } catch (DockerException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      closeQuietly(attached);
      removeContainer(id);
      throw new RuntimeFailure("cannot start the terminal container " + request.name() + ": " + e.getMessage(), e);
    }
    Terminal terminal = new Terminal() {
      @Override
      public boolean write(byte[] bytes) {
        return input.offer(bytes);
      }

      @Override
      public void endInput() {
        if (!request.tty()) {
          input.offer(("\n" + endOfInput + "\n").getBytes(StandardCharsets.UTF_8));
        }
        input.end();
      }

      @Override
      public void resize(int columns, int rows) {
        if (!request.tty()) {
          return;
        }
        try {
          docker.resizeContainerCmd(id).withSize(rows, columns).exec();
        } catch (DockerException e) {
          LOG.debug("terminal {} not resized: {}", request.name(), e.getMessage());
        }
      }

      @Override
      public void close() {
        if (closed.compareAndSet(false, true)) {
          input.end();
          removeContainer(id);
          closeQuietly(attached);
          end.accept(-1);
        }
      }
    };
    terminal.resize(request.columns(), request.rows());
    return terminal;
  }

  private static void closeQuietly(ResultCallback.Adapter<Frame> callback) {
    try {
      callback.close();
    } catch (IOException e) {
      LOG.debug("closing an attached stream: {}", e.getMessage());
    }
  }

  /**
   * A container to create that shares the network namespace of {@code joins} and nothing else of
   * it, and runs {@code command} as {@code user} from the scratch directory, confined.
   */
  private CreateContainerCmd joining(String image, String name, String joins, Map<String, String> labels,
      Map<String, String> env, String user, List<String> command, Confinement confinement, LogConfig log) {
    HostConfig host = confined(HostConfig.newHostConfig(), confinement)
        .withNetworkMode("container:" + joins)
        .withLogConfig(log);
    return docker.createContainerCmd(image)
        .withName(name)
        .withLabels(labels)
        .withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
        .withUser(user)
        .withWorkingDir(Confinement.SCRATCH)
        .withEntrypoint(command)
        .withCmd(List.of())
        .withHostConfig(host);
  }

  /** Root's files, readable and executable by everyone, writable by no one. */
  private static byte[] tar(Map<String, byte[]> files) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        entry.setMode(0100555);
        entry.setIds(0, 0);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public ContainerState state(String containerId) {
    try {
      InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(containerId).exec().getState();
      Long exit = state.getExitCodeLong();
      return new ContainerState(Boolean.TRUE.equals(state.getRunning()), exit == null ? -1 : exit.intValue(),
          Boolean.TRUE.equals(state.getOOMKilled()));
    } catch (NotFoundException e) {
      throw new ContainerGone(containerId, e);
    }
  }

  @Override
  public String logs(String containerId, int lines) {
    StringBuilder out = new StringBuilder();
    try (ResultCallback.Adapter<Frame> callback = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
        .withTail(lines).exec(new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Frame frame) {
            if (out.length() < MAX_LOG_CHARS) {
              out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
          }
        })) {
      callback.awaitCompletion(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | DockerException e) {
      LOG.debug("logs of {}: {}", containerId, e.getMessage());
    }
    return out.length() > MAX_LOG_CHARS ? out.substring(out.length() - MAX_LOG_CHARS) : out.toString();
  }

  @Override
  public void kill(String containerId) {
    try {
      docker.killContainerCmd(containerId).exec();
    } catch (NotFoundException | com.github.dockerjava.api.exception.ConflictException e) {
      LOG.debug("container {} no longer runs: {}", containerId, e.getMessage());
    }
  }

  private static HostConfig confined(HostConfig host, Confinement confinement) {
    HostConfig confined = host
        .withMemory(confinement.memoryBytes())
        .withMemorySwap(confinement.memoryBytes())
        .withPidsLimit(confinement.pids())
        .withNanoCPUs(Math.round(confinement.cpus() * 1e9))
        .withCapDrop(Capability.ALL)
        .withCapAdd(confinement.capabilities().stream().map(Capability::valueOf).toArray(Capability[]::new))
        .withSecurityOpts(List.of("no-new-privileges"));
    return confinement.readOnlyRoot()
        ? confined.withReadonlyRootfs(true).withTmpFs(Map.of(Confinement.SCRATCH,
            "rw,noexec,nosuid,size=" + Confinement.SCRATCH_BYTES))
        : confined;
  }

  @Override
  public long pid(String containerId) {
    try {
      Long pid = docker.inspectContainerCmd(containerId).exec().getState().getPidLong();
      if (pid == null || pid <= 0) {
        throw new RuntimeFailure("container " + containerId + " does not run");
      }
      return pid;
    } catch (DockerException e) {
      throw new RuntimeFailure("cannot inspect container " + containerId + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, String> addresses(String containerId) {
    Map<String, ContainerNetwork> networks =
        docker.inspectContainerCmd(containerId).exec().getNetworkSettings().getNetworks();
    Map<String, String> addresses = new LinkedHashMap<>();
    networks.forEach((name, network) -> addresses.put(name, network.getIpAddress()));
    return addresses;
  }

  @Override
  public ExecResult exec(String containerId, List<String> command, Duration timeout, Consumer<String> lines) {
    List<String> bounded = new ArrayList<>(List.of("timeout", "-s", "KILL", String.valueOf(Math.max(1, timeout.toSeconds()))));
    bounded.addAll(command);
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    String execId = createExec(containerId, bounded, false);
    LineSplitter splitter = new LineSplitter(lines);
    try (ResultCallback.Adapter<Frame> callback = docker.execStartCmd(execId).exec(new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        if (frame.getStreamType() == StreamType.STDERR) {
          err.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        } else {
          out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
          splitter.accept(frame.getPayload());
        }
      }
    })) {
      if (!callback.awaitCompletion(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
        throw new RuntimeFailure("command did not finish within " + timeout + ": " + String.join(" ", command));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("interrupted while running " + String.join(" ", command), e);
    } catch (IOException e) {
      throw new RuntimeFailure("exec stream failed: " + e.getMessage(), e);
    }
    Long exit;
    try {
      exit = docker.inspectExecCmd(execId).exec().getExitCodeLong();
    } catch (NotFoundException e) {
      // Its container was removed while it ran (the lab deleted under a run): the engine forgot the exec.
      throw new RuntimeFailure("the container went away while running " + String.join(" ", command), e);
    }
    return new ExecResult(exit == null ? -1 : exit.intValue(), out.toString(), err.toString());
  }

  @Override
  public void execDetached(String containerId, List<String> command) {
    String execId = createExec(containerId, command, false);
    try {
      // A detached start answers at once; it goes the way of the streams, unbounded by the client.
      if (!docker.execStartCmd(execId).withDetach(true).exec(new ResultCallback.Adapter<Frame>())
          .awaitCompletion(callBound.toMillis(), TimeUnit.MILLISECONDS)) {
        throw BoundedHttpClient.unanswered("start " + String.join(" ", command), callBound, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("interrupted while starting " + String.join(" ", command), e);
    }
  }

  @Override
  public ExecStream execStream(String containerId, List<String> command, Consumer<String> lines) {
    LineSplitter splitter = new LineSplitter(lines);
    return execBytes(containerId, command, splitter::accept, line -> { }, () -> { });
  }

  @Override
  public ExecChannel execChannel(String containerId, List<String> command, Consumer<String> lines, Runnable ended) {
    QueuedInput input = new QueuedInput();
    LineSplitter output = new LineSplitter(lines);
    ExecStream stream = exec(containerId, command, output::accept, lines, ended, input);
    return new ExecChannel() {
      @Override
      public boolean send(String line) {
        return input.offer((line + "\n").getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public void close() {
        input.end();
        stream.close();
      }
    };
  }

  @Override
  public ExecStream execBytes(String containerId, List<String> command, Consumer<byte[]> bytes, Consumer<String> errors,
      Runnable ended) {
    return exec(containerId, command, bytes, errors, ended, null);
  }

  /** {@code input}: the command's standard input, null for none. */
  private ExecStream exec(String containerId, List<String> command, Consumer<byte[]> bytes, Consumer<String> errors,
      Runnable ended, QueuedInput input) {
    // The command's PID inside the container is printed first, on standard error, so that close()
    // can stop it: Docker has no call to end an exec.
    List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "echo " + PID_MARK + "$$ >&2; exec \"$@\"", "sh"));
    wrapped.addAll(command);
    AtomicReference<String> pid = new AtomicReference<>();
    LineSplitter errorLines = new LineSplitter(line -> {
      if (pid.get() == null && line.startsWith(PID_MARK)) {
        pid.set(line.substring(PID_MARK.length()).trim());
      } else {
        errors.accept(line);
      }
    });
    ExecStartCmd start = docker.execStartCmd(createExec(containerId, wrapped, input != null));
    if (input != null) {
      start = start.withStdIn(input);
    }
    ResultCallback.Adapter<Frame> callback = start
        .exec(new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Frame frame) {
            if (frame.getStreamType() == StreamType.STDOUT) {
              bytes.accept(frame.getPayload());
            } else if (frame.getStreamType() == StreamType.STDERR) {
              errorLines.accept(frame.getPayload());
            }
          }

          @Override
          public void onComplete() {
            super.onComplete();
            ended.run();
          }

          @Override
          public void onError(Throwable failure) {
            super.onError(failure);
            ended.run();
          }
        });
    return () -> {
      String p = pid.get();
      if (p != null) {
        try {
          execDetached(containerId, List.of("kill", p));
        } catch (RuntimeException e) {
          LOG.debug("stream process {} in {} already gone: {}", p, containerId, e.getMessage());
        }
      }
      try {
        callback.close();
      } catch (IOException e) {
        LOG.debug("closing exec stream: {}", e.getMessage());
      }
    };
  }

  private String createExec(String containerId, List<String> command, boolean input) {
    try {
      return docker.execCreateCmd(containerId)
          .withAttachStdin(input)
          .withAttachStdout(true)
          .withAttachStderr(true)
          .withCmd(command.toArray(String[]::new))
          .exec()
          .getId();
    } catch (DockerException e) {
      throw new RuntimeFailure("cannot exec in container " + containerId + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<ContainerInfo> containers(String labelKey, String labelValue) {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(labelKey, labelValue)).exec()
        .stream()
        .map(c -> new ContainerInfo(c.getId(), c.getNames().length > 0 ? c.getNames()[0].replaceFirst("^/", "") : c.getId(),
            "running".equals(c.getState()), c.getLabels() == null ? Map.of() : c.getLabels()))
        .toList();
  }

  @Override
  public List<NetworkInfo> networks(String labelKey, String labelValue) {
    return docker.listNetworksCmd().withFilter("label", List.of(labelKey + "=" + labelValue)).exec().stream()
        .map(n -> new NetworkInfo(n.getId(), n.getName(),
            n.getIpam() == null || n.getIpam().getConfig() == null || n.getIpam().getConfig().isEmpty()
                ? "" : n.getIpam().getConfig().get(0).getSubnet(),
            n.getLabels() == null ? Map.of() : n.getLabels()))
        .toList();
  }

  @Override
  public void removeContainer(String containerId) {
    try {
      docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      LOG.debug("container {} already removed", containerId);
    } catch (com.github.dockerjava.api.exception.ConflictException e) {
      // A forced removal conflicts only with another one: a lab's removal took a shell's container.
      LOG.debug("container {} is being removed already: {}", containerId, e.getMessage());
    }
  }

  @Override
  public int removeLabelled(String labelKey, String labelValue) {
    int removed = 0;
    for (ContainerInfo container : containers(labelKey, labelValue)) {
      try {
        docker.removeContainerCmd(container.id()).withForce(true).withRemoveVolumes(true).exec();
        removed++;
      } catch (NotFoundException e) {
        LOG.debug("container {} already removed", container.name());
      }
    }
    for (NetworkInfo network : networks(labelKey, labelValue)) {
      try {
        docker.removeNetworkCmd(network.id()).exec();
        removed++;
      } catch (NotFoundException e) {
        LOG.debug("network {} already removed", network.name());
      }
    }
    return removed;
  }

  @Override
  public void close() {
    try {
      docker.close();
    } catch (IOException e) {
      LOG.debug("closing docker client: {}", e.getMessage());
    }
  }
}
