package io.twlab.testing;

import io.twlab.core.ExecResult;
import io.twlab.runtime.ContainerGone;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerInfo;
import io.twlab.runtime.LabRuntime.ContainerRequest;
import io.twlab.runtime.LabRuntime.ContainerState;
import io.twlab.runtime.LabRuntime.ExecChannel;
import io.twlab.runtime.LabRuntime.ExecStream;
import io.twlab.runtime.LabRuntime.NetworkInfo;
import io.twlab.runtime.LabRuntime.ProgramRequest;
import io.twlab.runtime.LabRuntime.Terminal;
import io.twlab.runtime.LabRuntime.TerminalRequest;
import io.twlab.runtime.RuntimeFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A container engine in memory, for tests of everything above the engine (bookkeeping, mapping,
 * errors): networks and containers with their labels, each container's sysctls read back as set,
 * and a host observer that reports an empty baseline at once, so that a lab becomes READY. Its
 * labs have no sockets: what the kernel does is for the integration tests on the real engine.
 */
public final class FakeEngine implements LabRuntime {
  private final Map<String, Map<String, String>> networks = new ConcurrentHashMap<>();
  private final Map<String, ContainerRequest> containers = new ConcurrentHashMap<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final List<Integer> dnsPorts = new CopyOnWriteArrayList<>();
  private final AtomicInteger addresses = new AtomicInteger(1);
  private final Set<String> stopped = ConcurrentHashMap.newKeySet();
  private final List<Runnable> openStreams = new CopyOnWriteArrayList<>();
  private final AtomicInteger refusedRemovals = new AtomicInteger();
  private volatile String failingNode;
  private volatile boolean images = true;

  /** Starting the container of node {@code node} (its name ends with "-" + node) fails from now on. */
  public FakeEngine failingNode(String node) {
    this.failingNode = node;
    return this;
  }

  /** The lab images are missing. */
  public FakeEngine withoutImages() {
    this.images = false;
    return this;
  }

  /** {@code ss} in the next containers shows Docker's DNS listener on these ports, one per container. */
  public FakeEngine dnsListenersOn(Integer... ports) {
    dnsPorts.addAll(List.of(ports));
    return this;
  }

  /** Names of every container started, in order, including those removed since. */
  /** The engine restarts: every container stops and every stream into one ends. */
  public void restart() {
    stopped.addAll(containers.keySet());
    openStreams.forEach(Runnable::run);
    openStreams.clear();
  }

  /** The next {@code count} removals fail as the engine's client does on a 500: unchecked, not a RuntimeFailure. */
  public FakeEngine refusingRemovals(int count) {
    refusedRemovals.set(count);
    return this;
  }

  /** The containers running with {@code labelValue} as their {@code labelKey}. */
  public List<String> running(String labelKey, String labelValue) {
    return containers(labelKey, labelValue).stream().filter(ContainerInfo::running).map(ContainerInfo::id).toList();
  }

  public List<String> started() {
    return List.copyOf(started);
  }

  /** Names of the networks and containers that exist now. */
  public Set<String> objects() {
    Set<String> names = new java.util.TreeSet<>(networks.keySet());
    names.addAll(containers.keySet());
    return names;
  }

  public List<Integer> unusedDnsPorts() {
    return List.copyOf(dnsPorts);
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
    Map<String, String> withSubnet = new HashMap<>(labels);
    withSubnet.put(SUBNET, subnet);
    networks.put(name, withSubnet);
    return name;
  }

  @Override
  public String startContainer(ContainerRequest request) {
    if (failingNode != null && request.name().endsWith("-" + failingNode)) {
      throw new RuntimeFailure("cannot start container " + request.name() + ": engine said no");
    }
    containers.put(request.name(), request);
    started.add(request.name());
    return request.name();
  }

  @Override
  public String startProgram(ProgramRequest request) {
    throw new UnsupportedOperationException("the fake engine runs no programs; ProgramGradingIT runs them on Docker");
  }

  @Override
  public Terminal startTerminal(TerminalRequest request, Consumer<byte[]> output, IntConsumer ended) {
    throw new UnsupportedOperationException("the fake engine runs no terminals; ShellIT opens them on Docker");
  }

  @Override
  public ContainerState state(String containerId) {
    if (!containers.containsKey(containerId)) {
      throw new ContainerGone(containerId, null);
    }
    return new ContainerState(!stopped.contains(containerId), -1, false);
  }

  @Override
  public String logs(String containerId, int lines) {
    return "";
  }

  @Override
  public void kill(String containerId) {
    containers.remove(containerId);
  }

  @Override
  public Map<String, String> addresses(String containerId) {
    ContainerRequest request = containers.get(containerId);
    Map<String, String> byNetwork = new HashMap<>();
    if (request != null) {
      request.networks().forEach(n -> byNetwork.put(n, "10.213.0." + addresses.incrementAndGet()));
    }
    return byNetwork;
  }

  @Override
  public ExecResult exec(String containerId, List<String> command, Duration timeout, Consumer<String> lines) {
    if (command.get(0).equals("ss") && !dnsPorts.isEmpty()) {
      return new ExecResult(0, "LISTEN 0      4096   127.0.0.11:" + dnsPorts.remove(0) + " 0.0.0.0:*\n", "");
    }
    if (command.get(0).equals("sysctl")) {
      ContainerRequest request = containers.get(containerId);
      StringBuilder out = new StringBuilder();
      if (request != null) {
        command.stream().skip(2).filter(request.sysctls()::containsKey)
            .forEach(key -> out.append(key).append(" = ").append(request.sysctls().get(key)).append('\n'));
      }
      return new ExecResult(0, out.toString(), "");
    }
    return new ExecResult(0, "", "");
  }

  @Override
  public void execDetached(String containerId, List<String> command) {}

  /** Streams say nothing. */
  @Override
  public ExecStream execStream(String containerId, List<String> command, Consumer<String> lines) {
    return () -> { };
  }

  /** The host observer: it runs, and reports an empty baseline for each node it is told to watch. */
  @Override
  public ExecChannel execChannel(String containerId, List<String> command, Consumer<String> lines, Runnable ended) {
    openStreams.add(ended);
    lines.accept("O 1");
    return new ExecChannel() {
      @Override
      public boolean send(String line) {
        String[] f = line.split(" ");
        if (f[0].equals("+")) {
          // One stream, as the engine's: a batch's lines are never interleaved with another's.
          Thread baseline = new Thread(() -> {
            synchronized (lines) {
              lines.accept("S " + f[1] + " " + System.currentTimeMillis() + " " + System.nanoTime() + " 4026531840");
              lines.accept("E " + System.nanoTime());
            }
          }, "fake-observer");
          baseline.setDaemon(true);
          baseline.start();
        }
        return true;
      }

      @Override
      public void close() {
        if (openStreams.remove(ended)) {
          ended.run();
        }
      }
    };
  }

  @Override
  public long pid(String containerId) {
    return 1;
  }

  @Override
  public ExecStream execBytes(String containerId, List<String> command, Consumer<byte[]> bytes,
      Consumer<String> errors, Runnable ended) {
    throw new UnsupportedOperationException("the fake engine captures nothing; CaptureIT captures on Docker");
  }

  @Override
  public List<ContainerInfo> containers(String labelKey, String labelValue) {
    List<ContainerInfo> found = new ArrayList<>();
    containers.forEach((name, request) -> {
      if (labelValue.equals(request.labels().get(labelKey))) {
        found.add(new ContainerInfo(name, name, !stopped.contains(name), request.labels()));
      }
    });
    return found;
  }

  @Override
  public List<NetworkInfo> networks(String labelKey, String labelValue) {
    List<NetworkInfo> found = new ArrayList<>();
    networks.forEach((name, labels) -> {
      if (labelValue.equals(labels.get(labelKey))) {
        found.add(new NetworkInfo(name, name, labels.get(SUBNET), labels));
      }
    });
    return found;
  }

  @Override
  public void removeContainer(String containerId) {
    if (refusedRemovals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("Status 500: engine said no to removing " + containerId);
    }
    containers.remove(containerId);
    stopped.remove(containerId);
  }

  @Override
  public int removeLabelled(String labelKey, String labelValue) {
    List<String> doomed = containers(labelKey, labelValue).stream().map(ContainerInfo::id).toList();
    doomed.forEach(containers::remove);
    List<String> doomedNetworks = networks(labelKey, labelValue).stream().map(NetworkInfo::id).toList();
    doomedNetworks.forEach(networks::remove);
    return doomed.size() + doomedNetworks.size();
  }

  @Override
  public void close() {}

  private static final String SUBNET = "fake.subnet";
}
