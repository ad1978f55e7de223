package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunGrade;
import io.twlab.proto.v1.V1.SweepCell;
import io.twlab.proto.v1.V1.SweepReport;
import io.twlab.proto.v1.V1.Verdict;
import io.twlab.proto.v1.V1.VerdictOutcome;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Our JUnit XML against the schema of the JUnit XML that Maven Surefire writes and CI systems read
 * (target/junit-schema, unpacked from Surefire's source release by the build). That schema
 * describes one {@code testsuite}; the {@code testsuites} around ours must add up.
 */
class JunitReportTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final Path SCHEMA = Path.of("target", "junit-schema", "surefire-test-report.xsd");

  @Test
  void passedFailedAndErroredRunsAreValidTestSuites() throws Exception {
    GradeReport report = GradeReport.newBuilder().setExperiment("short connections & <co>")
        .setStartedAt(Timestamps.fromMillis(T0)).setFinishedAt(Timestamps.fromMillis(T0 + 30_000))
        .addRuns(grade("redis-flood", "", verdict("client TIME_WAIT >= 1900 at its peak", true),
            verdict("server TIME_WAIT == 0 at its peak", false)))
        .addRuns(grade("tw-buckets", "the lab was deleted", verdict("bucket-client TcpExtTW >= 1", false)))
        .build();

    Element suites = validated(JunitReport.of(report));

    assertEquals(List.of("3", "1", "1"), List.of(suites.getAttribute("tests"), suites.getAttribute("failures"),
        suites.getAttribute("errors")));
    assertEquals("expected == 0; observed: server TIME_WAIT peaked at 3",
        ((Element) suites.getElementsByTagName("failure").item(0)).getAttribute("message"));
    assertEquals("the run failed: the lab was deleted",
        ((Element) suites.getElementsByTagName("error").item(0)).getAttribute("message"));
    Element run = (Element) suites.getElementsByTagName("property").item(0);
    assertEquals(List.of("twlab.run", "run-redis-flood"), List.of(run.getAttribute("name"), run.getAttribute("value")));
  }

  @Test
  void anExpectationThatCouldNotBeJudgedIsAnErrorNotAFailureAndTheExitCodeSaysSo() throws Exception {
    Verdict unjudged = verdict("client goes FIN_WAIT1 → FIN_WAIT2 → TIME_WAIT", false).toBuilder()
        .setOutcome(VerdictOutcome.VERDICT_OUTCOME_ERROR).setReason("cannot be judged: a hole").build();
    GradeReport report = GradeReport.newBuilder().setExperiment("nc").setStartedAt(Timestamps.fromMillis(T0))
        .setFinishedAt(Timestamps.fromMillis(T0 + 3_000))
        .addRuns(grade("nc-timewait", "", verdict("client TIME_WAIT == 1 at its peak", true), unjudged)).build();

    Element suites = validated(JunitReport.of(report));

    assertEquals(List.of("2", "0", "1"), List.of(suites.getAttribute("tests"), suites.getAttribute("failures"),
        suites.getAttribute("errors")));
    Element error = (Element) suites.getElementsByTagName("error").item(0);
    assertEquals(List.of("observation", "cannot be judged: a hole"),
        List.of(error.getAttribute("type"), error.getAttribute("message")));
    assertEquals(Verdicts.UNJUDGED, Verdicts.exitCode(report.getRunsList()));
    assertEquals(1, Verdicts.exitCode(List.of(grade("x", "", verdict("a", false), unjudged))), "a failure wins");
    assertEquals(0, Verdicts.exitCode(List.of(grade("x", "", verdict("a", true)))));
  }

  @Test
  void aSweepIsOneValidTestSuitePerRunOfEachCell() throws Exception {
    SweepReport sweep = SweepReport.newBuilder().setExperiment("reuse").addDimensions("tcp_tw_reuse")
        .setStartedAt(Timestamps.fromMillis(T0)).setFinishedAt(Timestamps.fromMillis(T0 + 60_000))
        .addCells(cell("0", grade("port-exhaustion", "", verdict("EADDRNOTAVAIL errors == 200", true))))
        .addCells(cell("1", grade("port-exhaustion", "", verdict("EADDRNOTAVAIL errors == 0", false))))
        .build();

    Element suites = validated(JunitReport.of(sweep));

    assertEquals("reuse [tcp_tw_reuse=1] / run 1: port-exhaustion",
        ((Element) suites.getElementsByTagName("testsuite").item(1)).getAttribute("name"));
    assertEquals("1", suites.getAttribute("failures"));
  }

  /** Checks every testsuite against the schema and the totals of testsuites; returns testsuites. */
  private static Element validated(String xml) throws Exception {
    DocumentBuilderFactory parser = DocumentBuilderFactory.newInstance();
    parser.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    Element root = parser.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
    assertEquals("testsuites", root.getTagName());
    Validator validator = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(SCHEMA.toFile())
        .newValidator();
    NodeList suites = root.getElementsByTagName("testsuite");
    List<String> totals = new ArrayList<>(List.of("0", "0", "0"));
    for (int i = 0; i < suites.getLength(); i++) {
      Element suite = (Element) suites.item(i);
      validator.validate(new DOMSource(suite));
      List<String> counts = List.of(suite.getAttribute("tests"), suite.getAttribute("failures"),
          suite.getAttribute("errors"));
      for (int k = 0; k < 3; k++) {
        totals.set(k, String.valueOf(Integer.parseInt(totals.get(k)) + Integer.parseInt(counts.get(k))));
      }
    }
    assertEquals(totals, List.of(root.getAttribute("tests"), root.getAttribute("failures"), root.getAttribute("errors")));
    return root;
  }

  private static RunGrade grade(String scenario, String error, Verdict... verdicts) {
    return RunGrade.newBuilder()
        .setRun(Run.newBuilder().setId("run-" + scenario).setScenario(scenario).setError(error)
            .setStartedAt(Timestamps.fromMillis(T0)).setFinishedAt(Timestamps.fromMillis(T0 + 12_345)))
        .addAllVerdicts(List.of(verdicts)).build();
  }

  private static Verdict verdict(String expectation, boolean passed) {
    return Verdict.newBuilder().setExpectation(expectation).setPassed(passed).setKind("count")
        .setObserved(expectation.startsWith("server") ? "server TIME_WAIT peaked at 3" : "as expected")
        .setReason(passed ? "" : "expected == 0").build();
  }

  private static SweepCell cell(String reuse, RunGrade grade) {
    return SweepCell.newBuilder().putValues("tcp_tw_reuse", reuse)
        .setReport(GradeReport.newBuilder().addRuns(grade)).build();
  }
}
