package io.twlab.grading;

import io.twlab.core.TcpState;
import io.twlab.grading.Expectation.StateCount.When;
import io.twlab.lab.LabSpec;
import io.twlab.scenario.Program;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An assignment as its instructor wrote it: an experiment whose checks carry marks (points,
 * feedback, visibility), a due date, the time one submission may take, and what a student may
 * submit: settings within what the instructor allows, and predictions of what the kernel will do.
 */
public record Assignment(Instant dueAt, Duration timeLimit, Experiment experiment, List<Setting> settings,
    List<Prediction> predictions, List<ProgramSlot> programs) {
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofMinutes(10);
  public static final Duration MAX_TIME_LIMIT = Duration.ofMinutes(30);
  public static final Duration DEFAULT_PROGRAM_TIME_LIMIT = Duration.ofSeconds(60);

  public Assignment {
    settings = List.copyOf(settings);
    predictions = List.copyOf(predictions);
    programs = List.copyOf(programs);
  }

  public String name() {
    return experiment.name();
  }

  /** The points of every check: the experiment's and one per prediction. */
  public double maxPoints() {
    return experiment.steps().stream().flatMap(s -> s.expects().stream()).mapToDouble(e -> e.mark().points()).sum()
        + predictions.stream().mapToDouble(p -> p.mark().points()).sum();
  }

  /**
   * The experiment a submission makes: the instructor's, with the student's settings applied and
   * one check per prediction, added to the run it asks about.
   */
  public Experiment experimentFor(Submission submission) {
    Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
    experiment.lab().sysctls().forEach((node, values) -> sysctls.put(node, new LinkedHashMap<>(values)));
    List<Map<String, String>> params = new ArrayList<>();
    List<List<Experiment.Expect>> expects = new ArrayList<>();
    List<Map<String, Program>> programs = new ArrayList<>();
    for (Experiment.Step step : experiment.steps()) {
      params.add(new LinkedHashMap<>(step.params()));
      expects.add(new ArrayList<>(step.expects()));
      programs.add(new LinkedHashMap<>());
    }
    for (ProgramSlot slot : this.programs) {
      programs.get(slot.run()).put(slot.slot(), submission.programs().get(slot.name()));
    }
    for (Setting setting : settings) {
      String value = submission.settings().get(setting.name());
      if (setting.target() instanceof Target.Sysctl s) {
        sysctls.computeIfAbsent(s.node(), n -> new LinkedHashMap<>()).put(s.key(), value);
      } else if (setting.target() instanceof Target.Param p) {
        params.get(p.run()).put(p.name(), value);
      }
    }
    for (Prediction prediction : predictions) {
      expects.get(prediction.run()).add(new Experiment.Expect(prediction.answered(submission.predictions()
          .get(prediction.name())), Map.of(), prediction.mark()));
    }
    List<Experiment.Step> steps = new ArrayList<>();
    for (int i = 0; i < experiment.steps().size(); i++) {
      steps.add(new Experiment.Step(experiment.steps().get(i).scenario(), params.get(i), expects.get(i),
          programs.get(i)));
    }
    LabSpec lab = experiment.lab();
    return new Experiment(experiment.name(), new LabSpec(lab.topology(), lab.clients(), lab.snatPorts(), sysctls,
        lab.ttl()), steps, List.of(), experiment.lines());
  }

  /**
   * A value the student chooses: a node's (or every node of a role's) sysctl, or a run's
   * parameter; one of {@code values}, or a whole number from {@code min} to {@code max} when
   * {@code values} is empty.
   */
  public record Setting(String name, String description, Target target, List<String> values, long min, long max) {
    public Setting {
      values = List.copyOf(values);
    }

    public boolean allows(String value) {
      if (!values.isEmpty()) {
        return values.contains(value);
      }
      try {
        long n = Long.parseLong(value);
        return n >= min && n <= max;
      } catch (NumberFormatException e) {
        return false;
      }
    }

    /** Each of its values, or both ends of its range: what a check of every choice must try. */
    public List<String> ends() {
      return values.isEmpty() ? List.of(String.valueOf(min), String.valueOf(max)) : values;
    }

    /** "one of 0, 1" or "a whole number from 0 to 1000". */
    public String allowed() {
      return values.isEmpty() ? "a whole number from " + min + " to " + max : "one of " + String.join(", ", values);
    }
  }

  /**
   * A program the student writes: it fills the slot {@code slot} of run {@code run}'s scenario, in
   * one of {@code languages}, of at most {@code maxBytes}, and may run for {@code timeLimit}.
   */
  public record ProgramSlot(String name, String description, int run, String slot, List<Program.Language> languages,
      int maxBytes, Duration timeLimit) {
    public ProgramSlot {
      languages = List.copyOf(languages);
    }

    /** A placeholder program of the slot, to check an assignment before any student submitted one. */
    public Program placeholder() {
      return new Program(languages.get(0), new byte[] {'#'}, timeLimit);
    }
  }

  /** What a setting sets. */
  public sealed interface Target {
    /** A sysctl of a node, or of every node of a role. */
    record Sysctl(String node, String key) implements Target {}

    /** A parameter of the experiment's run {@code run} (counted from 0). */
    record Param(int run, String name) implements Target {}
  }

  /**
   * A question whose answer the kernel gives in run {@code run}: the student predicts a number (within
   * {@code tolerance}) or a sequence of states, and the prediction is checked like an expectation.
   */
  public record Prediction(String name, String question, int run, Observed observed, double tolerance, Mark mark) {

    /** The check of a student's answer (the submission was checked, so the answer has the right form). */
    Expectation answered(Submission.Answer answer) {
      if (observed instanceof Observed.Sequence s && answer instanceof Submission.Answer.States states) {
        return new Expectation.Sequence(s.node(), states.states());
      }
      double value = ((Submission.Answer.Number) answer).value();
      Comparison about = new Comparison(Comparison.Op.ABOUT, value, tolerance);
      if (observed instanceof Observed.Count c) {
        return new Expectation.StateCount(c.node(), c.state(), about, c.when(), c.at());
      }
      Observed.Counter counter = (Observed.Counter) observed;
      return new Expectation.CounterDelta(counter.node(), counter.counter(), about);
    }

    /** What the answer is: "a number" or "a list of TCP states". */
    public String answerForm() {
      return observed instanceof Observed.Sequence ? "a list of at least two TCP states" : "a number";
    }
  }

  /** What a prediction asks about. */
  public sealed interface Observed {
    /** Sockets of a node in a state, at a moment of the run. */
    record Count(String node, TcpState state, When when, Duration at) implements Observed {}

    /** A kernel counter's change on a node over the run. */
    record Counter(String node, String counter) implements Observed {}

    /** The states one connection of the node goes through, in order. */
    record Sequence(String node) implements Observed {}
  }
}
