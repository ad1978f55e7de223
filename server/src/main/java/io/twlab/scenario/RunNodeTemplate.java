package io.twlab.scenario;

import io.twlab.scenario.ScenarioContext.RunNode;
import io.twlab.scenario.ScenarioDescriptor.SysctlUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A kind of node a scenario adds for its runs (sysctls can only be set when a container is made:
 * docs/kernel-facts.md), declared once: how its instances are named, which instances a run's
 * parameters ask for, and each sysctl with the words that describe it and the value it takes. The
 * scenario's description, the run nodes an experiment may address and the node a run creates all
 * derive from it. Every run node is made like the lab's first client.
 *
 * @param <C> what tells one instance from another (a cell of a sysctl matrix); {@link ScenarioParams}
 *     for a kind with one node per run
 */
public final class RunNodeTemplate<C> {
  private final String namePattern;
  private final Function<ScenarioParams, List<C>> cells;
  private final Function<C, String> name;
  private final List<Setting<C>> settings;
  private final boolean netAdmin;

  private record Setting<C>(String key, String described, BiFunction<ScenarioParams, C, String> value) {}

  private RunNodeTemplate(String namePattern, Function<ScenarioParams, List<C>> cells, Function<C, String> name,
      List<Setting<C>> settings, boolean netAdmin) {
    this.namePattern = namePattern;
    this.cells = cells;
    this.name = name;
    this.settings = List.copyOf(settings);
    this.netAdmin = netAdmin;
  }

  /** One node named {@code name} in every run. */
  public static RunNodeTemplate<ScenarioParams> single(String name) {
    return new RunNodeTemplate<>(name, List::of, p -> name, List.of(), false);
  }

  /**
   * One node per cell the parameters ask for, named by {@code name}; {@code namePattern} says how
   * in the description (e.g. {@code nat-ts<t>-c<n>}).
   */
  public static <C> RunNodeTemplate<C> perCell(String namePattern, Function<ScenarioParams, List<C>> cells,
      Function<C, String> name) {
    return new RunNodeTemplate<>(namePattern, cells, name, List.of(), false);
  }

  /** The sysctl {@code key} set to the value of the run's parameter {@code param}. */
  public RunNodeTemplate<C> sysctlFromParam(String key, ParameterSpec param) {
    return sysctl(key, "params[" + param.name() + "]", (params, cell) -> params.text(param.name()));
  }

  /** The sysctl {@code key} set to {@code value} of the run and the cell, {@code described} in words. */
  public RunNodeTemplate<C> sysctl(String key, String described, BiFunction<ScenarioParams, C, String> value) {
    List<Setting<C>> more = new ArrayList<>(settings);
    more.add(new Setting<>(key, described, value));
    return new RunNodeTemplate<>(namePattern, cells, name, more, netAdmin);
  }

  /** The node may change its own firewall (iptables), e.g. to drop its own ACKs. */
  public RunNodeTemplate<C> withNetAdmin() {
    return new RunNodeTemplate<>(namePattern, cells, name, settings, true);
  }

  List<SysctlUse> uses() {
    return settings.stream().map(s -> new SysctlUse(namePattern, s.key(), s.described())).toList();
  }

  List<String> names(ScenarioParams params) {
    return cells.apply(params).stream().map(name).toList();
  }

  /** The sysctls of each node the parameters ask for, by node name. */
  Map<String, Map<String, String>> sysctls(ScenarioParams params) {
    Map<String, Map<String, String>> byNode = new LinkedHashMap<>();
    cells.apply(params).forEach(cell -> byNode.put(name.apply(cell), sysctls(params, cell)));
    return byNode;
  }

  /** The sysctls of the node of {@code cell}. */
  public Map<String, String> sysctls(ScenarioParams params, C cell) {
    Map<String, String> values = new LinkedHashMap<>();
    settings.forEach(s -> values.put(s.key(), s.value().apply(params, cell)));
    return values;
  }

  /** Adds the node of {@code cell} to the run's lab; returns its name. */
  public String addTo(ScenarioContext ctx, ScenarioParams params, C cell) {
    String like = ctx.lab().firstClient();
    return ctx.addNode(new ScenarioContext.RunNode(name.apply(cell), like, sysctls(params, cell), netAdmin)).name();
  }

  /** Adds the only node the parameters ask for (a {@link #single} kind); returns its name. */
  public String addTo(ScenarioContext ctx, ScenarioParams params) {
    List<C> all = cells.apply(params);
    if (all.size() != 1) {
      throw new IllegalStateException("run node " + namePattern + " has " + all.size() + " cells: name the cell");
    }
    return addTo(ctx, params, all.get(0));
  }
}
