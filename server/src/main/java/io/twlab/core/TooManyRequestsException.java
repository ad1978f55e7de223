package io.twlab.core;

/** A limit was reached: what it is, and when to try again. */
public final class TooManyRequestsException extends RuntimeException {
  private final long retryAfterSeconds;

  public TooManyRequestsException(String message, long retryAfterSeconds) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
