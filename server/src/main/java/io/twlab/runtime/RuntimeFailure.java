package io.twlab.runtime;

/** The container engine refused or failed an operation. */
public class RuntimeFailure extends RuntimeException {
  public RuntimeFailure(String message, Throwable cause) {
    super(message, cause);
  }

  public RuntimeFailure(String message) {
    super(message);
  }
}
