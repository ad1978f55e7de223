package io.twlab.scenario;

/** A run could not complete; the message says what was awaited and what to try. */
public final class ScenarioFailure extends RuntimeException {
  public ScenarioFailure(String message) {
    super(message);
  }
}
