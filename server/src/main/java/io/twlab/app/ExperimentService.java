package io.twlab.app;

import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.NotFoundException;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.core.TooManyRequestsException;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.ConnectionTransition;
import io.twlab.event.EventPayload.ObservationNotice;
import io.twlab.event.EventPayload.StateCounts;
import io.twlab.event.LabEvent;
import io.twlab.grading.Expectation;
import io.twlab.grading.Experiment;
import io.twlab.grading.Experiment.Step;
import io.twlab.grading.ExperimentReader;
import io.twlab.grading.GradeReport;
import io.twlab.grading.GradeReport.StepGrade;
import io.twlab.grading.Grader;
import io.twlab.grading.RunRecord;
import io.twlab.grading.RunRecord.CountSample;
import io.twlab.grading.SweepDimension;
import io.twlab.grading.SweepDimension.Param;
import io.twlab.grading.SweepReport;
import io.twlab.grading.SweepReport.Cell;
import io.twlab.grading.Verdict;
import io.twlab.lab.Lab;
import io.twlab.lab.LabSpec;
import io.twlab.lab.NodePlan;
import io.twlab.lab.Topologies;
import io.twlab.observe.LabObserver;
import io.twlab.scenario.Run;
import io.twlab.scenario.ScenarioDescriptor;
import io.twlab.scenario.ScenarioResult;
import io.twlab.sysctl.SysctlPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grades experiment files: checks the whole file before anything starts, makes its lab, runs its
 * scenarios in order, grades each run's expectations from the lab's event log, removes the lab.
 */
public final class ExperimentService {
  private static final Logger LOG = LoggerFactory.getLogger(ExperimentService.class);

  private final Labs labs;
  private final Runs runs;
  private final SysctlPolicy policy;
  private final Clock clock;

  public ExperimentService(Labs labs, Runs runs, SysctlPolicy policy, Clock clock) {
    this.labs = labs;
    this.runs = runs;
    this.policy = policy;
    this.clock = clock;
  }

  /** Grades an experiment without a sweep, in a lab of the caller's. */
  public GradeReport grade(Caller caller, String text) throws InterruptedException {
    Experiment experiment = ExperimentReader.read(text, policy);
    if (!experiment.sweep().isEmpty()) {
      throw new InvalidArgumentException("sweep", experiment.at("sweep") + "this experiment sweeps "
          + experiment.cells().size() + " cells: run it with SweepExperiment (`twlab sweep FILE`, POST /api/v1/sweeps)");
    }
    check(experiment);
    return gradeCell(caller, experiment, Map.of(), GradingProgress.NONE);
  }

  /** What a grading tells while it works: the lab it made, then each run as it starts. */
  public interface GradingProgress {
    GradingProgress NONE = new GradingProgress() {};

    default void labMade(String labId) throws InterruptedException {}

    default void runStarting(int index, int of, String scenario) {}
  }

  /** Grades an experiment made elsewhere (an assignment's, for one submission) and checked with {@link #check}. */
  public GradeReport grade(Caller caller, Experiment experiment, GradingProgress progress) throws InterruptedException {
    return gradeCell(caller, experiment, Map.of(), progress);
  }

  /** Grades every cell of an experiment's sweep, one fresh lab of the caller's after the other. */
  public SweepReport sweep(Caller caller, String text) throws InterruptedException {
    Experiment experiment = ExperimentReader.read(text, policy);
    check(experiment);
    int cells = experiment.cells().size();
    if (cells > caller.limits().sweepCells()) {
      throw TooManyRequestsException.quota("sweep cells", cells, caller.limits().sweepCells(),
          "sweep fewer values at once (" + cells + " cells asked)", 0);
    }
    Instant started = clock.instant();
    List<SweepReport.Cell> graded = new ArrayList<>();
    for (Map<String, String> cell : experiment.cells()) {
      LOG.info("experiment='{}' sweep cell {} of {}: {}", experiment.name(), graded.size() + 1, cells, cell);
      graded.add(new SweepReport.Cell(cell, gradeCell(caller, experiment, cell, GradingProgress.NONE)));
    }
    return new SweepReport(experiment.name(), experiment.sweep(), graded, started, clock.instant());
  }

  private GradeReport gradeCell(Caller caller, Experiment experiment, Map<String, String> cell,
      GradingProgress progress) throws InterruptedException {
    Instant started = clock.instant();
    Lab lab = labs.createGraded(caller, experiment.labIn(cell));
    LOG.info("experiment='{}' lab={} grading {} run(s)", experiment.name(), lab.id(), experiment.steps().size());
    List<GradeReport.StepGrade> grades = new ArrayList<>();
    try {
      progress.labMade(lab.id());
      for (Experiment.Step step : experiment.steps()) {
        progress.runStarting(grades.size(), experiment.steps().size(), step.scenario());
        List<Expectation> expectations = step.expectationsIn(cell);
        Run run = runs.start(caller, lab.id(), step.scenario(), experiment.paramsIn(step, cell, parameters(step)),
            step.programs(), true);
        List<Verdict> verdicts = run.error().isPresent() ? unjudged(expectations, run)
            : Grader.grade(expectations, record(caller, labs.get(caller, lab.id()), run));
        runs.recordVerdicts(run, experiment.name(), verdicts);
        grades.add(new GradeReport.StepGrade(run, verdicts));
      }
    } finally {
      try {
        labs.delete(caller, lab.id());
      } catch (NotFoundException gone) {
        LOG.info("experiment='{}' lab={} was deleted while it was graded (the grading was cancelled)",
            experiment.name(), lab.id());
      }
    }
    GradeReport report = new GradeReport(experiment.name(), lab.id(), started, clock.instant(), grades);
    LOG.info("experiment='{}' lab={} {}", experiment.name(), lab.id(), report.passed() ? "passed" : "failed");
    return report;
  }

  /**
   * The verdicts of a run that failed: each failed, when a student's program made it fail (what it
   * did is the grade); otherwise each cannot be judged.
   */
  private static List<Verdict> unjudged(List<Expectation> expectations, Run run) {
    String why = run.error().orElseThrow();
    return expectations.stream().map(e -> run.programFault()
        ? new Verdict(e, Verdict.Outcome.FAILED, false, "the run failed", why)
        : new Verdict(e, Verdict.Outcome.ERROR, false, "the run failed", "cannot be judged: the run failed: " + why))
        .toList();
  }

  private Set<String> parameters(Experiment.Step step) {
    return runs.scenarios().stream().filter(d -> d.name().equals(step.scenario()))
        .flatMap(d -> d.parameters().stream().map(p -> p.name())).collect(Collectors.toSet());
  }

  /**
   * What the reader cannot know: the scenarios, their parameters in every cell, the nodes the
   * expectations name.
   */
  public void check(Experiment experiment) {
    LabSpec spec = experiment.lab();
    Set<String> nodes = Topologies.nodes(spec.topology(), spec.clients()).stream().map(NodePlan::name)
        .collect(Collectors.toSet());
    List<FieldViolation> violations = new ArrayList<>();
    Set<String> swept = new HashSet<>();
    for (int i = 0; i < experiment.steps().size(); i++) {
      Experiment.Step step = experiment.steps().get(i);
      String path = "runs[" + i + "]";
      // A scenario's own nodes (those it makes for one run) can be graded too.
      Set<String> known = new HashSet<>(nodes);
      Set<String> parameters = parameters(step);
      swept.addAll(parameters);
      Set<String> reported = new HashSet<>();
      for (Map<String, String> cell : experiment.cells()) {
        try {
          known.addAll(runs.runNodes(step.scenario(),
              runs.check(step.scenario(), experiment.paramsIn(step, cell, parameters), spec.topology())));
        } catch (InvalidArgumentException e) {
          for (FieldViolation v : e.violations()) {
            String field = v.field().equals("lab_id") ? path + ".scenario"
                : step.params().containsKey(paramName(v.field())) ? path + "." + v.field()
                : "sweep." + v.field();
            if (reported.add(field)) {
              violations.add(new FieldViolation(field, experiment.at(field) + v.reason()));
            }
          }
        } catch (NotFoundException e) {
          if (reported.add(path + ".scenario")) {
            violations.add(new FieldViolation(path + ".scenario", experiment.at(path + ".scenario") + e.getMessage()));
          }
        }
      }
      for (int j = 0; j < step.expectations().size(); j++) {
        String field = path + ".expect[" + j + "]";
        step.expectations().get(j).onNode().filter(n -> !known.contains(n)).ifPresent(n -> violations.add(
            new FieldViolation(field, experiment.at(field) + "no node " + Bounded.quote(n) + " in this run; its nodes are "
                + String.join(", ", known.stream().sorted().toList()))));
      }
    }
    for (SweepDimension d : experiment.sweep()) {
      if (d instanceof SweepDimension.Param p && !swept.contains(p.name())) {
        String field = "sweep.params[" + p.name() + "]";
        violations.add(new FieldViolation(field, experiment.at(field) + "no run's scenario has a parameter '"
            + p.name() + "'"));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
  }

  /** The scenario named so, if there is one. */
  public Optional<ScenarioDescriptor> scenario(String name) {
    return runs.scenarios().stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /** The scenarios a student's program may take part in. */
  public List<String> withProgramSlots() {
    return runs.scenarios().stream().filter(d -> !d.programs().isEmpty()).map(ScenarioDescriptor::name).toList();
  }

  /** "params[rate]" → "rate". */
  private static String paramName(String field) {
    return field.startsWith("params[") && field.endsWith("]") ? field.substring(7, field.length() - 1) : field;
  }

  /** The run as the grader needs it, from the lab's event log. */
  private RunRecord record(Caller caller, Lab lab, Run run) throws InterruptedException {
    Map<String, Map<TcpState, Integer>> end = new LinkedHashMap<>();
    Map<String, Map<TcpState, Integer>> peak = new HashMap<>();
    lab.nodes().forEach(n -> {
      end.put(n.name(), Map.of());
      peak.put(n.name(), new HashMap<>());
    });
    List<SocketChange> transitions = new ArrayList<>();
    List<RunRecord.CountSample> series = new ArrayList<>();
    Map<String, List<String>> holes = new HashMap<>();
    if (!lab.observationMode().startsWith(LabObserver.TRACING_MODE)) {
      // Sampling every 100 ms misses states shorter than that: a transition it did not see may have happened.
      lab.nodes().forEach(n -> holes.computeIfAbsent(n.name(), k -> new ArrayList<>()).add(lab.observationMode()));
    }
    for (LabEvent event : runs.eventsOf(caller, run)) {
      if (event.payload() instanceof EventPayload.ObservationNotice n) {
        holes.computeIfAbsent(n.node(), k -> new ArrayList<>()).add(n.message());
      }
      if (event.payload() instanceof EventPayload.ConnectionTransition t) {
        transitions.add(t.change());
      } else if (event.payload() instanceof EventPayload.StateCounts c) {
        end.put(c.node(), c.counts());
        series.add(new RunRecord.CountSample(event.time(), c.node(), c.counts()));
        c.counts().forEach((state, n) -> peak.computeIfAbsent(c.node(), k -> new HashMap<>()).merge(state, n, Math::max));
      }
    }
    Optional<ScenarioResult> result = run.result();
    Map<String, Map<String, Long>> counters = new HashMap<>();
    result.ifPresent(r -> r.counters().forEach((node, c) -> counters.put(node, c.values())));
    Map<String, Map<String, Long>> errors = new HashMap<>();
    result.ifPresent(r -> r.outcome().loads().forEach(load -> load.errors().forEach((errno, n) ->
        errors.computeIfAbsent(load.node(), k -> new HashMap<>()).merge(errno, n, Long::sum))));
    Map<String, Map<String, String>> sysctls = Runs.effectiveSysctls(lab, run);
    return new RunRecord(run.startedAt(), run.finishedAt().orElse(clock.instant()), end, peak, series, transitions, counters,
        errors, sysctls, holes);
  }
}
