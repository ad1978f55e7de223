package io.twlab.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.TcpState;
import io.twlab.grading.Assignment.Observed;
import io.twlab.grading.Assignment.Target;
import io.twlab.scenario.Program;
import io.twlab.sysctl.SysctlPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Assignment files and their submissions: the examples read, and every bad field named with its line. */
class AssignmentReaderTest {
  private static final SysctlPolicy POLICY = new SysctlPolicy();
  private static final Path COURSE = Path.of("..", "examples", "course");

  private static Assignment example(String name) throws IOException {
    return AssignmentReader.read(Files.readString(COURSE.resolve(name)), POLICY);
  }

  private static List<String> fields(Runnable reading) {
    return assertThrows(InvalidArgumentException.class, reading::run).violations().stream().map(FieldViolation::field)
        .toList();
  }

  @Test
  void readsTheSettingsExampleWithItsMarksAndSlots() throws IOException {
    Assignment a = example("closer.assignment.yaml");
    assertEquals("make the server hold the TIME_WAIT", a.name());
    assertEquals(Instant.parse("2030-12-20T23:59:00Z"), a.dueAt());
    assertEquals(Duration.ofMinutes(5), a.timeLimit());
    assertEquals(7, a.maxPoints());
    List<Mark> marks = a.experiment().steps().get(0).expects().stream().map(Experiment.Expect::mark).toList();
    assertEquals(List.of(Mark.Visibility.VISIBLE, Mark.Visibility.VISIBLE, Mark.Visibility.HIDDEN,
        Mark.Visibility.AFTER_DUE_DATE), marks.stream().map(Mark::visibility).toList());
    assertEquals("the server holds one TIME_WAIT", marks.get(0).name());
    assertTrue(marks.get(0).feedback().startsWith("The side that sends the first FIN"));
    assertEquals(new Target.Param(0, "closer"), a.settings().get(0).target());
    assertEquals(new Target.Sysctl("server", "net.ipv4.tcp_max_tw_buckets"), a.settings().get(1).target());
    assertTrue(a.settings().get(1).allows("0") && a.settings().get(1).allows("1000"));
    assertTrue(!a.settings().get(1).allows("1001") && !a.settings().get(0).allows("both"));
  }

  @Test
  void aSubmissionSetsTheLabAndTheRunAndEveryPredictionBecomesACheck() throws IOException {
    Assignment settings = example("closer.assignment.yaml");
    Experiment made = settings.experimentFor(AssignmentReader.submission(Files.readString(COURSE.resolve(
        "closer.buggy.yaml")), settings));
    assertEquals(Map.of("net.ipv4.tcp_max_tw_buckets", "0"), made.lab().sysctls().get("server"));
    assertEquals("server", made.steps().get(0).params().get("closer"));

    Assignment predictions = example("buckets.assignment.yaml");
    assertEquals(8, predictions.maxPoints());
    Experiment predicted = predictions.experimentFor(AssignmentReader.submission(Files.readString(COURSE.resolve(
        "buckets.correct.yaml")), predictions));
    List<Experiment.Expect> expects = predicted.steps().get(0).expects();
    assertEquals(5, expects.size());
    assertEquals(new Expectation.StateCount("bucket-client", TcpState.TIME_WAIT, new Comparison(Comparison.Op.ABOUT, 10, 1),
        Expectation.StateCount.When.PEAK), expects.get(2).expectation());
    assertEquals(new Expectation.CounterDelta("bucket-client", "TcpExtTCPTimeWaitOverflow",
        new Comparison(Comparison.Op.ABOUT, 290, 0)), expects.get(3).expectation());
    assertEquals(new Expectation.Sequence("bucket-client", List.of(TcpState.SYN_SENT, TcpState.ESTABLISHED,
        TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.TIME_WAIT)), expects.get(4).expectation());
    assertEquals("time-wait-peak", expects.get(2).mark().name());
    assertTrue(predictions.predictions().get(0).observed() instanceof Observed.Count);
  }

  @Test
  void everyBadFieldOfAnAssignmentIsNamedAtOnce() {
    List<String> fields = fields(() -> AssignmentReader.read("""
        name: bad
        lab: {topology: direct}
        sweep: {params: {closer: [client, server]}}
        runs:
          - scenario: nc-timewait
            expect:
              - count: server TIME_WAIT == 1 at peak
                points: -1
                visibility: secret
                colour: red
        assignment:
          due: next friday
          time_limit: 2h
          settings:
            - name: Closer!
              param: {run: 3, name: closer}
              sysctl: {node: server, name: net.ipv4.tcp_max_tw_buckets}
              values: [client]
            - name: buckets
              sysctl: {node: nowhere, name: net.ipv4.tcp_max_tw_buckets}
              min: 10
              max: 1
            - name: buckets
              sysctl: {node: server, name: kernel.panic}
              values: ["1"]
          predictions:
            - name: guess
              question: what?
            - name: states
              question: which states?
              run: 7
              sequence: {node: server}
        """, POLICY));
    assertEquals(List.of("runs[0].expect[0].colour", "runs[0].expect[0].points", "runs[0].expect[0].visibility", "sweep",
        "assignment.due", "assignment.time_limit", "assignment.settings[0].name", "assignment.settings[0]",
        "assignment.settings[1].max", "assignment.settings[2].name",
        "assignment.settings[2].sysctl", "assignment.predictions[0]", "assignment.predictions[1].run"), fields);
  }

  @Test
  void aSettingNamesANodeOrRoleOfTheLab() {
    assertEquals(List.of("assignment.settings[0].sysctl.node"), fields(() -> AssignmentReader.read("""
        name: nodes
        lab: {topology: direct}
        runs:
          - scenario: nc-timewait
        assignment:
          due: 2030-01-01T00:00:00Z
          settings:
            - name: buckets
              sysctl: {node: gateway, name: net.ipv4.tcp_max_tw_buckets}
              min: 0
              max: 10
        """, POLICY)));
  }

  @Test
  void aSubmissionIsRefusedNamingEveryMissingUnknownOrDisallowedAnswer() throws IOException {
    Assignment a = example("closer.assignment.yaml");
    assertEquals(List.of("settings.closer", "settings.server-tw-buckets", "settings.colour"), fields(() ->
        AssignmentReader.submission("""
            settings: {closer: both, server-tw-buckets: 5000}
            ---
            settings: {colour: red}
            """, a)));
    assertEquals(List.of("settings.closer", "settings.server-tw-buckets"), fields(() ->
        AssignmentReader.submission("""
            settings: {closer: server}
            ---
            settings: {closer: client}
            """, a)));
    Assignment predictions = example("buckets.assignment.yaml");
    assertEquals(List.of("predictions.time-wait-peak", "predictions.closer-states[1]", "predictions.overflow"), fields(() -> AssignmentReader.submission("""
            predictions:
              time-wait-peak: ten
              closer-states: [SYN_SENT, NOT_A_STATE]
            """, predictions)));
  }

  @Test
  void theProgramExamplesNameTheirSlotsAndASubmittedProgramReplacesTheScenarios() throws IOException {
    Assignment leak = example("leak-fix.assignment.yaml");
    Assignment.ProgramSlot server = leak.programs().get(0);
    assertEquals(new Assignment.ProgramSlot("server", "your server, in Python 3", 0, "server",
        List.of(Program.Language.PYTHON), 64 * 1024, Duration.ofSeconds(90)), server);
    byte[] code = Files.readAllBytes(COURSE.resolve("programs/leak-fix.correct.py"));
    Experiment made = leak.experimentFor(AssignmentReader.submission("", leak,
        List.of(new Submission.ProgramFile("server", "", "server.py", code))));
    Program program = made.steps().get(0).programs().get("server");
    assertEquals(Program.Language.PYTHON, program.language());
    assertEquals(Duration.ofSeconds(90), program.timeLimit());
    assertEquals(List.of(Program.Language.values()), example("linger.assignment.yaml").programs().get(0).languages());
  }

  @Test
  void everyBadFieldOfAProgramSlotIsNamed() {
    assertEquals(List.of("assignment.programs[0].languages", "assignment.programs[0].max_bytes",
        "assignment.programs[0].time_limit", "assignment.programs[1].name", "assignment.programs[1].slot",
        "assignment.programs[2].slot"), fields(() -> AssignmentReader.read("""
        name: programs
        lab: {topology: direct}
        runs:
          - scenario: close-wait-leak
        assignment:
          due: 2030-01-01T00:00:00Z
          time_limit: 2m
          programs:
            - name: server
              slot: server
              languages: [python, cobol]
              max_bytes: 100000
              time_limit: 5m
            - name: server
            - name: again
              slot: server
        """, POLICY)));
  }

  @Test
  void aSubmittedProgramIsRefusedByFieldWhenItCannotRunInItsSlot() throws IOException {
    Assignment leak = example("leak-fix.assignment.yaml");
    assertEquals(List.of("programs[server]"), fields(() -> AssignmentReader.submission("", leak, List.of())));
    assertEquals(List.of("programs[server].language"), fields(() -> AssignmentReader.submission("", leak,
        List.of(new Submission.ProgramFile("server", "", "server.sh", "echo hi".getBytes())))));
    assertEquals(List.of("programs[client]", "programs[server]"), fields(() -> AssignmentReader.submission("", leak,
        List.of(new Submission.ProgramFile("client", "python", "c.py", "print(1)".getBytes())))));
    assertEquals(List.of("programs[server]"), fields(() -> AssignmentReader.submission("", leak,
        List.of(new Submission.ProgramFile("server", "python", "s.py", new byte[70 * 1024])))));
    assertEquals(List.of("programs[server]"), fields(() -> AssignmentReader.submission("", leak,
        List.of(new Submission.ProgramFile("server", "python", "s.py", new byte[] {(byte) 0xff, (byte) 0xfe})))));
  }
}
