package io.twlab.lab;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

public enum TopologyKind {
  /** client and server on one network. */
  DIRECT,
  /** client1..N on a LAN, a gateway doing DNAT + MASQUERADE, server and redis on a WAN. */
  NAT;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<TopologyKind> fromId(String id) {
    return Arrays.stream(values()).filter(t -> t.id().equals(id)).findFirst();
  }
}
