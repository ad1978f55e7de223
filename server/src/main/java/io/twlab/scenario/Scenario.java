package io.twlab.scenario;

import io.twlab.lab.TopologyKind;
import io.twlab.scenario.ParameterSpec.BoolParam;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reproduction that runs in a lab and reports what the kernel did. A scenario states once, in
 * its {@link Definition}, what it is and teaches, the parameters it takes and the nodes it adds for
 * a run, and nests its result figures as a record named {@code Outcome}; everything else about it
 * (its description, the run nodes an experiment may address, its stored and mapped result) derives
 * from that.
 */
public abstract class Scenario {
  /**
   * Every scenario takes it: the run keeps the packets of every node of its lab (tcp, a few MiB
   * each) with its history, to download and to draw as ladders.
   */
  public static final BoolParam CAPTURE = new BoolParam("capture", "keep the packets of every lab node (tcp, at "
      + "most 4 MiB each) with the run, for `twlab runs show RUN --pcap` and its ladders", false);
  private final ScenarioDescriptor descriptor;
  private final List<RunNodeTemplate<?>> runNodes;
  private final Class<? extends ScenarioOutcome> outcomeType;

  protected Scenario(Definition definition) {
    this.runNodes = List.copyOf(definition.runNodes);
    this.outcomeType = outcomeOf(getClass());
    this.descriptor = new ScenarioDescriptor(definition.name, definition.title, definition.teaches,
        definition.checksClaim, definition.topologies, withCapture(definition.parameters),
        runNodes.stream().flatMap(t -> t.uses().stream()).toList(), definition.programs);
  }

  private static List<ParameterSpec> withCapture(List<ParameterSpec> declared) {
    List<ParameterSpec> all = new ArrayList<>(declared);
    all.add(CAPTURE);
    return all;
  }

  /** A scenario's outcome is the record named {@code Outcome} nested in it. */
  private static Class<? extends ScenarioOutcome> outcomeOf(Class<?> scenario) {
    for (Class<?> nested : scenario.getDeclaredClasses()) {
      if (nested.getSimpleName().equals("Outcome") && ScenarioOutcome.class.isAssignableFrom(nested)) {
        return nested.asSubclass(ScenarioOutcome.class);
      }
    }
    throw new IllegalStateException(scenario.getName() + " declares no record Outcome implementing ScenarioOutcome");
  }

  /** Starts the definition of the scenario named {@code name} (kebab-case, as clients address it). */
  protected static Definition define(String name) {
    return new Definition(name);
  }

  public final ScenarioDescriptor descriptor() {
    return descriptor;
  }

  public final String name() {
    return descriptor.name();
  }

  /** The record type of {@link ScenarioResult#outcome()} for this scenario. */
  public final Class<? extends ScenarioOutcome> outcomeType() {
    return outcomeType;
  }

  /**
   * The names of the nodes a run with these parameters adds to the lab, so that an experiment can
   * be checked against them before anything starts; a run may add no other node.
   */
  public final List<String> runNodes(ScenarioParams params) {
    return runNodes.stream().flatMap(t -> t.names(params).stream()).toList();
  }

  /** The sysctls of every node a run with these parameters adds, by node name. */
  public final Map<String, Map<String, String>> runNodeSysctls(ScenarioParams params) {
    Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
    runNodes.forEach(t -> sysctls.putAll(t.sysctls(params)));
    return sysctls;
  }

  /**
   * Runs to the end within bounded time, stopping every helper process it started, and returns
   * the measured outcome; throws {@link ScenarioFailure} when the lab did not behave as needed.
   */
  public abstract ScenarioResult run(ScenarioContext context, ScenarioParams params) throws InterruptedException;

  /** What a scenario declares about itself, once. */
  public static final class Definition {
    private final String name;
    private String title = "";
    private String teaches = "";
    private String checksClaim = "";
    private List<TopologyKind> topologies = List.of(TopologyKind.values());
    private final List<ParameterSpec> parameters = new ArrayList<>();
    private final List<RunNodeTemplate<?>> runNodes = new ArrayList<>();
    private final List<ProgramContract> programs = new ArrayList<>();

    private Definition(String name) {
      this.name = name;
    }

    public Definition title(String text) {
      this.title = text;
      return this;
    }

    /** What a run does and what the kernel shows, for the reader who chooses a scenario. */
    public Definition teaches(String text) {
      this.teaches = text;
      return this;
    }

    /** The claim from the articles that the run checks against the kernel. */
    public Definition checksClaim(String text) {
      this.checksClaim = text;
      return this;
    }

    /** The topologies the scenario runs on; by default every one. */
    public Definition runsOn(TopologyKind... kinds) {
      this.topologies = List.of(kinds);
      return this;
    }

    public Definition parameters(ParameterSpec... specs) {
      parameters.addAll(Arrays.asList(specs));
      return this;
    }

    public Definition runNodes(RunNodeTemplate<?>... templates) {
      runNodes.addAll(Arrays.asList(templates));
      return this;
    }

    /** The programs of the scenario a student's may replace. */
    public Definition programs(ProgramContract... contracts) {
      programs.addAll(Arrays.asList(contracts));
      return this;
    }
  }
}
