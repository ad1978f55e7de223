package io.twlab.sysctl;

import io.twlab.core.Bounded;
import java.util.Optional;

/** How one sysctl key may be set: accepted with a checker, or refused with the reason. */
public sealed interface SysctlRule {

  String key();

  /** Returns why {@code value} is not acceptable, or empty when it is. */
  Optional<String> check(String value);

  /** An acceptable value as the kernel itself writes it ({@code 40000-40100} becomes {@code 40000 40100}). */
  String normalised(String value);

  /** An integer in [min, max]; {@code help}: what the key does, in a sentence. */
  record IntRange(String key, long min, long max, String help) implements SysctlRule {
    @Override
    public Optional<String> check(String value) {
      try {
        long v = Long.parseLong(value.trim());
        return v >= min && v <= max ? Optional.empty()
            : Optional.of("value " + value.trim() + " is out of range: must be between " + min + " and " + max);
      } catch (NumberFormatException e) {
        return Optional.of("value " + Bounded.quote(value) + " is not an integer (allowed: " + min + " to " + max + ")");
      }
    }

    @Override
    public String normalised(String value) {
      return Long.toString(Long.parseLong(value.trim()));
    }
  }

  /** Two integers "low high" with min <= low <= high <= max, like ip_local_port_range. */
  record IntPair(String key, long min, long max, String help) implements SysctlRule {
    @Override
    public Optional<String> check(String value) {
      long[] pair = pair(value);
      return pair.length == 2 && pair[0] >= min && pair[0] <= pair[1] && pair[1] <= max ? Optional.empty()
          : Optional.of("value " + Bounded.quote(value) + " must be two integers 'LOW HIGH' (or LOW-HIGH) with "
              + min + " <= LOW <= HIGH <= " + max);
    }

    /** The kernel takes the two separated by white space only. */
    @Override
    public String normalised(String value) {
      long[] pair = pair(value);
      return pair[0] + " " + pair[1];
    }

    private static long[] pair(String value) {
      String[] parts = value.trim().split("[\\s,-]+");
      try {
        return parts.length == 2 ? new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])} : new long[0];
      } catch (NumberFormatException e) {
        return new long[0];
      }
    }
  }

  /** A key this kernel or a network namespace cannot take. */
  record Refused(String key, String reason) implements SysctlRule {
    @Override
    public Optional<String> check(String value) {
      return Optional.of(reason);
    }

    @Override
    public String normalised(String value) {
      throw new IllegalStateException(key + " is refused: check it first");
    }
  }
}
