package io.twlab.lab;

import java.util.Optional;

/** An inclusive range of TCP ports, written "A-B". */
public record PortRange(int first, int last) {
  public static final PortRange ALL_UNPRIVILEGED = new PortRange(1024, 65535);

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

  @Override
  public String toString() {
    return first + "-" + last;
  }
}
