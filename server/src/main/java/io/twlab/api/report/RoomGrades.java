package io.twlab.api.report;

import io.twlab.app.Classrooms.Grade;
import io.twlab.core.Bounded;
import io.twlab.core.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * A workshop's grades as a file: one row per seat and experiment in twlab's CSV, one row per seat
 * and a column per experiment in the gradebook imports of Canvas and Moodle (their points: the
 * verdicts passed), or JUnit XML with a suite per seat. An ERROR verdict is not a grade: it counts
 * in the total, never as passed, and the CSV and JUnit say so.
 */
public final class RoomGrades {
  /** How a room's grades are written out. */
  public enum Format {
    CSV("text/csv"), CANVAS("text/csv"), MOODLE("text/csv"), JUNIT("application/xml");

    public final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Format of(String id) {
      String asked = id == null || id.isBlank() ? "csv" : id.trim().toLowerCase(Locale.ROOT);
      return Arrays.stream(values()).filter(f -> f.id().equals(asked)).findFirst()
          .orElseThrow(() -> new InvalidArgumentException("format", Bounded.quote(id) + " is not one of "
              + Arrays.stream(values()).map(Format::id).collect(Collectors.joining(", "))));
    }
  }

  /** A rendered export: its file name, type and body. */
  public record Export(Format format, String fileName, String body) {}

  private RoomGrades() {}

  public static Export render(String workshopId, Format format, List<Grade> grades) {
    String body = switch (format) {
      case CSV -> csv(grades);
      case CANVAS -> gradebook(grades, List.of("Student", "ID", "SIS User ID", "Section"), g -> List.of(
          g.student().name(), g.student().id(), g.student().id(), workshopId));
      case MOODLE -> gradebook(grades, List.of("ID number", "Full name"), g -> List.of(g.student().id(),
          g.student().name()));
      case JUNIT -> junit(workshopId, grades);
    };
    return new Export(format, workshopId + "-grades." + (format == Format.JUNIT ? "xml" : "csv"), body);
  }

  private static String csv(List<Grade> grades) {
    return print(List.of("student_id", "student_name", "experiment", "run_id", "graded_at", "passed", "failed",
        "errors", "total", "verdict"), grades.stream().map(g -> List.<Object>of(g.student().id(), g.student().name(),
            g.experiment(), g.runId(), g.at().toString(), g.passed(), g.failed(), g.errors(), g.total(), verdict(g)))
        .toList());
  }

  /** One row per seat, a column per experiment holding its verdicts passed (empty: never graded). */
  private static String gradebook(List<Grade> grades, List<String> identity,
      Function<Grade, List<String>> who) {
    TreeSet<String> experiments = grades.stream().map(Grade::experiment).collect(Collectors.toCollection(TreeSet::new));
    Map<String, List<Grade>> bySeat = new LinkedHashMap<>();
    grades.forEach(g -> bySeat.computeIfAbsent(g.student().id(), s -> new ArrayList<>()).add(g));
    List<String> header = new ArrayList<>(identity);
    experiments.forEach(e -> header.add(e + " (" + grades.stream().filter(g -> g.experiment().equals(e))
        .mapToInt(Grade::total).max().orElse(0) + ")"));
    List<List<Object>> rows = bySeat.values().stream().map(seat -> {
      List<Object> row = new ArrayList<>(who.apply(seat.get(0)));
      experiments.forEach(e -> row.add(seat.stream().filter(g -> g.experiment().equals(e)).findFirst()
          .map(g -> (Object) g.passed()).orElse("")));
      return row;
    }).toList();
    return print(header, rows);
  }

  private static String verdict(Grade g) {
    return g.errors() > 0 ? "not graded: " + g.errors() + " expectation(s) could not be judged"
        : g.failed() == 0 ? "pass" : "fail";
  }

  private static String print(List<String> header, List<List<Object>> rows) {
    StringBuilder out = new StringBuilder();
    try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new))
        .get())) {
      for (List<Object> row : rows) {
        csv.printRecord(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static String junit(String workshopId, List<Grade> grades) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"")
        .append(PlatformReports.xml(workshopId)).append("\">\n");
    Map<String, List<Grade>> bySeat = new LinkedHashMap<>();
    grades.forEach(g -> bySeat.computeIfAbsent(g.student().id(), s -> new ArrayList<>()).add(g));
    bySeat.forEach((id, seat) -> {
      xml.append("  <testsuite name=\"").append(PlatformReports.xml(seat.get(0).student().name() + " (" + id + ")"))
          .append("\" tests=\"").append(seat.size()).append("\" failures=\"")
          .append(seat.stream().filter(g -> g.failed() > 0 && g.errors() == 0).count()).append("\" errors=\"")
          .append(seat.stream().filter(g -> g.errors() > 0).count()).append("\">\n");
      for (Grade g : seat) {
        xml.append("    <testcase name=\"").append(PlatformReports.xml(g.experiment())).append("\" classname=\"")
            .append(PlatformReports.xml(id)).append("\">");
        if (g.errors() > 0) {
          xml.append("<error message=\"").append(PlatformReports.xml(verdict(g))).append("\"/>");
        } else if (g.failed() > 0) {
          xml.append("<failure message=\"").append(g.failed()).append(" of ").append(g.total())
              .append(" expectations failed (run ").append(PlatformReports.xml(g.runId())).append(")\"/>");
        }
        xml.append("</testcase>\n");
      }
      xml.append("  </testsuite>\n");
    });
    return xml.append("</testsuites>\n").toString();
  }
}
