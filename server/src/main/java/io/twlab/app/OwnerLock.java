package io.twlab.app;

import io.twlab.lab.Role;
import io.twlab.runtime.Confinement;
import io.twlab.runtime.LabRuntime;
import io.twlab.runtime.LabRuntime.ContainerInfo;
import io.twlab.runtime.LabRuntime.ContainerRequest;
import io.twlab.runtime.RuntimeFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  private final LabRuntime runtime;
  private final String containerId;
  private final LabRuntime.ExecChannel holding;

  private OwnerLock(LabRuntime runtime, String containerId, LabRuntime.ExecChannel holding) {
    this.runtime = runtime;
    this.containerId = containerId;
    this.holding = holding;
  }

  /**
   * Takes the lock of {@code settings}' owner, or refuses to, naming the server that holds it.
   * {@code holder}: how the lock names this server (host and process).
   */
  public static OwnerLock acquire(LabRuntime runtime, ServerSettings settings, String holder, Clock clock) {
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
        try {
          runtime.removeContainer(lock.id());
        } catch (RuntimeFailure e) {
          LOG.debug("owner lock {} already gone: {}", lock.name(), e.getMessage());
        }
      }
      String id;
      try {
        // Any lab image runs the base's main process, which idles: the client's.
        id = runtime.startContainer(new ContainerRequest("twlab-lock-" + owner, settings.image(Role.CLIENT.id()),
            List.of(ContainerRequest.NO_NETWORK), Map.of(LABEL, owner, HOLDER, holder,
                SINCE, clock.instant().toString()), Map.of(), Map.of(),
            List.of(String.valueOf(clock.instant().getEpochSecond() + CENTURY_SECONDS)), CONFINEMENT));
      } catch (RuntimeFailure e) {
        if (attempt == 1) {
          continue; // another server made it meanwhile: look again
        }
        throw e;
      }
      LabRuntime.ExecChannel holding = runtime.execChannel(id, List.of("cat"), line -> { },
          () -> LOG.debug("owner lock of {} released", owner));
      return new OwnerLock(runtime, id, holding);
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
  public void close() {
    holding.close();
    try {
      runtime.removeContainer(containerId);
    } catch (RuntimeFailure e) {
      LOG.warn("owner lock container {} could not be removed: {}", containerId, e.getMessage());
    }
  }
}
