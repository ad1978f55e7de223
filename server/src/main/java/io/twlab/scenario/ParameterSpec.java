package io.twlab.scenario;

import io.twlab.core.Bounded;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A typed scenario parameter with its default and bounds. */
public sealed interface ParameterSpec {

  String name();

  String description();

  /** {@code int}, {@code bool}, {@code enum} or {@code list}: the record's name without "Param". */
  default String type() {
    return getClass().getSimpleName().replace("Param", "").toLowerCase(Locale.ROOT);
  }

  String defaultValue();

  /** Returns why {@code raw} is not acceptable, or empty when it is. */
  Optional<String> check(String raw);

  record BoolParam(String name, String description, boolean defaultBool) implements ParameterSpec {
    @Override
    public String defaultValue() {
      return String.valueOf(defaultBool);
    }

    @Override
    public Optional<String> check(String raw) {
      String v = raw.trim().toLowerCase(Locale.ROOT);
      return v.equals("true") || v.equals("false") ? Optional.empty()
          : Optional.of(Bounded.quote(raw) + " is not a bool: use true or false");
    }
  }

  record IntParam(String name, String description, long defaultInt, long min, long max) implements ParameterSpec {
    @Override
    public String defaultValue() {
      return String.valueOf(defaultInt);
    }

    @Override
    public Optional<String> check(String raw) {
      try {
        long v = Long.parseLong(raw.trim());
        return v >= min && v <= max ? Optional.empty()
            : Optional.of(v + " is out of range: must be between " + min + " and " + max);
      } catch (NumberFormatException e) {
        return Optional.of(Bounded.quote(raw) + " is not an integer (allowed: " + min + " to " + max + ")");
      }
    }
  }

  record EnumParam(String name, String description, String defaultChoice, List<String> choices) implements ParameterSpec {
    @Override
    public String defaultValue() {
      return defaultChoice;
    }

    @Override
    public Optional<String> check(String raw) {
      return choices.contains(raw.trim()) ? Optional.empty()
          : Optional.of(Bounded.quote(raw) + " is not one of " + String.join(", ", choices));
    }
  }

  /** A comma-separated subset of {@code choices}, e.g. the tw_reuse values of a sysctl matrix. */
  record ListParam(String name, String description, String defaultValue, List<String> choices) implements ParameterSpec {
    @Override
    public Optional<String> check(String raw) {
      List<String> values = ScenarioParams.split(raw);
      if (values.isEmpty()) {
        return Optional.of("give at least one of " + String.join(", ", choices) + " (comma-separated)");
      }
      return values.stream().filter(v -> !choices.contains(v)).findFirst()
          .map(v -> Bounded.quote(v) + " is not one of " + String.join(", ", choices));
    }
  }
}
