package io.twlab.core;

import java.util.Optional;

/** A limit was reached: what it is, how much of it is in use, and when to try again. */
public final class TooManyRequestsException extends RuntimeException {
  private final long retryAfterSeconds;
  private final Optional<Quota> quota;

  /** A limit held in use: {@code used} of {@code max} {@code limit}. */
  public record Quota(String limit, long used, long max) {}

  public TooManyRequestsException(String message, long retryAfterSeconds) {
    this(message, retryAfterSeconds, Optional.empty());
  }

  private TooManyRequestsException(String message, long retryAfterSeconds, Optional<Quota> quota) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
    this.quota = quota;
  }

  /** {@code used} of {@code max} {@code limit} are taken; {@code whatToDo} says how to free one. */
  public static TooManyRequestsException quota(String limit, long used, long max, String whatToDo,
      long retryAfterSeconds) {
    return new TooManyRequestsException("quota reached: " + used + " of " + max + " " + limit + " in use; " + whatToDo,
        retryAfterSeconds, Optional.of(new Quota(limit, used, max)));
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public Optional<Quota> quota() {
    return quota;
  }
}
