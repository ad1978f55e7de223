package io.twlab.core;

/**
 * The thing cannot take this request now: a lab is busy with a run or being deleted, a job is not
 * graded yet. The message says what to wait for.
 */
public final class ConflictException extends RuntimeException {
  public ConflictException(String message) {
    super(message);
  }
}
