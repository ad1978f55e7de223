package io.twlab.observe;

import io.twlab.observe.TracerLine.Change;
import io.twlab.observe.TracerLine.Heartbeat;
import io.twlab.observe.TracerLine.Lost;
import io.twlab.runtime.Confinement;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerRequest;
import io.twlab.runtime.RuntimeFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host observer's control-plane side: one helper container for every lab of the host
 * ({@code twlab-observer}, lab-images/tracer) that keeps each watched node's socket table over
 * netlink sock_diag and traces the host's TCP state changes from the tracepoint
 * {@code sock:inet_sock_set_state} and the RSTs it sends from {@code tcp:tcp_send_reset} (what ends
 * a TIME_WAIT early). It sees the host's processes (to reach each node's network namespace) and has
 * no network. The tracepoint is host-wide: each change goes only to the subscriber of its network
 * namespace, so a lab never sees another's sockets. A node's samples go only to its {@link Watcher}.
 * Started on first use; if tracing cannot start, {@link #unavailable()} says why and the observer
 * samples every node on every tick instead.
 */
public final class HostObserver implements AutoCloseable {
  public static final String ROLE = "tracer";
  private static final Logger LOG = LoggerFactory.getLogger(HostObserver.class);
  private static final Duration START_WAIT = Duration.ofSeconds(15);
  private static final Duration ATTACH_WAIT = Duration.ofSeconds(30);
  private static final long LIFETIME_SECONDS = Duration.ofDays(30).toSeconds();
  /**
   * SYS_ADMIN for setns into each node's namespace, bpf, perf events and the tracefs mount (an
   * engine of 20.10 knows neither BPF nor PERFMON); SYS_PTRACE to open the namespace of a node whose
   * capabilities it does not all have; IPC_LOCK for the 16 MB perf buffer per CPU that a flood needs
   * (docs/kernel-facts.md §4), as the host's locked-memory limit (8 MiB here) cannot be raised for
   * the container.
   */
  private static final Confinement CONFINEMENT =
      new Confinement(256 * Confinement.MIB, 64, 1, Set.of("SYS_ADMIN", "SYS_PTRACE", "IPC_LOCK"), true);
  /** It prints a heartbeat every 50 ms per CPU: this long without one, it has stopped. */
  private static final Duration SILENCE = Duration.ofSeconds(2);
  /** The longest a change waits for another CPU's earlier ones. */
  private static final Duration REORDER_LIMIT = Duration.ofSeconds(1);
  private static final Duration LOST_LOG_EVERY = Duration.ofSeconds(1);
  /** An observer that ended by itself is started again with the next lab, at most this often. */
  private static final Duration RESTART_EVERY = Duration.ofSeconds(5);
  /**
   * The observer reports its usage every 5 s (and its watermark ten times a second while tracing):
   * this long without either, it is gone (a removed container's exec stream may not end while its
   * standard input is open).
   */
  private static final Duration SILENT_LIMIT = Duration.ofSeconds(15);

  /** A change of a subscribed namespace, with its wall-clock time. */
  public interface Subscriber {
    void onChange(TraceEvent event, Instant time);

    /** The namespace's node sent an RST. */
    void onReset(ResetSent reset, Instant time);

    /** The kernel dropped changes of the whole host (its buffer overran): some transitions are missing. */
    void onLost(long events);

    /**
     * A change of this namespace came after later ones were delivered (the tracer's reading fell
     * behind by more than the reordering allows): transitions around it may be out of order.
     */
    void onLate(Traced event);
  }

  /** One watched node's samples, on the observer stream's thread. */
  public interface Watcher {
    /** A line of one of its batches ({@link SamplerParser}'s protocol). */
    void onSample(String line);

    /** Its table was, at that kernel time, as its last batch says (the tracer saw no change in it since). */
    void onUnchangedUpTo(long monotonicNanos, Instant time);

    /** It cannot be watched any more. */
    void onGone(String why);
  }

  /**
   * What the observer costs and misses: the changes the kernel dropped since the start (trace buffer
   * overruns), the CPU time the observer and its tracer (twlab-trace) have used, the namespaces it watches.
   */
  public record Usage(long lostEvents, double observerCpuSeconds, double tracerCpuSeconds, int namespaces) {}

  /**
   * How the observer's container is made: whether it traces, its image and name, and the labels
   * that only this owner's observer has (a later server removes a leftover by them).
   */
  public record Setup(boolean tracing, String image, String containerName, Map<String, String> labels) {}

  private final LabRuntime runtime;
  private final Setup setup;
  private final Map<Long, Subscriber> subscribers = new ConcurrentHashMap<>();
  private final Map<String, Watcher> watchers = new ConcurrentHashMap<>();
  private final AtomicLong keys = new AtomicLong();
  private final AtomicLong lostTotal = new AtomicLong();
  private volatile Usage usage = new Usage(0, 0, 0, 0);
  private volatile Anchor anchor = new Anchor(0, 0);
  private volatile long reportedUpTo;
  private final HeartbeatClock heartbeatClock = new HeartbeatClock();
  private volatile long lastHeartbeat;
  /** Used on the observer stream's thread only. */
  private final CpuMerge merge = new CpuMerge(REORDER_LIMIT);
  private Watcher batchOf;
  private long lostSinceLog;
  private long lastLostLog = System.nanoTime() - LOST_LOG_EVERY.toNanos();
  private String containerId;
  private LabRuntime.ExecChannel channel;
  private volatile Optional<String> unavailable;
  private volatile String stopped;
  /** Which start the current channel is of: a channel's end reported after a later start is stale. */
  private volatile int generation;
  private volatile boolean closed;
  private long lastStart = System.nanoTime() - RESTART_EVERY.toNanos();
  /** When the observer last reported its usage or watermark; 0 until its first usage report. */
  private volatile long lastLine;
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "twlab-observer-watchdog");
    t.setDaemon(true);
    return t;
  });
  private volatile String lastMessage = "";

  private record Anchor(long monotonicNanos, long epochNanos) {}

  public HostObserver(LabRuntime runtime, Setup setup) {
    this.runtime = runtime;
    this.setup = setup;
    watchdog.scheduleWithFixedDelay(this::checkSilence, 2, 2, TimeUnit.SECONDS);
  }

  private void checkSilence() {
    long last = lastLine;
    if (last != 0 && stopped == null && System.nanoTime() - last > SILENT_LIMIT.toNanos()) {
      lastMessage = "it said nothing for " + SILENT_LIMIT.toSeconds() + " s";
      ended(generation);
    }
  }

  /** Empty while tracing; otherwise why not. Starts the observer on the first call. */
  public synchronized Optional<String> unavailable() {
    if (unavailable == null) {
      unavailable = start();
    }
    return unavailable;
  }

  /** Delivers the traced changes of one network namespace until the returned handle is closed. */
  public AutoCloseable subscribe(long netns, Subscriber subscriber) {
    subscribers.put(netns, subscriber);
    return () -> subscribers.remove(netns, subscriber);
  }

  /**
   * Watches a container's network namespace: its baseline, then a batch whenever its sockets or
   * counters changed, go to {@code watcher} until the returned handle is closed. {@code group}: the
   * lab (an RST in one of its nodes can end a TIME_WAIT in another); {@code conntrack}: with the
   * gateway's conntrack statistics.
   */
  public AutoCloseable watch(String containerId, String group, boolean conntrack, Watcher watcher) {
    LabRuntime.ExecChannel to = running();
    String key = String.valueOf(keys.incrementAndGet());
    long pid = runtime.pid(containerId);
    watchers.put(key, watcher);
    if (!to.send("+ " + key + " " + pid + " " + group.replaceAll("\\s", "_") + (conntrack ? " conntrack" : ""))) {
      watchers.remove(key);
      throw new RuntimeFailure("the host observer reads its commands too slowly; try again");
    }
    return () -> {
      if (watchers.remove(key) != null) {
        to.send("- " + key);
      }
    };
  }

  /** The observer's channel; an observer that ended by itself (killed, or the engine restarted) starts again. */
  private synchronized LabRuntime.ExecChannel running() {
    unavailable();
    if (stopped != null && !closed && System.nanoTime() - lastStart > RESTART_EVERY.toNanos()) {
      LOG.info("observer={} starting again ({})", setup.containerName(), stopped);
      stop();
      stopped = null;
      unavailable = start();
    }
    LabRuntime.ExecChannel to = channel;
    if (to == null || stopped != null) {
      throw new RuntimeFailure("the host observer does not run (" + (stopped != null ? stopped : lastMessage)
          + "); check that the lab images are current (lab-images/build.sh) and see the server's log");
    }
    return to;
  }

  /**
   * The observer's stream ended by itself: every node it watched can no longer be observed, and
   * its watcher hears so (its lab fails).
   */
  private void ended(int of) {
    if (of != generation || closed) {
      return;
    }
    String why = "ended" + (lastMessage.isEmpty() ? "" : " (" + lastMessage + ")");
    stopped = "it " + why;
    LOG.warn("observer={} {}: the labs it watched are no longer observed; it starts again with the next lab",
        setup.containerName(), why);
    List<Watcher> gone = List.copyOf(watchers.values());
    watchers.clear();
    subscribers.clear();
    for (Watcher watcher : gone) {
      try {
        watcher.onGone("the host observer " + why);
      } catch (RuntimeException e) {
        // The others must hear it too, and the watchdog that may be calling must go on.
        LOG.warn("observer={} a watcher failed to take its end: {}", setup.containerName(), e.toString());
      }
    }
  }

  private Optional<String> start() {
    lastStart = System.nanoTime();
    lastLine = 0;
    int of = ++generation;
    removeLeftover();
    if (!runtime.imageExists(setup.image())) {
      stopped = "its image " + setup.image() + " is missing";
      return Optional.of("the observer's image " + setup.image() + " is missing; build it with lab-images/build.sh");
    }
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch attached = new CountDownLatch(1);
    List<String> command = new ArrayList<>(List.of("twlab-observer", "--duration", String.valueOf(LIFETIME_SECONDS)));
    if (setup.tracing()) {
      ownNetworkNamespace().ifPresent(inode -> command.addAll(List.of("--exclude-netns", String.valueOf(inode))));
    } else {
      command.add("--no-trace");
    }
    try {
      containerId = runtime.startContainer(new ContainerRequest(setup.containerName(), setup.image(),
          List.of(ContainerRequest.NO_NETWORK), setup.labels(), Map.of(), Map.of("TINI_SUBREAPER", "1"), List.of(),
          CONFINEMENT, true));
      channel = runtime.execChannel(containerId, command, line -> accept(line, running, attached), () -> ended(of));
      if (!running.await(START_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        stopped = "it did not start within " + START_WAIT.toSeconds() + " s"
            + (lastMessage.isEmpty() ? "" : " (" + lastMessage + ")");
        stop();
        return Optional.of("the host observer " + stopped);
      }
      if (!setup.tracing()) {
        return Optional.of("tracing is off (--tracer off)");
      }
      if (!attached.await(ATTACH_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        return Optional.of("the tracer did not attach to sock:inet_sock_set_state within " + ATTACH_WAIT.toSeconds()
            + " s" + (lastMessage.isEmpty() ? "" : " (" + lastMessage + ")") + "; it needs CAP_SYS_ADMIN and tracefs");
      }
      LOG.info("observer={} attached: exact transitions from sock:inet_sock_set_state", setup.containerName());
      lastMessage = ""; // what it said while starting says nothing of a later end
      return Optional.empty();
    } catch (RuntimeFailure e) {
      stopped = e.getMessage();
      stop();
      return Optional.of("the host observer cannot start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = "interrupted while starting";
      stop();
      return Optional.of("interrupted while starting the host observer");
    }
  }

  /** The control plane's own network namespace, whose traffic is none of the labs'. */
  private static Optional<Long> ownNetworkNamespace() {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      return Optional.of(Long.parseLong(link.replaceAll("\\D", "")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private void accept(String line, CountDownLatch running, CountDownLatch attached) {
    if (sample(line, running)) {
      return;
    }
    Optional<TracerLine> parsed = TracerLine.parse(line);
    if (parsed.isEmpty()) {
      lastMessage = line.trim();
      LOG.debug("observer: {}", line);
      return;
    }
    TracerLine l = parsed.get();
    if (l instanceof TracerLine.Change c) {
      Subscriber s = subscribers.get(c.event().netns());
      if (s != null && !merge.hold(c.event())) {
        s.onLate(c.event());
      }
      advance(c.cpu(), c.event().monotonicNanos());
    } else if (l instanceof TracerLine.Heartbeat h) {
      // The first heartbeat, not the tracer's "Attaching", proves the probes run and their ring
      // buffer is read.
      advance(h.cpu(), h.monotonicNanos());
      lastHeartbeat = System.nanoTime();
      heartbeatClock.heard(h.monotonicNanos(), lastHeartbeat);
      attached.countDown();
    } else if (l instanceof TracerLine.Anchor a) {
      anchor = new Anchor(a.monotonicNanos(), a.epochNanos());
    } else if (l instanceof TracerLine.Lost lost) {
      lostSinceLog += lost.events();
      lostTotal.addAndGet(lost.events());
      // The tracer reports drops as it finds them, many in a flood: one log line a second.
      if (System.nanoTime() - lastLostLog > LOST_LOG_EVERY.toNanos()) {
        LOG.warn("tracer: the kernel dropped {} state changes (trace buffer overrun)", lostSinceLog);
        lostSinceLog = 0;
        lastLostLog = System.nanoTime();
      }
      subscribers.values().forEach(s -> s.onLost(lost.events()));
    }
  }

  /** Handles the observer's own lines (the sampler's); false for the tracer's. */
  private boolean sample(String line, CountDownLatch running) {
    if (line.length() < 2 || line.charAt(1) != ' ') {
      return false;
    }
    switch (line.charAt(0)) {
      case 'S', 'B' -> {
        int at = line.indexOf(' ', 2);
        batchOf = at < 0 ? null : watchers.get(line.substring(2, at));
        if (batchOf != null) {
          batchOf.onSample(line.charAt(0) + line.substring(at));
        }
      }
      case 'C', 'K' -> {
        if (batchOf != null) {
          batchOf.onSample(line);
        }
      }
      case 'E' -> {
        if (batchOf != null) {
          batchOf.onSample(line);
        }
        batchOf = null;
      }
      case 'W' -> {
        lastLine = System.nanoTime();
        long upTo = Long.parseLong(line.substring(2).trim());
        Instant time = wallTime(upTo);
        watchers.values().forEach(w -> w.onUnchangedUpTo(upTo, time));
      }
      case 'X' -> {
        String[] f = line.split(" ", 3);
        Watcher gone = watchers.remove(f[1]);
        if (gone != null) {
          gone.onGone(f.length > 2 ? f[2] : "its process is gone");
        }
      }
      case 'O' -> running.countDown();
      case 'Q' -> {
        // The tracer restarts faster than its silence would show: what it missed must not be.
        LOG.warn("observer={} {}", setup.containerName(), line.substring(2));
        lastHeartbeat = System.nanoTime() - SILENCE.toNanos();
      }
      case 'U' -> {
        lastLine = System.nanoTime();
        String[] f = line.split(" ");
        usage = new Usage(lostTotal.get(), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Integer.parseInt(f[3]));
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  public Usage usage() {
    Usage u = usage;
    return new Usage(lostTotal.get(), u.observerCpuSeconds(), u.tracerCpuSeconds(), u.namespaces());
  }

  /** Now on the kernel's monotonic clock (as the tracer's host sees it). */
  long monotonicNow() {
    Anchor a = anchor;
    Instant now = Instant.now();
    return a.monotonicNanos() + (now.getEpochSecond() * 1_000_000_000L + now.getNano() - a.epochNanos());
  }

  /**
   * How far the changes delivered to the labs trail the kernel's clock while tracing (zero when
   * not): a flood on a busy host can leave the observer's stream seconds behind.
   */
  public Duration behind() {
    if (!alive()) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(heartbeatClock.lagNanos(reportedUpTo, System.nanoTime()));
  }

  /** Whether the tracer still reports (it can die after it started, e.g. killed on the host). */
  public boolean alive() {
    return unavailable != null && unavailable.isEmpty() && System.nanoTime() - lastHeartbeat < SILENCE.toNanos();
  }

  /** The tracer has delivered every change before this kernel time. */
  long reportedUpTo() {
    return reportedUpTo;
  }

  /** Delivers, in kernel time order, the changes that CPU {@code cpu}'s progress completes ({@link CpuMerge}). */
  private void advance(int cpu, long monotonicNanos) {
    for (Traced traced : merge.advance(cpu, monotonicNanos)) {
      Subscriber s = subscribers.get(traced.netns());
      if (s == null) {
        continue;
      }
      Instant time = wallTime(traced.monotonicNanos());
      if (traced instanceof TraceEvent change) {
        s.onChange(change, time);
      } else if (traced instanceof ResetSent reset) {
        s.onReset(reset, time);
      }
    }
    reportedUpTo = merge.watermark();
  }

  private Instant wallTime(long monotonicNanos) {
    Anchor a = anchor;
    long epochNanos = a.epochNanos() + (monotonicNanos - a.monotonicNanos());
    return Instant.ofEpochSecond(0, epochNanos);
  }

  /** A tracer an earlier server of this owner left running (it crashed, or was killed). */
  private void removeLeftover() {
    setup.labels().forEach((key, value) -> runtime.containers(key, value).forEach(c -> {
      LOG.info("observer={} left by an earlier server: removed", c.name());
      runtime.removeContainer(c.id());
    }));
  }

  /** Ends the observer on purpose: the end of its stream is then no news. */
  private void stop() {
    generation++;
    if (channel != null) {
      channel.close();
      channel = null;
    }
    if (containerId != null) {
      try {
        runtime.removeContainer(containerId);
      } catch (RuntimeFailure e) {
        LOG.warn("observer container {} could not be removed: {}", containerId, e.getMessage());
      }
      containerId = null;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    watchdog.shutdownNow();
    subscribers.clear();
    watchers.clear();
    stop();
  }
}
