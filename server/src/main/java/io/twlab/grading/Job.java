package io.twlab.grading;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A submission in the grading queue: whose it is ({@code submitterId}: the credential that sent it;
 * {@code student}: the seat it counts for, the student or the id a grading platform passed), its
 * state, the lab and runs it used, and its scorecard once graded, or why it was not.
 */
public record Job(String id, String assignmentId, int assignmentVersion, String submitterId, String student, State state,
    Instant submittedAt, Optional<Instant> startedAt, Optional<Instant> finishedAt, String submission, String labId,
    List<String> runIds, Optional<Scorecard> scorecard, String error) {

  public enum State {
    QUEUED, RUNNING, GRADED, FAILED, CANCELLED;

    public boolean finished() {
      return this == GRADED || this == FAILED || this == CANCELLED;
    }
  }

  public Job {
    runIds = List.copyOf(runIds);
  }

  public static Job queued(String id, String assignmentId, int version, String submitterId, String student, Instant at,
      String submission) {
    return new Job(id, assignmentId, version, submitterId, student, State.QUEUED, at, Optional.empty(), Optional.empty(),
        submission, "", List.of(), Optional.empty(), "");
  }

  public Job running(Instant at) {
    return new Job(id, assignmentId, assignmentVersion, submitterId, student, State.RUNNING, submittedAt, Optional.of(at),
        finishedAt, submission, labId, runIds, scorecard, error);
  }

  public Job inLab(String lab) {
    return new Job(id, assignmentId, assignmentVersion, submitterId, student, state, submittedAt, startedAt, finishedAt,
        submission, lab, runIds, scorecard, error);
  }

  public Job graded(Scorecard card, List<String> runs, Instant at) {
    return new Job(id, assignmentId, assignmentVersion, submitterId, student, State.GRADED, submittedAt, startedAt,
        Optional.of(at), submission, labId, runs, Optional.of(card), "");
  }

  /** Ended without a score: FAILED or CANCELLED, {@code why} says what happened and what to do. */
  public Job ended(State end, String why, Instant at) {
    return new Job(id, assignmentId, assignmentVersion, submitterId, student, end, submittedAt, startedAt, Optional.of(at),
        submission, labId, runIds, scorecard, why);
  }
}
