package io.twlab.app;

import io.twlab.event.EventLog;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.LabStatusChanged;
import io.twlab.lab.Lab;
import io.twlab.lab.LabStatus;
import io.twlab.observe.LabObserver;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Future;

/** A live lab with the things it owns: its event log, its observer and its current run. */
final class LabSession implements AutoCloseable {
  private volatile Lab lab;
  private final EventLog log;
  private final LabObserver observer;
  private volatile boolean deleting;
  private String activeRunId;
  private Future<?> activeRun;

  LabSession(Lab lab, EventLog log, LabObserver observer) {
    this.lab = lab;
    this.log = log;
    this.observer = observer;
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
    return Optional.empty();
  }

  synchronized void running(Future<?> run) {
    activeRun = run;
  }

  synchronized void release() {
    activeRunId = null;
    activeRun = null;
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
