package io.twlab.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The grading platforms' report formats `--report` names; the server writes a graded job's report,
 * and a submission the server refused is written here, in the same format, so that the platform
 * shows the student what to fix instead of a missing result.
 */
enum PlatformFormat {
  GRADESCOPE, PRAIRIELEARN, GITHUB_CLASSROOM, AUTOLAB, JUNIT;

  String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static PlatformFormat of(String id) {
    return Arrays.stream(values()).filter(f -> f.id().equals(id.trim().toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new CliException("--report " + id + " is not one of "
            + Arrays.stream(values()).map(PlatformFormat::id).collect(Collectors.joining(", ")), Twlab.INVALID_INPUT));
  }

  /** The report of a submission the server refused: not a grade, the problems the student must fix. */
  String refused(List<String> problems) {
    String message = "twlab refused the submission; fix it and submit again: " + String.join("; ", problems);
    return switch (this) {
      case GRADESCOPE -> json(Struct.newBuilder().putFields("score", number(0)).putFields("output", text(message))
          .putFields("visibility", text("visible")).putFields("tests", list(List.of()))
          .putFields("extra_data", object(Struct.newBuilder().putFields("twlab_refused", Value.newBuilder()
              .setBoolValue(true).build()))));
      case PRAIRIELEARN -> json(Struct.newBuilder().putFields("gradable", Value.newBuilder().setBoolValue(false).build())
          .putFields("format_errors", list(problems.stream().map(PlatformFormat::text).toList()))
          .putFields("message", text(message)));
      case GITHUB_CLASSROOM -> json(Struct.newBuilder().putFields("version", number(1)).putFields("status", text("error"))
          .putFields("max_score", number(0)).putFields("tests", list(List.of(object(Struct.newBuilder()
              .putFields("name", text("submission")).putFields("status", text("error")).putFields("score", number(0))
              .putFields("message", text(message)).putFields("test_code", text("")).putFields("filename", text(""))
              .putFields("line_no", number(0)))))));
      case AUTOLAB -> message + "\n{\"scores\": {}}\n";
      case JUNIT -> junit(message);
    };
  }

  private static String junit(String message) {
    StringWriter text = new StringWriter();
    try {
      XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
      xml.writeStartDocument("UTF-8", "1.0");
      xml.writeStartElement("testsuites");
      xml.writeStartElement("testsuite");
      xml.writeAttribute("name", "submission");
      xml.writeAttribute("tests", "1");
      xml.writeAttribute("failures", "0");
      xml.writeAttribute("errors", "1");
      xml.writeStartElement("testcase");
      xml.writeAttribute("classname", "twlab");
      xml.writeAttribute("name", "submission");
      xml.writeEmptyElement("error");
      xml.writeAttribute("message", message);
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write the JUnit report", e);
    }
    return text + "\n";
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Value number(double n) {
    return Value.newBuilder().setNumberValue(n).build();
  }

  private static Value list(List<Value> values) {
    return Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(values)).build();
  }

  private static Value object(Struct.Builder struct) {
    return Value.newBuilder().setStructValue(struct).build();
  }

  private static String json(Struct.Builder struct) {
    try {
      return JsonFormat.printer().print(struct) + "\n";
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a struct of plain values always prints", e);
    }
  }
}
