package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ObservationFinding;
import io.twlab.proto.v1.V1.Verdict;
import io.twlab.proto.v1.V1.VerdictOutcome;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hole in observation is forced on the real kernel (the host's tracer is paused): the run's audit
 * finds the kernel's counters ahead of what was traced, so a transition expectation that only the
 * tracer can see is an ERROR, never a FAIL, and what the samples do see still passes.
 */
class ObservationHoleIT {
  private static final String EXPERIMENT = """
      name: seen while the tracer is paused
      lab: {topology: direct}
      runs:
        - scenario: nc-timewait
          params: {port: "5300"}
          expect:
            - sequence: {node: client, states: [SYN_SENT, ESTABLISHED]}
            - count: client TIME_WAIT == 1 at peak
      """;

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void whatOnlyTheTracerCanSeeIsAnErrorWhileItIsSilent() throws Exception {
    // The tracer starts with the first lab; a SYN_SENT lasts well under the sampler's 100 ms. The
    // host observer's tracer is stopped, not the observer: its samples go on.
    twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    String observer = "twlab-observer-" + twlab.owner;
    String tracer = TwlabFixture.docker("top", observer, "-o", "pid,comm").stream()
        .filter(l -> l.trim().endsWith(" twlab-trace")).map(l -> l.trim().split("\\s+")[0]).findFirst()
        .orElseThrow(() -> new AssertionError("the observer runs twlab-trace"));
    TwlabFixture.docker("exec", observer, "kill", "-STOP", tracer);
    try {
      Thread.sleep(2_500);
      HttpResponse<String> response = twlab.post("/api/v1/grades", EXPERIMENT);
      assertEquals(200, response.statusCode(), response.body());
      GradeReport.Builder report = GradeReport.newBuilder();
      JsonFormat.parser().merge(response.body(), report);

      Verdict sequence = report.getRuns(0).getVerdicts(0);
      Verdict count = report.getRuns(0).getVerdicts(1);
      assertFalse(report.getPassed(), response.body());
      assertEquals(VerdictOutcome.VERDICT_OUTCOME_ERROR, sequence.getOutcome(), response.body());
      // The run's audit: the kernel counted the connect, the paused tracer did not report it.
      assertTrue(sequence.getReason().startsWith("cannot be judged: observation incomplete: the kernel counted 1 "
          + "(TcpActiveOpens) but 0 active opens"), sequence.getReason());
      assertEquals(VerdictOutcome.VERDICT_OUTCOME_PASSED, count.getOutcome(), "samples still see TIME_WAIT");
      ObservationFinding finding = report.getRuns(0).getRun().getObservationIncompleteList().stream()
          .filter(f -> f.getNode().equals("client") && f.getCounter().equals("TcpActiveOpens")).findFirst()
          .orElseThrow(() -> new AssertionError("the run carries its audit's findings: " + response.body()));
      assertEquals(1, finding.getCounted());
      assertEquals(0, finding.getObserved());
    } finally {
      TwlabFixture.docker("exec", observer, "kill", "-CONT", tracer);
    }
  }
}
