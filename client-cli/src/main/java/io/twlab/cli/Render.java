package io.twlab.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.ComparisonTable;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.ListRunsResponse;
import io.twlab.proto.v1.V1.Node;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunGrade;
import io.twlab.proto.v1.V1.RunProgress;
import io.twlab.proto.v1.V1.Scenario;
import io.twlab.proto.v1.V1.ScenarioParameter;
import io.twlab.proto.v1.V1.SweepReport;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.TimeWaitEnd;
import io.twlab.proto.v1.V1.Verdict;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** How the CLI shows the server's messages to a person, or as JSON. */
final class Render {
  private static final JsonFormat.Printer JSON_LINE = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Printer JSON = JsonFormat.printer();
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
  private static final DateTimeFormatter DAY_CLOCK =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Render() {}

  static void json(PrintWriter out, MessageOrBuilder message) {
    print(out, JSON, message);
  }

  /** One message on one line, for streams of events (JSON lines). */
  static void jsonLine(PrintWriter out, MessageOrBuilder message) {
    print(out, JSON_LINE, message);
  }

  private static void print(PrintWriter out, JsonFormat.Printer printer, MessageOrBuilder message) {
    try {
      out.println(printer.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName(), e);
    }
    out.flush();
  }

  static void labs(PrintWriter out, List<Lab> labs) {
    Table table = new Table("LAB", "TOPOLOGY", "STATUS", "NODES", "EXPIRES");
    for (Lab lab : labs) {
      table.row(lab.getId(), lab.getSpec().getTopology(), status(lab), lab.getNodesCount(),
          CLOCK.format(instant(lab.getExpiresAt())));
    }
    table.print(out);
  }

  static void lab(PrintWriter out, Lab lab) {
    out.printf("lab %s  topology %s  %s  expires %s%n", lab.getId(), lab.getSpec().getTopology(), status(lab),
        CLOCK.format(instant(lab.getExpiresAt())));
    out.printf("observation: %s%n", lab.getObservationMode());
    Table table = new Table("NODE", "ROLE", "ADDRESSES", "SYSCTLS SET (effective)");
    for (Node node : lab.getNodesList()) {
      String addresses = node.getAddressesList().stream().map(a -> a.getNetwork() + " " + a.getIp())
          .collect(Collectors.joining(", "));
      String sysctls = lab.getSpec().getNodesMap().entrySet().stream()
          .filter(e -> e.getKey().equals(node.getName()) || e.getKey().equals(node.getRole()))
          .flatMap(e -> e.getValue().getSysctlsMap().keySet().stream())
          .distinct()
          .map(key -> key + "=" + node.getEffectiveSysctlsOrDefault(key, "?"))
          .collect(Collectors.joining(" "));
      table.row(node.getName(), node.getRole(), addresses, sysctls.isEmpty() ? "-" : sysctls);
    }
    table.print(out);
  }

  static void scenarios(PrintWriter out, List<Scenario> scenarios) {
    for (Scenario s : scenarios) {
      out.printf("%s — %s (topologies: %s)%n", s.getName(), s.getTitle(), String.join(", ", s.getTopologiesList()));
      out.printf("  %s%n", s.getDescription());
      out.printf("  checks: %s%n", s.getChecksClaim());
      for (ScenarioParameter p : s.getParametersList()) {
        String bounds = !p.getMin().isEmpty() ? " [" + p.getMin() + ".." + p.getMax() + "]"
            : p.getAllowedValuesCount() > 0 ? " {" + String.join("|", p.getAllowedValuesList()) + "}" : "";
        out.printf("  --param %s=%s%s  %s%n", p.getName(), p.getDefaultValue(), bounds, p.getDescription());
      }
      s.getSysctlsList().forEach(x -> out.printf("  sets %s=%s on %s%n", x.getKey(), x.getValue(), x.getNode()));
      s.getProgramsList().forEach(c -> out.printf("  program slot %s: replaces %s on %s; started as PROGRAM %s; %s%n",
          c.getSlot(), c.getReplaces(), c.getRunsOn(), String.join(" ", c.getArgsList()), c.getContract()));
      out.println();
    }
    out.flush();
  }

  static void run(PrintWriter out, Run run) {
    out.printf("run %s  %s  %s%n", run.getId(), run.getScenario(), run.getState().name().replace("RUN_STATE_", ""));
    if (!run.getError().isEmpty()) {
      out.printf("error: %s%n", run.getError());
    }
    if (run.getShellsOpenCount() > 0) {
      out.printf("a shell was open in %s during this run: what was typed there may show in its results%n",
          String.join(", ", run.getShellsOpenList()));
    }
    if (run.hasResult()) {
      out.printf("result: %s%n", run.getResult().getSummary());
      ResultTables.print(out, run.getResult());
    }
    out.flush();
  }

  static void runs(PrintWriter out, ListRunsResponse runs) {
    Table table = new Table("RUN", "SCENARIO", "STATE", "STARTED", "SECONDS", "LAB", "EXPERIMENT", "RESULT");
    for (Run run : runs.getRunsList()) {
      String seconds = run.hasFinishedAt() ? String.format(Locale.ROOT, "%.1f",
          Duration.between(instant(run.getStartedAt()), instant(run.getFinishedAt())).toMillis() / 1000.0) : "-";
      String experiment = run.getExperiment().isEmpty() ? "-" : run.getExperiment() + " ("
          + (run.getVerdictsList().stream().allMatch(Verdict::getPassed) ? "passed" : "failed") + ")";
      table.row(run.getId(), run.getScenario(), run.getState().name().replace("RUN_STATE_", ""),
          DAY_CLOCK.format(instant(run.getStartedAt())), seconds, run.getLabId(), experiment,
          run.getError().isEmpty() ? run.getResult().getSummary() : run.getError());
    }
    table.print(out);
    if (!runs.getNextPageToken().isEmpty()) {
      out.printf("more: --page %s%n", runs.getNextPageToken());
    }
    out.flush();
  }

  /** A run from the history: what {@link #run} prints, then the lab's sysctls and the verdicts. */
  static void recordedRun(PrintWriter out, Run run) {
    run(out, run);
    out.printf("lab %s  started %s  params %s%n", run.getLabId(), DAY_CLOCK.format(instant(run.getStartedAt())),
        run.getParamsMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    run.getEffectiveSysctlsMap().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(node ->
        out.printf("  %s: %s%n", node.getKey(), node.getValue().getSysctlsMap().entrySet().stream()
            .sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "))));
    if (!run.getExperiment().isEmpty()) {
      out.printf("graded by experiment %s%n", run.getExperiment());
      Table table = new Table("EXPECTATION", "VERDICT", "OBSERVED", "WHY");
      run.getVerdictsList().forEach(v -> table.row(v.getExpectation(), Verdicts.label(v), v.getObserved(),
          v.getReason()));
      table.print(out);
    }
    out.flush();
  }

  /** A sweep: the comparison table, then one line per cell that failed. */
  static void sweep(PrintWriter out, SweepReport report) {
    ComparisonTable compared = report.getTable();
    Table table = new Table(compared.getColumnsList().toArray(String[]::new));
    compared.getRowsList().forEach(row -> table.row(row.getCellsList().toArray()));
    table.print(out);
    long failed = report.getCellsList().stream().filter(c -> !c.getReport().getPassed()).count();
    out.printf("%s: %s (%d of %d cells failed)%n", report.getExperiment(), report.getPassed() ? "PASSED" : "FAILED",
        failed, report.getCellsCount());
  }

  /** A graded experiment: one row per expectation, and the verdict. */
  static void grade(PrintWriter out, GradeReport report) {
    Table table = new Table("RUN", "EXPECTATION", "VERDICT", "OBSERVED", "WHY");
    for (int i = 0; i < report.getRunsCount(); i++) {
      RunGrade grade = report.getRuns(i);
      String run = (i + 1) + " " + grade.getRun().getScenario();
      if (!grade.getRun().getError().isEmpty()) {
        out.printf("run %s failed: %s%n", run, grade.getRun().getError());
      }
      for (Verdict v : grade.getVerdictsList()) {
        table.row(run, v.getExpectation(), Verdicts.label(v), v.getObserved(), v.getReason());
      }
    }
    table.print(out);
    out.printf("%s: %s (%s)%n", report.getExperiment(), report.getPassed() ? "PASSED" : "NOT PASSED",
        Verdicts.tally(report.getRunsList()));
  }

  /** Why a TIME_WAIT ended, in the words of docs/observation.md. */
  static String timeWaitEnd(TimeWaitEnd end) {
    return switch (end) {
      case TIME_WAIT_END_EXPIRED -> "expired";
      case TIME_WAIT_END_REUSED -> "reused by a new connection";
      case TIME_WAIT_END_RESET -> "killed by an RST: TIME_WAIT assassination, RFC 1337";
      default -> "ended early, cause not seen";
    };
  }

  /** One event as a line of the live view; null for events the live view does not show. */
  static String eventLine(LabEvent e) {
    String time = CLOCK.format(instant(e.getTime()));
    return switch (e.getKindCase()) {
      case TRANSITION -> {
        var t = e.getTransition();
        String timer = t.hasTimeWaitRemaining() ? "  (timer " + seconds(t.getTimeWaitRemaining()) + ")" : "";
        String end = t.getTimeWaitEnd() == TimeWaitEnd.TIME_WAIT_END_UNSPECIFIED ? "" : "  (" + timeWaitEnd(t.getTimeWaitEnd()) + ")";
        // Sampled: seen by a sample up to 100 ms late, not reported by the kernel when it happened.
        yield String.format("%s  %s %s %s  %s → %s%s%s%s", time, Table.pad(t.getNode(), 8), Table.pad(t.getLocal(), 21),
            Table.pad(t.getRemote(), 21), Table.pad(state(t.getFrom()), 11), state(t.getTo()), timer, end,
            t.getTraced() ? "" : "  ~sampled");
      }
      case STATE_COUNTS -> {
        var c = e.getStateCounts();
        String counts = c.getCountsMap().isEmpty() ? "no connections"
            : c.getCountsMap().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(" "));
        yield String.format("%s  %s counts: %s", time, Table.pad(c.getNode(), 8), counts);
      }
      case RUN_PROGRESS -> String.format("%s  ▸ %s", time, progress(e.getRunProgress()));
      case LAB_STATUS -> String.format("%s  lab %s %s", time, status(e.getLabStatus().getStatus()), e.getLabStatus().getMessage());
      case NAT -> String.format("%s  %s NAT %s %s  ⇒  %s", time, Table.pad(e.getNat().getNode(), 8),
          e.getNat().getEvent(), e.getNat().getOriginal(), e.getNat().getReply());
      case COUNTERS -> String.format("%s  %s counters: %s", time, Table.pad(e.getCounters().getNode(), 8),
          e.getCounters().getDeltasMap().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
              .map(x -> x.getKey() + (x.getValue() > 0 ? " +" : " ") + x.getValue()).collect(Collectors.joining(", ")));
      case SUMMARY -> {
        var s = e.getSummary();
        int total = s.getTransitionsMap().values().stream().mapToInt(Integer::intValue).sum();
        yield String.format("%s  %s %d transitions (events %d..%d): %s", time, Table.pad(s.getNode(), 8), total,
            s.getFromSequence(), s.getToSequence(), s.getTransitionsMap().entrySet().stream()
                .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(x -> x.getKey().replace("->", "→") + " " + x.getValue()).collect(Collectors.joining(", ")));
      }
      case NOTICE -> String.format("%s  %s ! %s", time, Table.pad(e.getNotice().getNode(), 8), e.getNotice().getMessage());
      case GAP -> e.getGap().getReason().isEmpty()
          ? String.format("%s  (events %d..%d no longer retained)", time, e.getGap().getFromSequence(),
              e.getGap().getToSequence())
          : String.format("%s  (%s)", time, e.getGap().getReason());
      default -> null;
    };
  }

  static String progress(RunProgress p) {
    return String.format(Locale.ROOT, "%s: %s%s", p.getPhase(), p.getMessage(),
        p.getTotal() > 0 ? String.format(Locale.ROOT, " (%d/%d)", p.getDone(), p.getTotal()) : "");
  }

  static String transitionHeader() {
    return String.format("%-12s  %s %s %s  %s", "TIME", Table.pad("NODE", 8), Table.pad("LOCAL", 21),
        Table.pad("REMOTE", 21), "FROM → TO");
  }

  /** A state as the user types it ("time_wait", "TIME_WAIT"); the server names a bad one. */
  static TcpState tcpState(String text) {
    try {
      return TcpState.valueOf("TCP_STATE_" + text.trim().toUpperCase(Locale.ROOT).replaceFirst("^TCP_STATE_", ""));
    } catch (IllegalArgumentException e) {
      return TcpState.TCP_STATE_UNSPECIFIED;
    }
  }

  static String state(TcpState state) {
    return state.name().replace("TCP_STATE_", "");
  }

  private static String status(Lab lab) {
    return status(lab.getStatus());
  }

  private static String status(V1.LabStatus status) {
    return status.name().replace("LAB_STATUS_", "").toLowerCase(Locale.ROOT);
  }

  static String seconds(com.google.protobuf.Duration d) {
    return String.format(Locale.ROOT, "%.2f s", Durations.toMillis(d) / 1000.0);
  }

  /** A moment as UTC date and time to the minute: 2026-12-20 23:59Z. */
  static String timestamp(com.google.protobuf.Timestamp t) {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'", Locale.ROOT).withZone(ZoneOffset.UTC)
        .format(instant(t));
  }

  /** Points as a grader writes them: 3, 2.5. */
  static String points(double n) {
    return n == Math.rint(n) ? String.valueOf((long) n) : String.format(Locale.ROOT, "%.2f", n).replaceAll("0+$", "");
  }

  private static Instant instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochMilli(Timestamps.toMillis(t));
  }
}
