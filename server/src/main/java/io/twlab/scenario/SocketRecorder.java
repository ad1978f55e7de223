package io.twlab.scenario;

import io.twlab.core.SocketChange;
import io.twlab.observe.ObservationListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Records the socket changes of a lab during one run and lets the run wait for one. */
public final class SocketRecorder implements ObservationListener {
  private final List<SocketChange> changes = new ArrayList<>();
  private final Map<String, Long> timeWaitSocketsMade = new HashMap<>();

  @Override
  public synchronized void onChanges(List<SocketChange> observed) {
    changes.addAll(observed);
    notifyAll();
  }

  @Override
  public synchronized void onTimeWaitSocketsMade(String node, int count) {
    timeWaitSocketsMade.merge(node, (long) count, Long::sum);
  }

  /** Per node, how many timewait sockets observation saw the kernel make during the run. */
  public synchronized Map<String, Long> timeWaitSocketsMade() {
    return Map.copyOf(timeWaitSocketsMade);
  }

  /** The first recorded change that matches, waiting up to {@code timeout} for it. */
  public SocketChange await(String what, Duration timeout, Predicate<SocketChange> match)
      throws InterruptedException {
    return poll(timeout, match).orElseThrow(
        () -> new ScenarioFailure("no " + what + " was observed within " + timeout.toSeconds() + " s"));
  }

  /** The first recorded change that matches, waiting up to {@code timeout}; empty if none came. */
  public synchronized Optional<SocketChange> poll(Duration timeout, Predicate<SocketChange> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int scanned = 0;
    while (true) {
      for (; scanned < changes.size(); scanned++) {
        if (match.test(changes.get(scanned))) {
          return Optional.of(changes.get(scanned));
        }
      }
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        return Optional.empty();
      }
      wait(leftMs);
    }
  }

  /** How long the socket of {@code entered} stayed in the state it entered, waiting up to {@code timeout}. */
  public Duration timeIn(SocketChange entered, String what, Duration timeout) throws InterruptedException {
    SocketChange left = await(what, timeout, c -> c.sameSocket(entered) && c.time().isAfter(entered.time())
        && c.from() == entered.to());
    return Duration.between(entered.time(), left.time());
  }

  public synchronized Optional<SocketChange> first(Predicate<SocketChange> match) {
    return changes.stream().filter(match).findFirst();
  }

  public synchronized List<SocketChange> all(Predicate<SocketChange> match) {
    return changes.stream().filter(match).toList();
  }
}
