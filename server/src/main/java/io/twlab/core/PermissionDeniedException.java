package io.twlab.core;

/** The caller is known but its role may not do this. */
public final class PermissionDeniedException extends RuntimeException {
  public PermissionDeniedException(String message) {
    super(message);
  }
}
