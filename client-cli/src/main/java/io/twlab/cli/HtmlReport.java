package io.twlab.cli;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.ComparisonTable;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.RunGrade;
import io.twlab.proto.v1.V1.SweepCell;
import io.twlab.proto.v1.V1.SweepReport;
import io.twlab.proto.v1.V1.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A graded experiment or sweep as one self-contained HTML page (no scripts, no external files):
 * the verdicts with expected vs observed and why, and per run an SVG chart of each node's sockets
 * per state over the run, from the run's recorded state counts.
 */
final class HtmlReport {
  private static final int MAX_SERIES = 8;
  private static final int WIDTH = 720;
  private static final int HEIGHT = 220;
  private static final int MARGIN = 40;
  private static final String[] COLOURS =
      {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  private static final String STYLE = "body{font-family:sans-serif;margin:2em;max-width:70em}"
      + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
      + ".pass{color:#16702e}.fail{color:#b3261e;font-weight:bold}.error{color:#8a5a00;font-weight:bold}svg{border:1px solid #ddd;margin:.5em 0}"
      + "text{font-size:11px}";

  private HtmlReport() {}

  static String grade(GradeReport report, Map<String, List<LabEvent>> counts) {
    StringBuilder html = page(report.getExperiment(), report.getPassed());
    runs(html, report, counts);
    return html.append("</body></html>\n").toString();
  }

  static String sweep(SweepReport report, Map<String, List<LabEvent>> counts) {
    StringBuilder html = page(report.getExperiment() + " (sweep)", report.getPassed());
    html.append("<h2>Comparison</h2>");
    table(html, report.getTable());
    for (SweepCell cell : report.getCellsList()) {
      html.append("<h2>").append(escape(report.getDimensionsList().stream()
          .map(d -> d + "=" + cell.getValuesOrDefault(d, "")).collect(Collectors.joining(", ")))).append("</h2>");
      runs(html, cell.getReport(), counts);
    }
    return html.append("</body></html>\n").toString();
  }

  private static StringBuilder page(String title, boolean passed) {
    return new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(escape(title))
        .append("</title><style>").append(STYLE).append("</style></head><body><h1>").append(escape(title))
        .append(": <span class=\"").append(passed ? "pass\">PASSED" : "fail\">FAILED").append("</span></h1>");
  }

  private static void runs(StringBuilder html, GradeReport report, Map<String, List<LabEvent>> counts) {
    for (int i = 0; i < report.getRunsCount(); i++) {
      RunGrade grade = report.getRuns(i);
      html.append("<h3>Run ").append(i + 1).append(": ").append(escape(grade.getRun().getScenario())).append(" (")
          .append(escape(grade.getRun().getId())).append(")</h3>");
      if (!grade.getRun().getError().isEmpty()) {
        html.append("<p class=\"fail\">The run failed: ").append(escape(grade.getRun().getError())).append("</p>");
      } else if (grade.getRun().hasResult()) {
        html.append("<p>").append(escape(grade.getRun().getResult().getSummary())).append("</p>");
      }
      html.append("<table><tr><th>expectation</th><th>verdict</th><th>observed</th><th>why</th></tr>");
      for (Verdict v : grade.getVerdictsList()) {
        html.append("<tr><td>").append(escape(v.getExpectation())).append("</td><td class=\"")
            .append(Verdicts.label(v).toLowerCase(Locale.ROOT)).append("\">").append(Verdicts.label(v))
            .append("</td><td>").append(escape(v.getObserved()))
            .append("</td><td>").append(escape(v.getReason())).append("</td></tr>");
      }
      html.append("</table>");
      chart(html, grade, counts.getOrDefault(grade.getRun().getId(), List.of()));
    }
  }

  private static void table(StringBuilder html, ComparisonTable table) {
    html.append("<table><tr>");
    table.getColumnsList().forEach(c -> html.append("<th>").append(escape(c)).append("</th>"));
    html.append("</tr>");
    table.getRowsList().forEach(row -> {
      html.append("<tr>");
      row.getCellsList().forEach(c -> html.append("<td class=\"")
          .append(c.startsWith("✗") || c.equals("FAILED") ? "fail" : c.startsWith("✓") || c.equals("passed") ? "pass" : "")
          .append("\">").append(escape(c)).append("</td>"));
      html.append("</tr>");
    });
    html.append("</table>");
  }

  /** One line per node and state (the {@value #MAX_SERIES} with the highest peaks), seconds since the run started. */
  static void chart(StringBuilder html, RunGrade grade, List<LabEvent> counts) {
    long start = Timestamps.toMillis(grade.getRun().getStartedAt());
    double seconds = Math.max(1, Durations.toMillis(Timestamps.between(grade.getRun().getStartedAt(),
        grade.getRun().getFinishedAt())) / 1000.0);
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    Map<String, Integer> last = new LinkedHashMap<>();
    for (LabEvent e : counts) {
      double t = (Timestamps.toMillis(e.getTime()) - start) / 1000.0;
      String node = e.getStateCounts().getNode();
      // A state missing from a node's counts has no sockets: its line drops to 0.
      last.keySet().stream().filter(k -> k.startsWith(node + " ")).toList().forEach(k -> {
        String state = k.substring(node.length() + 1);
        if (!e.getStateCounts().getCountsMap().containsKey(state)) {
          series.get(k).add(new double[] {t, 0});
          last.put(k, 0);
        }
      });
      e.getStateCounts().getCountsMap().forEach((state, n) -> {
        if (state.equals("LISTEN")) {
          return;
        }
        String key = node + " " + state;
        series.computeIfAbsent(key, k -> new ArrayList<>(List.<double[]>of(new double[] {0, 0})))
            .add(new double[] {t, n});
        last.put(key, n);
      });
    }
    List<Map.Entry<String, List<double[]>>> shown = series.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, List<double[]>> s) -> -peak(s.getValue())))
        .limit(MAX_SERIES).toList();
    if (shown.isEmpty()) {
      html.append("<p>No sockets were observed during this run.</p>");
      return;
    }
    double top = Math.max(1, shown.stream().mapToDouble(s -> peak(s.getValue())).max().orElse(1));
    double plotW = WIDTH - 2 * MARGIN;
    double plotH = HEIGHT - 2 * MARGIN;
    html.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "role=\"img\"><title>sockets per state over the run</title>", WIDTH, HEIGHT + 20 * ((shown.size() + 2) / 3)));
    html.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", MARGIN, MARGIN, MARGIN, HEIGHT - MARGIN,
        MARGIN, HEIGHT - MARGIN, WIDTH - MARGIN, HEIGHT - MARGIN));
    html.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\">%d</text><text x=\"2\" y=\"%d\">0</text>"
        + "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\">%.1f s</text>", MARGIN + 4, Math.round(top),
        HEIGHT - MARGIN, MARGIN, HEIGHT - MARGIN + 14, WIDTH - MARGIN - 30, HEIGHT - MARGIN + 14, seconds));
    for (int i = 0; i < shown.size(); i++) {
      String colour = COLOURS[i % COLOURS.length];
      StringBuilder points = new StringBuilder();
      double previous = 0;
      for (double[] p : shown.get(i).getValue()) {
        double x = MARGIN + plotW * Math.min(1, Math.max(0, p[0] / seconds));
        // Steps: a count holds until the next sample.
        points.append(String.format(Locale.ROOT, "%.1f,%.1f %.1f,%.1f ", x, HEIGHT - MARGIN - plotH * previous / top, x,
            HEIGHT - MARGIN - plotH * p[1] / top));
        previous = p[1];
      }
      points.append(String.format(Locale.ROOT, "%.1f,%.1f", (double) WIDTH - MARGIN, HEIGHT - MARGIN - plotH * previous / top));
      html.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(colour).append("\" points=\"")
          .append(points).append("\"/>");
      html.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s (peak %d)</text>",
          MARGIN + (i % 3) * 220, HEIGHT + 20 * (i / 3), colour, escape(shown.get(i).getKey()),
          Math.round(peak(shown.get(i).getValue()))));
    }
    html.append("</svg>");
  }

  private static double peak(List<double[]> points) {
    return points.stream().mapToDouble(p -> p[1]).max().orElse(0);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
