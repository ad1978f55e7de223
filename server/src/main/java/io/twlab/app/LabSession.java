package io.twlab.app;

import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.LabStatusChanged;
import io.twlab.lab.Lab;
import io.twlab.lab.LabStatus;
import io.twlab.observe.LabObserver;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;

/**
 * A live lab with the things it owns: its event log, its observer and its current run; and what a
 * run must know of it: whether it was made to grade, and the shells open in it.
 */
final class LabSession implements AutoCloseable {
  private volatile Lab lab;
  private final EventLog log;
  private final LabObserver observer;
  private final boolean graded;
  private volatile boolean deleting;
  private volatile String stoppedNode;
  private String activeRunId;
  private Future<?> activeRun;
  /** Shells open, by node; and the nodes that had one open at some time since the current run began. */
  private final Map<String, Integer> shells = new TreeMap<>();
  private final Set<String> shellsDuringRun = new TreeSet<>();

  LabSession(Lab lab, EventLog log, LabObserver observer, boolean graded) {
    this.lab = lab;
    this.log = log;
    this.observer = observer;
    this.graded = graded;
  }

  /** Whether it was made to grade an experiment (its runs decide a grade). */
  boolean graded() {
    return graded;
  }

  synchronized void shellOpened(String node) {
    shells.merge(node, 1, Integer::sum);
    if (activeRunId != null) {
      shellsDuringRun.add(node);
    }
  }

  synchronized void shellClosed(String node) {
    shells.computeIfPresent(node, (n, open) -> open == 1 ? null : open - 1);
  }

  /** The nodes that had a shell open at some time since the current run claimed the lab. */
  synchronized List<String> shellsDuringRun() {
    return List.copyOf(shellsDuringRun);
  }

  Lab lab() {
    return lab;
  }

  EventLog log() {
    return log;
  }

  LabObserver observer() {
    return observer;
  }

  /** Lives until {@code expiresAt}, as the lab's stream says. */
  void extend(Instant expiresAt, Instant now) {
    lab = lab.withExpiresAt(expiresAt);
    log.append(now, new EventPayload.LabStatusChanged(lab.status(), "extended: expires at " + expiresAt));
  }

  void status(LabStatus status, String message, Instant now) {
    lab = lab.withStatus(status);
    log.append(now, new EventPayload.LabStatusChanged(status, message));
  }

  /** Claims the lab for one run; empty when it is free, else the run that holds it. */
  synchronized Optional<String> claim(String runId) {
    if (activeRunId != null) {
      return Optional.of(activeRunId);
    }
    activeRunId = runId;
    shellsDuringRun.clear();
    shellsDuringRun.addAll(shells.keySet());
    return Optional.empty();
  }

  synchronized void running(Future<?> run) {
    activeRun = run;
  }

  synchronized void release() {
    activeRunId = null;
    activeRun = null;
  }

  /**
   * Marks the lab as broken by a node that stopped ({@code what}: which, and how) and interrupts
   * its run, which then fails saying so.
   */
  synchronized void nodeStopped(String what) {
    if (stoppedNode == null) {
      stoppedNode = what;
    }
    if (activeRun != null) {
      activeRun.cancel(true);
    }
  }

  /** The node that stopped under this lab, and how; empty while every node runs. */
  Optional<String> stoppedNode() {
    return Optional.ofNullable(stoppedNode);
  }

  /** Marks the lab as going away and interrupts its run, which then reports itself cancelled. */
  synchronized void cancelRunForDeletion() {
    deleting = true;
    if (activeRun != null) {
      activeRun.cancel(true);
    }
  }

  boolean deleting() {
    return deleting;
  }

  @Override
  public void close() {
    observer.close();
    log.close();
  }
}
