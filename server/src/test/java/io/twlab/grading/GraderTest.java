package io.twlab.grading;

import static io.twlab.core.TcpState.CLOSED;
import static io.twlab.core.TcpState.ESTABLISHED;
import static io.twlab.core.TcpState.FIN_WAIT1;
import static io.twlab.core.TcpState.FIN_WAIT2;
import static io.twlab.core.TcpState.SYN_SENT;
import static io.twlab.core.TcpState.TIME_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.grading.Comparison.Op;
import io.twlab.grading.Expectation.CounterDelta;
import io.twlab.grading.Expectation.EffectiveSysctl;
import io.twlab.grading.Expectation.ErrorCount;
import io.twlab.grading.Expectation.Sequence;
import io.twlab.grading.Expectation.StateCount;
import io.twlab.grading.Expectation.StateCount.When;
import io.twlab.grading.Expectation.StateDuration;
import io.twlab.grading.RunRecord.CountSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GraderTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private final List<SocketChange> changes = new ArrayList<>();

  @Test
  void passesWhatTheRunShowedAndSaysWhyTheRestFailed() {
    change(0, "client", ":1", CLOSED, SYN_SENT);
    change(1, "client", ":1", SYN_SENT, ESTABLISHED);
    change(500, "client", ":1", ESTABLISHED, FIN_WAIT1);
    change(501, "client", ":1", FIN_WAIT1, FIN_WAIT2);
    change(502, "client", ":1", FIN_WAIT2, TIME_WAIT);
    change(60_602, "client", ":1", TIME_WAIT, CLOSED);
    change(1_000, "client", ":2", ESTABLISHED, TIME_WAIT);
    RunRecord run = new RunRecord(T0, T0.plusSeconds(61),
        Map.of("client", Map.of(TIME_WAIT, 1), "server", Map.of()),
        Map.of("client", Map.of(TIME_WAIT, 2), "server", Map.of()),
        List.of(new RunRecord.CountSample(T0.plusMillis(502), "client", Map.of(TIME_WAIT, 1)),
            new RunRecord.CountSample(T0.plusMillis(1_000), "client", Map.of(TIME_WAIT, 2)),
            new RunRecord.CountSample(T0.plusMillis(60_602), "client", Map.of(TIME_WAIT, 1))),
        changes, Map.of("client", Map.of("TcpExtTW", 2L)),
        Map.of("client", Map.of("EADDRNOTAVAIL", 1L), "control-client", Map.of("EADDRNOTAVAIL", 2L)),
        Map.of("client", Map.of("net.ipv4.tcp_fin_timeout", "60")), Map.of());

    List<Verdict> verdicts = Grader.grade(List.of(
        new Expectation.StateCount("client", TIME_WAIT, new Comparison(Op.AT_LEAST, 2, 0), When.PEAK),
        new Expectation.StateCount("client", TIME_WAIT, new Comparison(Op.AT_LEAST, 2, 0), When.END),
        new Expectation.Sequence("client", List.of(FIN_WAIT1, FIN_WAIT2, TIME_WAIT)),
        new Expectation.Sequence("client", List.of(ESTABLISHED, TcpState.CLOSE_WAIT)),
        new Expectation.StateDuration("client", TIME_WAIT, new Comparison(Op.ABOUT, 60, 2)),
        new Expectation.CounterDelta("client", "TcpExtTW", new Comparison(Op.EQUAL, 2, 0)),
        new Expectation.ErrorCount("EADDRNOTAVAIL", new Comparison(Op.EQUAL, 0, 0)),
        new Expectation.EffectiveSysctl("client", "net.ipv4.tcp_fin_timeout", "60"),
        new Expectation.StateCount("redis", TIME_WAIT, new Comparison(Op.EQUAL, 0, 0), When.END),
        new Expectation.StateCount("client", TIME_WAIT, new Comparison(Op.EQUAL, 2, 0), When.AT, Duration.ofSeconds(30)),
        new Expectation.StateCount("client", TIME_WAIT, new Comparison(Op.EQUAL, 0, 0), When.AT, Duration.ofMillis(200)),
        new Expectation.StateCount("client", TIME_WAIT, new Comparison(Op.EQUAL, 0, 0), When.AT, Duration.ofSeconds(90)),
        new Expectation.ErrorCount(Optional.of("client"), "EADDRNOTAVAIL", new Comparison(Op.EQUAL, 1, 0))),
        run);

    assertEquals(List.of(true, false, true, false, false, true, false, true, false, true, true, false, true),
        verdicts.stream().map(Verdict::passed).toList());
    assertEquals("client TIME_WAIT 30 s into the run: 2", verdicts.get(9).observed());
    assertEquals("it ended before 90 s into the run", verdicts.get(11).reason());
    assertEquals("client TIME_WAIT at the end: 1", verdicts.get(1).observed());
    assertEquals("expected >= 2", verdicts.get(1).reason());
    assertEquals("no connection of client went ESTABLISHED → CLOSE_WAIT", verdicts.get(3).reason());
    assertEquals("CLOSED → SYN_SENT → ESTABLISHED → FIN_WAIT1 → FIN_WAIT2 → TIME_WAIT → CLOSED (1); "
        + "ESTABLISHED → TIME_WAIT (1)", verdicts.get(3).observed());
    assertEquals("1 left TIME_WAIT after 60.1 s; 1 still in it at the end, after 60 s", verdicts.get(4).observed());
    assertEquals(true, verdicts.get(4).reason().startsWith("the run ended before TIME_WAIT did"), verdicts.get(4).reason());
    assertEquals("EADDRNOTAVAIL errors: 3", verdicts.get(6).observed());
    assertEquals("client EADDRNOTAVAIL errors: 1", verdicts.get(12).observed());
    assertEquals("the lab has no node redis; it has client, server", verdicts.get(8).reason());
  }

  @Test
  void aTupleUsedAgainIsAnotherConnection() {
    change(0, "redis", ":6379", CLOSED, TcpState.SYN_RECV);
    change(1, "redis", ":6379", TcpState.SYN_RECV, ESTABLISHED);
    change(2, "redis", ":6379", ESTABLISHED, FIN_WAIT1);
    change(3, "redis", ":6379", FIN_WAIT1, FIN_WAIT2);
    change(4, "redis", ":6379", FIN_WAIT2, TIME_WAIT);
    change(50, "redis", ":6379", TIME_WAIT, CLOSED);
    change(50, "redis", ":6379", CLOSED, TcpState.SYN_RECV);
    change(51, "redis", ":6379", TcpState.SYN_RECV, ESTABLISHED);
    RunRecord run = new RunRecord(T0, T0.plusSeconds(1), Map.of(), Map.of(), List.of(), changes, Map.of(), Map.of(), Map.of(), Map.of());

    Verdict across = Grader.grade(new Expectation.Sequence("redis", List.of(TIME_WAIT, CLOSED, TcpState.SYN_RECV)), run);
    Verdict within = Grader.grade(new Expectation.Sequence("redis", List.of(FIN_WAIT2, TIME_WAIT, CLOSED)), run);

    assertEquals(false, across.passed(), across.toString());
    assertEquals("CLOSED → SYN_RECV → ESTABLISHED → FIN_WAIT1 → FIN_WAIT2 → TIME_WAIT → CLOSED (1); "
        + "CLOSED → SYN_RECV → ESTABLISHED (1)", across.observed());
    assertEquals("redis had 2 connection(s); one went CLOSED → SYN_RECV → ESTABLISHED → FIN_WAIT1 → FIN_WAIT2 → "
        + "TIME_WAIT → CLOSED", within.observed());
  }

  @Test
  void aLowerBoundIsSettledBySocketsStillInTheState() {
    change(0, "server", ":9", ESTABLISHED, TcpState.CLOSE_WAIT);
    RunRecord run = new RunRecord(T0, T0.plusSeconds(40), Map.of(), Map.of(), List.of(), changes, Map.of(), Map.of(), Map.of(), Map.of());
    Verdict v = Grader.grade(new Expectation.StateDuration("server", TcpState.CLOSE_WAIT,
        new Comparison(Op.MORE, 30, 0)), run);
    assertEquals(true, v.passed(), v.toString());
  }

  @Test
  void aTransitionExpectationThatFailsWhereObservationHadAHoleCannotBeJudged() {
    change(0, "client", ":1", ESTABLISHED, FIN_WAIT1);
    change(900, "client", ":1", FIN_WAIT1, TIME_WAIT);
    String hole = "1 TIME_WAIT sockets of this node were found by the sampler without their traced close";
    RunRecord run = new RunRecord(T0, T0.plusSeconds(2), Map.of("client", Map.of(TIME_WAIT, 1)), Map.of(), List.of(),
        changes, Map.of(), Map.of(), Map.of(), Map.of("client", List.of(hole)));

    Verdict sequence = Grader.grade(new Expectation.Sequence("client", List.of(FIN_WAIT1, FIN_WAIT2, TIME_WAIT)), run);
    Verdict held = Grader.grade(new Expectation.Sequence("client", List.of(FIN_WAIT1, TIME_WAIT)), run);
    Verdict count = Grader.grade(new Expectation.StateCount("client", TIME_WAIT, new Comparison(Op.EQUAL, 2, 0),
        When.END), run);
    Verdict elsewhere = Grader.grade(new Expectation.Sequence("server", List.of(ESTABLISHED, TcpState.CLOSE_WAIT)),
        run);

    assertEquals(Verdict.Outcome.ERROR, sequence.outcome(), "FIN_WAIT2 may have been missed, not skipped");
    assertEquals(false, sequence.passed());
    assertEquals("cannot be judged: " + hole + " (the observer missed something, not the kernel; run it again)",
        sequence.reason());
    assertEquals(Verdict.Outcome.PASSED, held.outcome(), "what was seen did happen");
    assertEquals(Verdict.Outcome.FAILED, count.outcome(), "counts come from samples, which had no hole");
    assertEquals(Verdict.Outcome.FAILED, elsewhere.outcome(), "the hole was on another node");
  }

  private void change(long ms, String node, String local, TcpState from, TcpState to) {
    changes.add(new SocketChange(node, T0.plusMillis(ms), new SocketKey(local, "r"), from, to, Optional.empty(), true));
  }
}
