package io.twlab.observe;

import java.time.Instant;

/** A socket change on a named node at the time its sample was taken. */
public record ObservedChange(String node, Instant time, SocketDelta delta) {

  public boolean sameSocket(ObservedChange other) {
    return node.equals(other.node) && delta.local().equals(other.delta.local())
        && delta.remote().equals(other.delta.remote());
  }
}
