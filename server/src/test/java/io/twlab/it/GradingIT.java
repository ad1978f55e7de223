package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.core.FieldViolation;
import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.Verdict;
import io.twlab.proto.v1.V1.VerdictOutcome;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Experiment files graded on the real kernel: the examples pass, a wrong expectation says why, a bad file starts nothing. */
class GradingIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void everyExamplePassesOnThisKernelAndItsLabIsRemoved() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
      // Sweeps (*-sweep.yaml) are graded by SweepIT.
      examples = files.filter(f -> f.toString().endsWith(".yaml") && !f.toString().endsWith("-sweep.yaml")).sorted()
          .toList();
    }
    assertTrue(examples.size() >= 7, "examples: " + examples);
    for (Path example : examples) {
      GradeReport report = grade(Files.readString(example));
      assertTrue(report.getPassed(), example + ": " + report);
      assertTrue(report.getRuns(0).getVerdictsCount() > 0);
    }
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + twlab.owner), "the graded labs are removed");
  }

  @Test
  void aWrongExpectationFailsSayingWhatWasObservedAndWhy() throws Exception {
    String wrong = Files.readString(Path.of("..", "examples", "tw-buckets.yaml")).replace("value: 290", "value: 291");
    HttpResponse<String> response = twlab.post("/api/v1/grades", wrong);
    assertEquals(200, response.statusCode(), response.body());
    GradeReport.Builder report = GradeReport.newBuilder();
    JsonFormat.parser().merge(response.body(), report);
    assertEquals(false, report.getPassed(), response.body());
    Verdict overflow = report.getRuns(0).getVerdicts(0);
    assertEquals(false, overflow.getPassed());
    assertEquals(VerdictOutcome.VERDICT_OUTCOME_FAILED, overflow.getOutcome(), "the kernel's counter is no hole");
    assertEquals("bucket-client TcpExtTCPTimeWaitOverflow == 291", overflow.getExpectation());
    assertEquals("bucket-client TcpExtTCPTimeWaitOverflow moved by 290", overflow.getObserved());
    assertEquals("expected == 291", overflow.getReason());
    assertTrue(report.getRuns(0).getVerdicts(1).getPassed(), "the other expectation still holds");
  }

  @Test
  void aMalformedFileIsRefusedByLineAndFieldAndStartsNothing() throws Exception {
    String header = """
        name: bad
        lab:
          topology: direct
        runs:
          - scenario: nc-timewait
            params: {closer: nobody}
            expect:
              - count: redis TIME_WAIT >= 1
        """;
    // The file is read whole first: a bad field in it is reported before the scenarios are checked.
    List<BadRequest.FieldViolation> unreadable = refused(header
        + "      - sequence: {node: client, states: [ESTABLISHED, TIME_WAITING]}\n");
    assertEquals(List.of("runs[0].expect[1].sequence.states[1]"),
        unreadable.stream().map(BadRequest.FieldViolation::getField).toList());
    assertTrue(unreadable.get(0).getDescription().startsWith("line 9: 'TIME_WAITING' is not a TCP state"),
        unreadable.get(0).getDescription());

    assertEquals(List.of("runs[0].params[closer]: line 6: 'nobody' is not one of client, server",
        "runs[0].expect[0]: line 8: no node 'redis' in this run; its nodes are client, server"),
        refused(header).stream().map(v -> v.getField() + ": " + v.getDescription()).toList());
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + twlab.owner), "nothing was started");
  }

  private static List<BadRequest.FieldViolation> refused(String experiment) throws Exception {
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> grade(experiment));
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    return LabLifecycleIT.violations(refused);
  }

  private static GradeReport grade(String experiment) {
    return twlab.grpc().gradeExperiment(GradeExperimentRequest.newBuilder().setExperiment(experiment).build());
  }
}
