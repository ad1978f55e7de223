package io.twlab.scenario;

/**
 * A run could not go on because a student's program did not do what its slot asks (it never
 * listened, ran past its time limit, was killed for memory); the message says what it did.
 */
public final class ProgramFailure extends RuntimeException {
  public ProgramFailure(String message) {
    super(message);
  }
}
