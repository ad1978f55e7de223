package io.twlab.scenario;

import java.util.Map;

/** Validated parameter values of one run, defaults included. */
public record ScenarioParams(Map<String, String> values) {
  public ScenarioParams {
    values = Map.copyOf(values);
  }

  public String text(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return v;
  }

  public int integer(String name) {
    return Integer.parseInt(text(name));
  }

  public boolean bool(String name) {
    return Boolean.parseBoolean(text(name));
  }
}
