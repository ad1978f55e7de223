package io.twlab.lab;

import java.util.Optional;

/** An inclusive range of TCP ports, written "A-B". */
public record PortRange(int first, int last) {
  public static final PortRange ALL_UNPRIVILEGED = new PortRange(1024, 65535);
  /** The kernel's ip_local_port_range of a new network namespace. */
  public static final PortRange KERNEL_EPHEMERAL = new PortRange(32768, 60999);

  public static Optional<PortRange> parse(String text) {
    String[] parts = text.trim().split("\\s*[-\\s]\\s*");
    if (parts.length != 2) {
      return Optional.empty();
    }
    try {
      int first = Integer.parseInt(parts[0]);
      int last = Integer.parseInt(parts[1]);
      return first >= 1 && first <= last && last <= 65535 ? Optional.of(new PortRange(first, last)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  public int size() {
    return last - first + 1;
  }

  public boolean contains(int port) {
    return port >= first && port <= last;
  }

  /** How many ports the two ranges share. */
  public int overlap(PortRange other) {
    return Math.max(0, Math.min(last, other.last) - Math.max(first, other.first) + 1);
  }

  @Override
  public String toString() {
    return first + "-" + last;
  }
}
