package io.twlab.observe;

import io.twlab.observe.TracerLine.Change;
import io.twlab.observe.TracerLine.Heartbeat;
import io.twlab.observe.TracerLine.Lost;
import io.twlab.runtime.Confinement;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerRequest;
import io.twlab.runtime.LabRuntime.ExecStream;
import io.twlab.runtime.RuntimeFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's TCP state changes from the tracepoint {@code sock:inet_sock_set_state}, and the RSTs
 * it sends from {@code tcp:tcp_send_reset} (what ends a TIME_WAIT early), read by one
 * helper container for the whole control plane ({@code twlab-tracer}, lab-images/tracer: bpftrace
 * with CAP_SYS_ADMIN and no network). The tracepoint is host-wide: each change goes only to the
 * subscriber of its network namespace, so a lab never sees another's sockets. Started on first
 * use; if it cannot start, {@link #unavailable()} says why and observation samples instead.
 */
public final class KernelTracer implements AutoCloseable {
  public static final String ROLE = "tracer";
  private static final Logger LOG = LoggerFactory.getLogger(KernelTracer.class);
  private static final Duration ATTACH_WAIT = Duration.ofSeconds(30);
  private static final long LIFETIME_SECONDS = Duration.ofDays(30).toSeconds();
  /**
   * SYS_ADMIN for bpf, perf events and the tracefs mount (an engine of 20.10 knows neither BPF nor
   * PERFMON); IPC_LOCK for the 16 MB perf buffer per CPU that a flood needs (docs/kernel-facts.md
   * §4), as the host's locked-memory limit (8 MiB here) cannot be raised for the container.
   */
  private static final Confinement CONFINEMENT =
      new Confinement(256 * Confinement.MIB, 64, 1, Set.of("SYS_ADMIN", "IPC_LOCK"), true);
  /** It prints a heartbeat every 50 ms per CPU: this long without one, it has stopped. */
  private static final Duration SILENCE = Duration.ofSeconds(2);
  /** The longest a change waits for another CPU's earlier ones. */
  private static final Duration REORDER_LIMIT = Duration.ofSeconds(1);
  private static final Duration LOST_LOG_EVERY = Duration.ofSeconds(1);

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

  /**
   * How the tracer container is made: its image and name, and the labels that only this owner's
   * tracer has (a later server removes a leftover by them).
   */
  public record Setup(boolean enabled, String image, String containerName, Map<String, String> labels) {}

  private final LabRuntime runtime;
  private final Setup setup;
  private final Map<Long, Subscriber> subscribers = new ConcurrentHashMap<>();
  private volatile Anchor anchor = new Anchor(0, 0);
  private volatile long reportedUpTo;
  private volatile long lastHeartbeat;
  /** Used on the tracer stream's thread only. */
  private final CpuMerge merge = new CpuMerge(REORDER_LIMIT);
  private long lostSinceLog;
  private long lastLostLog = System.nanoTime() - LOST_LOG_EVERY.toNanos();
  private String containerId;
  private LabRuntime.ExecStream stream;
  private volatile Optional<String> unavailable;
  private volatile String lastMessage = "";

  private record Anchor(long monotonicNanos, long epochNanos) {}

  public KernelTracer(LabRuntime runtime, Setup setup) {
    this.runtime = runtime;
    this.setup = setup;
  }

  /** Empty while tracing; otherwise why not. Starts the tracer on the first call. */
  public synchronized Optional<String> unavailable() {
    if (unavailable == null) {
      unavailable = start();
    }
    return unavailable;
  }

  /** Delivers the changes of one network namespace until the returned handle is closed. */
  public AutoCloseable subscribe(long netns, Subscriber subscriber) {
    subscribers.put(netns, subscriber);
    return () -> subscribers.remove(netns, subscriber);
  }

  private Optional<String> start() {
    if (!setup.enabled()) {
      return Optional.of("tracing is off (--tracer off)");
    }
    removeLeftover();
    if (!runtime.imageExists(setup.image())) {
      return Optional.of("the tracer image " + setup.image() + " is missing; build it with lab-images/build.sh");
    }
    CountDownLatch attached = new CountDownLatch(1);
    try {
      containerId = runtime.startContainer(new ContainerRequest(setup.containerName(), setup.image(),
          List.of(ContainerRequest.NO_NETWORK), setup.labels(), Map.of(), Map.of(), List.of(), CONFINEMENT));
      stream = runtime.execStream(containerId, List.of("twlab-tracer", "--duration", String.valueOf(LIFETIME_SECONDS)),
          line -> accept(line, attached));
      if (!attached.await(ATTACH_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        String why = "the tracer did not attach to sock:inet_sock_set_state within " + ATTACH_WAIT.toSeconds() + " s"
            + (lastMessage.isEmpty() ? "" : " (" + lastMessage + ")") + "; it needs CAP_SYS_ADMIN and tracefs";
        stop();
        return Optional.of(why);
      }
      LOG.info("tracer={} attached: exact transitions from sock:inet_sock_set_state", setup.containerName());
      return Optional.empty();
    } catch (RuntimeFailure e) {
      stop();
      return Optional.of("the tracer cannot start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      return Optional.of("interrupted while starting the tracer");
    }
  }

  private void accept(String line, CountDownLatch attached) {
    Optional<TracerLine> parsed = TracerLine.parse(line);
    if (parsed.isEmpty()) {
      lastMessage = line.trim();
      LOG.debug("tracer: {}", line);
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
      // The first heartbeat, not bpftrace's "Attaching", proves the probe runs: a perf buffer
      // that cannot be mapped fails after that line.
      advance(h.cpu(), h.monotonicNanos());
      lastHeartbeat = System.nanoTime();
      attached.countDown();
    } else if (l instanceof TracerLine.Anchor a) {
      anchor = new Anchor(a.monotonicNanos(), a.epochNanos());
    } else if (l instanceof TracerLine.Lost lost) {
      lostSinceLog += lost.events();
      // bpftrace reports an overrun per buffer read, hundreds in a flood: one log line a second.
      if (System.nanoTime() - lastLostLog > LOST_LOG_EVERY.toNanos()) {
        LOG.warn("tracer: the kernel dropped {} state changes (trace buffer overrun)", lostSinceLog);
        lostSinceLog = 0;
        lastLostLog = System.nanoTime();
      }
      subscribers.values().forEach(s -> s.onLost(lost.events()));
    }
  }

  /** Now on the kernel's monotonic clock (as the tracer's host sees it). */
  long monotonicNow() {
    Anchor a = anchor;
    Instant now = Instant.now();
    return a.monotonicNanos() + (now.getEpochSecond() * 1_000_000_000L + now.getNano() - a.epochNanos());
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
      LOG.info("tracer={} left by an earlier server: removed", c.name());
      runtime.removeContainer(c.id());
    }));
  }

  private void stop() {
    if (stream != null) {
      stream.close();
      stream = null;
    }
    if (containerId != null) {
      try {
        runtime.removeContainer(containerId);
      } catch (RuntimeFailure e) {
        LOG.warn("tracer container {} could not be removed: {}", containerId, e.getMessage());
      }
      containerId = null;
    }
  }

  @Override
  public synchronized void close() {
    subscribers.clear();
    stop();
  }
}
