package io.twlab.scenario.kit;

/** A packet seen by tcpdump on the capturing node. */
public record Packet(double atSeconds, boolean outgoing, String flags, String line) {

  /** {@code out}: sent by the capturing node; {@code in}: received. */
  public String direction() {
    return outgoing ? "out" : "in";
  }
}
