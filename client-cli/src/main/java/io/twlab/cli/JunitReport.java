package io.twlab.cli;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.GradeReport;
import io.twlab.proto.v1.RunGrade;
import io.twlab.proto.v1.Verdict;
import java.io.StringWriter;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A graded experiment as JUnit XML, which CI systems and autograders read natively: one test suite
 * per run, one test case per expectation; a failed expectation is a failure with expected vs
 * observed, a failed run an error.
 */
final class JunitReport {
  private JunitReport() {}

  static String of(GradeReport report) {
    StringWriter text = new StringWriter();
    try {
      XMLStreamWriter xml = XMLOutputFactory.newInstance().createXMLStreamWriter(text);
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeStartElement("testsuites");
      xml.writeAttribute("name", report.getExperiment());
      xml.writeAttribute("tests", String.valueOf(report.getRunsList().stream().mapToInt(RunGrade::getVerdictsCount).sum()));
      xml.writeAttribute("failures", String.valueOf(report.getRunsList().stream()
          .filter(r -> r.getRun().getError().isEmpty()).mapToLong(JunitReport::failures).sum()));
      xml.writeAttribute("errors", String.valueOf(report.getRunsList().stream()
          .filter(r -> !r.getRun().getError().isEmpty()).mapToInt(RunGrade::getVerdictsCount).sum()));
      xml.writeAttribute("time", seconds(report.getStartedAt(), report.getFinishedAt()));
      for (int i = 0; i < report.getRunsCount(); i++) {
        suite(xml, report, i + 1, report.getRuns(i));
      }
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write the JUnit report", e);
    }
    return text + "\n";
  }

  private static void suite(XMLStreamWriter xml, GradeReport report, int number, RunGrade grade)
      throws XMLStreamException {
    boolean failedRun = !grade.getRun().getError().isEmpty();
    String suite = report.getExperiment() + " / run " + number + ": " + grade.getRun().getScenario();
    xml.writeStartElement("testsuite");
    xml.writeAttribute("name", suite);
    xml.writeAttribute("tests", String.valueOf(grade.getVerdictsCount()));
    xml.writeAttribute("failures", String.valueOf(failedRun ? 0 : failures(grade)));
    xml.writeAttribute("errors", String.valueOf(failedRun ? grade.getVerdictsCount() : 0));
    xml.writeAttribute("skipped", "0");
    xml.writeAttribute("time", seconds(grade.getRun().getStartedAt(), grade.getRun().getFinishedAt()));
    xml.writeAttribute("timestamp", Timestamps.toString(grade.getRun().getStartedAt()).replaceAll("\\.\\d+Z$", "Z"));
    for (Verdict v : grade.getVerdictsList()) {
      xml.writeStartElement("testcase");
      xml.writeAttribute("classname", suite);
      xml.writeAttribute("name", v.getExpectation());
      xml.writeAttribute("time", "0");
      if (failedRun) {
        xml.writeStartElement("error");
        xml.writeAttribute("message", "the run failed: " + grade.getRun().getError());
        xml.writeAttribute("type", "run");
        xml.writeCharacters(grade.getRun().getError());
        xml.writeEndElement();
      } else if (!v.getPassed()) {
        xml.writeStartElement("failure");
        xml.writeAttribute("message", v.getReason() + "; observed: " + v.getObserved());
        xml.writeAttribute("type", v.getKind());
        xml.writeCharacters("expected: " + v.getExpectation() + "\nobserved: " + v.getObserved() + "\nwhy: "
            + v.getReason());
        xml.writeEndElement();
      }
      xml.writeStartElement("system-out");
      xml.writeCharacters("observed: " + v.getObserved());
      xml.writeEndElement();
      xml.writeEndElement();
    }
    xml.writeEndElement();
  }

  private static long failures(RunGrade grade) {
    return grade.getVerdictsList().stream().filter(v -> !v.getPassed()).count();
  }

  private static String seconds(com.google.protobuf.Timestamp from, com.google.protobuf.Timestamp to) {
    return String.format(Locale.ROOT, "%.3f", Math.max(0, Durations.toMillis(Timestamps.between(from, to))) / 1000.0);
  }
}
