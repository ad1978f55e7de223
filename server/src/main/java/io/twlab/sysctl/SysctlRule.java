package io.twlab.sysctl;

import java.util.Optional;

/** How one sysctl key may be set: accepted with a checker, or refused with the reason. */
public sealed interface SysctlRule {

  String key();

  /** Returns why {@code value} is not acceptable, or empty when it is. */
  Optional<String> check(String value);

  /** An integer in [min, max]. */
  record IntRange(String key, long min, long max) implements SysctlRule {
    @Override
    public Optional<String> check(String value) {
      try {
        long v = Long.parseLong(value.trim());
        return v >= min && v <= max ? Optional.empty()
            : Optional.of("value " + value.trim() + " is out of range: must be between " + min + " and " + max);
      } catch (NumberFormatException e) {
        return Optional.of("value '" + value + "' is not an integer (allowed: " + min + " to " + max + ")");
      }
    }
  }

  /** Two integers "low high" with min <= low <= high <= max, like ip_local_port_range. */
  record IntPair(String key, long min, long max) implements SysctlRule {
    @Override
    public Optional<String> check(String value) {
      String[] parts = value.trim().split("[\\s,-]+");
      try {
        if (parts.length == 2) {
          long low = Long.parseLong(parts[0]);
          long high = Long.parseLong(parts[1]);
          if (low >= min && low <= high && high <= max) {
            return Optional.empty();
          }
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      return Optional.of("value '" + value + "' must be two integers 'LOW HIGH' with "
          + min + " <= LOW <= HIGH <= " + max);
    }
  }

  /** A key this kernel or a network namespace cannot take. */
  record Refused(String key, String reason) implements SysctlRule {
    @Override
    public Optional<String> check(String value) {
      return Optional.of(reason);
    }
  }
}
