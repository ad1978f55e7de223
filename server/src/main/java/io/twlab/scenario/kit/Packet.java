package io.twlab.scenario.kit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A packet seen by tcpdump on the capturing node. */
public record Packet(double atSeconds, boolean outgoing, String flags, String line) {
  // eth0  In  IP 10.250.9.2.43296 > 10.250.9.3.6379: Flags [S], ...
  private static final Pattern ENDPOINTS = Pattern.compile("IP6? (\\S+) > (\\S+?):");

  /** {@code out}: sent by the capturing node; {@code in}: received. */
  public String direction() {
    return outgoing ? "out" : "in";
  }

  /** The other end's address and port as tcpdump prints them ({@code 10.250.9.2.43296}). */
  public String peer() {
    Matcher m = ENDPOINTS.matcher(line);
    if (!m.find()) {
      return "";
    }
    return outgoing ? m.group(2) : m.group(1);
  }
}
