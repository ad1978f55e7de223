package io.twlab.core;

/** The lab cannot take this request now (a run is in progress, or it is being deleted). */
public final class LabBusyException extends RuntimeException {
  public LabBusyException(String message) {
    super(message);
  }
}
