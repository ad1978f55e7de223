package io.twlab.app;

import io.twlab.lab.Role;
import io.twlab.runtime.Confinement;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerInfo;
import io.twlab.runtime.LabRuntime.ContainerRequest;
import io.twlab.runtime.ContainerGone;
import io.twlab.runtime.RuntimeFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server per owner on a Docker engine, whatever their data directories: the container
 * {@code twlab-lock-OWNER}, held while an exec of {@code cat} in it reads a stream from the server.
 * The engine closes that stream when the server's process ends, however it ends (a SIGKILL too),
 * and {@code cat} ends with it: a lock without one is an earlier server's, and is taken over.
 */
public final class OwnerLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OwnerLock.class);
  static final String LABEL = "io.twlab.lock";
  private static final String HOLDER = "io.twlab.lock.holder";
  private static final String SINCE = "io.twlab.lock.since";
  /** A lock this young may be another server's that has not started its {@code cat} yet. */
  private static final Duration TAKING = Duration.ofSeconds(5);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);
  private static final Confinement CONFINEMENT = new Confinement(16 * Confinement.MIB, 16, 0.1, Set.of(), false);
  private static final long CENTURY_SECONDS = Duration.ofDays(36_500).toSeconds();

  /** The lock is looked at this often: the engine may have restarted (its container then stopped). */
  private static final Duration KEEP_EVERY = Duration.ofSeconds(10);

  private final LabRuntime runtime;
  private final ServerSettings settings;
  private final String holder;
  private final Clock clock;
  private final ScheduledExecutorService keeper = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "twlab-owner-lock");
    t.setDaemon(true);
    return t;
  });
  /** Guarded by this. */
  private String containerId;
  private LabRuntime.ExecChannel holding;
  /**
   * Cleared when the engine ends this server's {@code cat}: the lock then holds nothing, however its
   * container runs. One per {@code cat}: an earlier one's end, reported late, says nothing of this one.
   */
  private AtomicBoolean catRuns = new AtomicBoolean();

  private OwnerLock(LabRuntime runtime, ServerSettings settings, String holder, Clock clock) {
    this.runtime = runtime;
    this.settings = settings;
    this.holder = holder;
    this.clock = clock;
  }

  /**
   * Takes the lock of {@code settings}' owner, or refuses to, naming the server that holds it, and
   * keeps it: taken again if the engine lost it. {@code holder}: how the lock names this server.
   */
  public static OwnerLock acquire(LabRuntime runtime, ServerSettings settings, String holder, Clock clock) {
    OwnerLock lock = new OwnerLock(runtime, settings, holder, clock);
    lock.take();
    lock.keeper.scheduleWithFixedDelay(lock::keep, KEEP_EVERY.toSeconds(), KEEP_EVERY.toSeconds(), TimeUnit.SECONDS);
    return lock;
  }

  private synchronized void take() {
    String owner = settings.owner();
    for (int attempt = 1; ; attempt++) {
      for (ContainerInfo lock : runtime.containers(LABEL, owner)) {
        if (held(runtime, lock, clock)) {
          throw new IllegalStateException("another twlab server with owner " + owner + " is running on this Docker "
              + "engine (" + lock.labels().getOrDefault(HOLDER, "?") + ", since " + lock.labels().getOrDefault(SINCE, "?")
              + "): stop it first, or start this one with another --owner");
        }
        LOG.info("owner lock {} left by a server that is gone ({}): taking it over", lock.name(),
            lock.labels().getOrDefault(HOLDER, "?"));
        removeQuietly(lock.id());
      }
      try {
        // Any lab image runs the base's main process, which idles: the client's.
        containerId = runtime.startContainer(new ContainerRequest("twlab-lock-" + owner,
            settings.image(Role.CLIENT.id()), List.of(ContainerRequest.NO_NETWORK), Map.of(LABEL, owner, HOLDER, holder,
                SINCE, clock.instant().toString()), Map.of(), Map.of(),
            List.of(String.valueOf(clock.instant().getEpochSecond() + CENTURY_SECONDS)), CONFINEMENT));
      } catch (RuntimeFailure e) {
        if (attempt == 1) {
          continue; // another server made it meanwhile: look again
        }
        throw e;
      }
      AtomicBoolean runs = new AtomicBoolean(true);
      try {
        holding = runtime.execChannel(containerId, List.of("cat"), line -> { }, () -> {
          runs.set(false);
          LOG.debug("owner lock of {} released", owner);
        });
        catRuns = runs;
      } catch (RuntimeException e) {
        removeQuietly(containerId); // a container without this server's cat would look like a lock left behind
        containerId = null;
        throw e;
      }
      return;
    }
  }

  /**
   * Takes the lock again when it no longer holds: its container stopped or went (the engine
   * restarted), or the engine ended its {@code cat}. Never throws: a failure is tried again at the
   * next look, since the scheduler would stop looking after a first exception.
   */
  synchronized void keep() {
    try {
      if (holding != null && catRuns.get() && runtime.state(containerId).running()) {
        return;
      }
    } catch (ContainerGone e) {
      LOG.debug("owner lock container {} is gone: {}", containerId, e.getMessage());
    } catch (RuntimeException e) {
      return; // the engine does not answer now: look again later
    }
    LOG.warn("owner lock of {} lost (did the engine restart?): taking it again", settings.owner());
    try {
      release();
      take();
    } catch (RuntimeException e) {
      LOG.error("owner lock of {} could not be taken again (tried again in {} s): {}", settings.owner(),
          KEEP_EVERY.toSeconds(), e.getMessage());
    }
  }

  /**
   * Whether a server holds {@code lock}: its {@code cat} runs. A lock made moments ago may not have
   * one yet: it is watched until it is {@link #TAKING} old.
   */
  private static boolean held(LabRuntime runtime, ContainerInfo lock, Clock clock) {
    if (!lock.running()) {
      return false;
    }
    Instant since;
    try {
      since = Instant.parse(lock.labels().getOrDefault(SINCE, ""));
    } catch (DateTimeParseException e) {
      return false;
    }
    while (true) {
      if (runtime.exec(lock.id(), List.of("pgrep", "-x", "cat"), CHECK_TIMEOUT).ok()) {
        return true;
      }
      if (!since.plus(TAKING).isAfter(clock.instant())) {
        return false;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
  }

  @Override
  public synchronized void close() {
    keeper.shutdownNow();
    try {
      release();
    } catch (RuntimeException e) {
      LOG.debug("owner lock of {} not removed: {}", settings.owner(), e.getMessage());
    }
  }

  private void release() {
    if (holding != null) {
      LabRuntime.ExecChannel held = holding;
      holding = null;
      held.close();
    }
    if (containerId != null) {
      runtime.removeContainer(containerId);
      containerId = null;
    }
  }

  private void removeQuietly(String id) {
    try {
      runtime.removeContainer(id);
    } catch (RuntimeException e) {
      LOG.debug("owner lock container {} not removed: {}", id, e.getMessage());
    }
  }
}
