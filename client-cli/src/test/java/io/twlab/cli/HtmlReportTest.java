package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunGrade;
import io.twlab.proto.v1.V1.StateCounts;
import io.twlab.proto.v1.V1.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  private static final long T0 = 1_700_000_000_000L;

  @Test
  void theReportHasTheVerdictsAndAStepChartOfEachRunsStateCounts() {
    RunGrade grade = RunGrade.newBuilder().setPassed(false)
        .setRun(Run.newBuilder().setId("run-1").setScenario("redis-flood")
            .setStartedAt(Timestamps.fromMillis(T0)).setFinishedAt(Timestamps.fromMillis(T0 + 10_000)))
        .addVerdicts(Verdict.newBuilder().setExpectation("client TIME_WAIT >= 5 at the end").setPassed(false)
            .setObserved("client TIME_WAIT at the end: 3").setReason("expected >= 5 <really>"))
        .build();
    List<LabEvent> counts = List.of(counts(1_000, Map.of("TIME_WAIT", 2, "LISTEN", 1)),
        counts(5_000, Map.of("TIME_WAIT", 3, "ESTABLISHED", 1)), counts(6_000, Map.of("TIME_WAIT", 3)));

    String html = HtmlReport.grade(GradeReport.newBuilder().setExperiment("flood & co").addRuns(grade).build(),
        Map.of("run-1", counts));

    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<title>flood &amp; co</title>"), html);
    assertTrue(html.contains("<td class=\"fail\">FAIL</td><td>client TIME_WAIT at the end: 3</td>"
        + "<td>expected &gt;= 5 &lt;really&gt;</td>"), html);
    assertTrue(html.contains(">client TIME_WAIT (peak 3)</text>"), html);
    assertTrue(html.contains(">client ESTABLISHED (peak 1)</text>"), html);
    assertTrue(!html.contains("LISTEN"), "listeners are not charted: " + html);
    // TIME_WAIT: 0 until 1 s, 2 until 5 s, then 3 to the end (the x axis spans the run's 10 s).
    assertTrue(html.contains("points=\"40.0,180.0 40.0,180.0 104.0,180.0 104.0,86.7 360.0,86.7 360.0,40.0 "
        + "424.0,40.0 424.0,40.0 680.0,40.0\""), html);
    // ESTABLISHED ends when a sample no longer lists it.
    assertTrue(html.contains("424.0,133.3 424.0,180.0 680.0,180.0\""), html);
  }

  private static LabEvent counts(long afterMs, Map<String, Integer> counts) {
    return LabEvent.newBuilder().setTime(Timestamps.fromMillis(T0 + afterMs))
        .setStateCounts(StateCounts.newBuilder().setNode("client").putAllCounts(counts)).build();
  }
}
