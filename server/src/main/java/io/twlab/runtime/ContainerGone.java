package io.twlab.runtime;

/** The container asked about does not exist (any more): removed, by twlab or by someone else. */
public final class ContainerGone extends RuntimeFailure {
  public ContainerGone(String containerId, Throwable cause) {
    super("container " + containerId + " is gone", cause);
  }
}
