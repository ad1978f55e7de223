package io.twlab.cli;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.RunGrade;
import io.twlab.proto.v1.V1.SweepCell;
import io.twlab.proto.v1.V1.SweepReport;
import io.twlab.proto.v1.V1.Verdict;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
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
    List<Suite> suites = new ArrayList<>();
    for (int i = 0; i < report.getRunsCount(); i++) {
      suites.add(new Suite(report.getExperiment() + " / run " + (i + 1) + ": " + report.getRuns(i).getRun().getScenario(),
          report.getRuns(i)));
    }
    return write(report.getExperiment(), seconds(report.getStartedAt(), report.getFinishedAt()), suites);
  }

  /** A sweep: one test suite per run of each cell, named by the cell's values. */
  static String of(SweepReport report) {
    List<Suite> suites = new ArrayList<>();
    for (SweepCell cell : report.getCellsList()) {
      String values = report.getDimensionsList().stream().map(d -> d + "=" + cell.getValuesOrDefault(d, ""))
          .collect(Collectors.joining(" "));
      for (int i = 0; i < cell.getReport().getRunsCount(); i++) {
        RunGrade run = cell.getReport().getRuns(i);
        suites.add(new Suite(report.getExperiment() + " [" + values + "] / run " + (i + 1) + ": "
            + run.getRun().getScenario(), run));
      }
    }
    return write(report.getExperiment(), seconds(report.getStartedAt(), report.getFinishedAt()), suites);
  }

  private record Suite(String name, RunGrade grade) {}

  private static String write(String name, String time, List<Suite> suites) {
    StringWriter text = new StringWriter();
    try {
      XMLStreamWriter xml = XMLOutputFactory.newInstance().createXMLStreamWriter(text);
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeStartElement("testsuites");
      xml.writeAttribute("name", name);
      xml.writeAttribute("tests", String.valueOf(suites.stream().mapToInt(s -> s.grade().getVerdictsCount()).sum()));
      xml.writeAttribute("failures", String.valueOf(suites.stream().map(Suite::grade)
          .filter(r -> r.getRun().getError().isEmpty()).mapToLong(JunitReport::failures).sum()));
      xml.writeAttribute("errors", String.valueOf(suites.stream().map(Suite::grade)
          .mapToLong(JunitReport::errors).sum()));
      xml.writeAttribute("time", time);
      for (Suite suite : suites) {
        suite(xml, suite.name(), suite.grade());
      }
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write the JUnit report", e);
    }
    return text + "\n";
  }

  private static void suite(XMLStreamWriter xml, String suite, RunGrade grade) throws XMLStreamException {
    boolean failedRun = !grade.getRun().getError().isEmpty();
    xml.writeStartElement("testsuite");
    xml.writeAttribute("name", suite);
    xml.writeAttribute("tests", String.valueOf(grade.getVerdictsCount()));
    xml.writeAttribute("failures", String.valueOf(failedRun ? 0 : failures(grade)));
    xml.writeAttribute("errors", String.valueOf(errors(grade)));
    xml.writeAttribute("skipped", "0");
    xml.writeAttribute("time", seconds(grade.getRun().getStartedAt(), grade.getRun().getFinishedAt()));
    // Surefire's schema has no timestamp attribute: when and which run go in properties.
    xml.writeStartElement("properties");
    property(xml, "twlab.run", grade.getRun().getId());
    property(xml, "twlab.scenario", grade.getRun().getScenario());
    property(xml, "twlab.started_at", Timestamps.toString(grade.getRun().getStartedAt()));
    xml.writeEndElement();
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
      } else if (Verdicts.error(v)) {
        xml.writeStartElement("error");
        xml.writeAttribute("message", v.getReason());
        xml.writeAttribute("type", "observation");
        xml.writeCharacters("expected: " + v.getExpectation() + "\nobserved: " + v.getObserved() + "\nwhy: "
            + v.getReason());
        xml.writeEndElement();
      } else if (Verdicts.failed(v)) {
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

  private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
    xml.writeEmptyElement("property");
    xml.writeAttribute("name", name);
    xml.writeAttribute("value", value);
  }

  private static long failures(RunGrade grade) {
    return grade.getVerdictsList().stream().filter(Verdicts::failed).count();
  }

  /** Expectations that could not be judged: all of a failed run's, or those whose observation had a hole. */
  private static long errors(RunGrade grade) {
    return grade.getRun().getError().isEmpty() ? grade.getVerdictsList().stream().filter(Verdicts::error).count()
        : grade.getVerdictsCount();
  }

  private static String seconds(com.google.protobuf.Timestamp from, com.google.protobuf.Timestamp to) {
    return String.format(Locale.ROOT, "%.3f", Math.max(0, Durations.toMillis(Timestamps.between(from, to))) / 1000.0);
  }
}
