package io.twlab.scenario;

import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.EnumParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ParameterSpec.ListParam;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Validated parameter values of one run, defaults included. */
public record ScenarioParams(Map<String, String> values) {
  public ScenarioParams {
    values = Map.copyOf(values);
  }

  public int get(ParameterSpec.IntParam param) {
    return integer(param.name());
  }

  public boolean get(ParameterSpec.BoolParam param) {
    return bool(param.name());
  }

  public String get(ParameterSpec.EnumParam param) {
    return text(param.name());
  }

  public List<String> get(ParameterSpec.ListParam param) {
    return list(param.name());
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

  public List<String> list(String name) {
    return split(text(name));
  }

  static List<String> split(String raw) {
    return Arrays.stream(raw.split(",")).map(String::trim).filter(v -> !v.isEmpty()).distinct().toList();
  }

  public boolean bool(String name) {
    return Boolean.parseBoolean(text(name));
  }
}
