package io.twlab.scenario;

import io.twlab.core.Bounded;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.lab.TopologyKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a scenario is, teaches and takes; {@link #resolve} validates a run's parameters. */
public record ScenarioDescriptor(
    String name,
    String title,
    String description,
    String checksClaim,
    List<TopologyKind> topologies,
    List<ParameterSpec> parameters,
    List<SysctlUse> sysctls,
    List<ProgramContract> programs) {

  public ScenarioDescriptor {
    topologies = List.copyOf(topologies);
    parameters = List.copyOf(parameters);
    sysctls = List.copyOf(sysctls);
    programs = List.copyOf(programs);
  }

  /** The program a student's may replace in slot {@code slot}. */
  public java.util.Optional<ProgramContract> program(String slot) {
    return programs.stream().filter(p -> p.slot().equals(slot)).findFirst();
  }

  /** A sysctl the scenario sets on a node it adds for the run; {@code value} may name its parameter. */
  public record SysctlUse(String node, String key, String value) {}

  /** The parameters in force (defaults filled in), or every bad one named as {@code params[name]}. */
  public ScenarioParams resolve(Map<String, String> raw) {
    List<FieldViolation> violations = new ArrayList<>();
    Map<String, String> values = new LinkedHashMap<>();
    for (ParameterSpec p : parameters) {
      String value = raw.getOrDefault(p.name(), p.defaultValue()).trim();
      p.check(value).ifPresent(reason -> violations.add(new FieldViolation("params[" + p.name() + "]", reason)));
      values.put(p.name(), value);
    }
    raw.keySet().stream().filter(k -> parameters.stream().noneMatch(p -> p.name().equals(k)))
        .forEach(k -> violations.add(new FieldViolation("params[" + k + "]", "scenario " + name
            + " has no parameter " + Bounded.quote(k) + "; it takes " + String.join(", ",
            parameters.stream().map(ParameterSpec::name).toList()))));
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
    return new ScenarioParams(values);
  }
}
