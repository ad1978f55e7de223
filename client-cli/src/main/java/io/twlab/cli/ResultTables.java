package io.twlab.cli;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.twlab.proto.v1.V1.BindAttempt;
import io.twlab.proto.v1.V1.CloseWaitLeakResult;
import io.twlab.proto.v1.V1.ConnectionOutcome;
import io.twlab.proto.v1.V1.FinTimeoutResult;
import io.twlab.proto.v1.V1.LingerCase;
import io.twlab.proto.v1.V1.LoadReport;
import io.twlab.proto.v1.V1.LostFinalAckCase;
import io.twlab.proto.v1.V1.NatCollisionCase;
import io.twlab.proto.v1.V1.NcTimeWaitResult;
import io.twlab.proto.v1.V1.NodeCounters;
import io.twlab.proto.v1.V1.NodeStateSample;
import io.twlab.proto.v1.V1.PacketRecord;
import io.twlab.proto.v1.V1.PortExhaustionResult;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.V1.TwBucketsResult;
import io.twlab.proto.v1.V1.TwReuseCell;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The typed results of the scenarios as tables, one renderer per result kind; others as text. */
final class ResultTables {
  /** Counters a reader of these scenarios looks for; the JSON output has them all. */
  private static final List<String> KEY_COUNTERS = List.of("TcpActiveOpens", "TcpPassiveOpens", "TcpExtTW",
      "TcpExtTWRecycled", "TcpExtTWKilled", "TcpExtTCPTimeWaitOverflow", "TcpExtPAWSTimewait", "TcpEstabResets",
      "TcpOutRsts", "TcpAttemptFails", "TcpRetransSegs", "conntrack.insert_failed", "conntrack.drop");

  private ResultTables() {}

  static void print(PrintWriter out, ScenarioResult r) {
    switch (r.getDetailCase()) {
      case NC_TIME_WAIT -> ncTimeWait(out, r.getNcTimeWait());
      case REDIS_FLOOD -> {
        loads(out, List.of(r.getRedisFlood().getLoad()));
        series(out, r.getRedisFlood().getSeriesList());
      }
      case PORT_EXHAUSTION -> portExhaustion(out, r.getPortExhaustion());
      case TW_REUSE -> twReuse(out, r.getTwReuse().getCellsList());
      case TW_BUCKETS -> twBuckets(out, r.getTwBuckets());
      case LINGER_RST -> linger(out, r.getLingerRst().getCasesList());
      case CLOSE_WAIT_LEAK -> closeWait(out, r.getCloseWaitLeak());
      case LISTENER_RESTART -> listenerRestart(out, r.getListenerRestart().getAttemptsList());
      case NAT_COLLISION -> natCollision(out, r.getNatCollision().getCasesList(), r.getNatCollision().getExplanation());
      case LOST_FINAL_ACK -> lostFinalAck(out, r.getLostFinalAck().getCasesList());
      case FIN_TIMEOUT -> finTimeout(out, r.getFinTimeout());
      case DETAIL_NOT_SET -> { }
      // A scenario this CLI has no table for still shows every figure its server sent.
      default -> out.print(TextFormat.printer().printToString((Message) r.getField(
          r.getDescriptorForType().findFieldByNumber(r.getDetailCase().getNumber()))));
    }
    counters(out, r.getCountersList());
  }

  private static void ncTimeWait(PrintWriter out, NcTimeWaitResult r) {
    Table table = new Table("NODE", "CONNECTION", "STATES", "TIME_WAIT");
    for (ConnectionOutcome c : r.getNodesList()) {
      table.row(c.getNode(), c.getConnection(),
          c.getStatesList().stream().map(Render::state).collect(Collectors.joining(" → ")),
          c.getTimeWaitSeen() ? "yes" : "no");
    }
    table.print(out);
    if (r.hasTimeWaitTimerAtEntry()) {
      out.printf("TIME_WAIT timer at entry: %s%n", Render.seconds(r.getTimeWaitTimerAtEntry()));
    }
    if (r.getExpiryMeasured()) {
      out.printf("TIME_WAIT lifetime (observed until expiry): %s%n", Render.seconds(r.getTimeWaitLifetime()));
    }
  }

  private static void loads(PrintWriter out, List<LoadReport> loads) {
    Table t = new Table("NODE", "GENERATOR", "ATTEMPTED", "OK", "FAILED", "CONN/S", "CONNECT p50/p99 ms", "ERRORS");
    for (LoadReport l : loads) {
      t.row(l.getNode(), l.getGenerator(), l.getAttempted(), l.getSucceeded(), l.getFailed(),
          String.format(Locale.ROOT, "%.0f", l.getConnectionsPerSecond()),
          l.hasConnectMs() && l.getConnectMs().getMax() > 0
              ? String.format(Locale.ROOT, "%.2f / %.2f", l.getConnectMs().getP50(), l.getConnectMs().getP99()) : "-",
          l.getErrorsCount() == 0 ? "-" : l.getErrorsMap().entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue() + " (" + l.getErrorMessagesOrDefault(e.getKey(), "") + ")")
              .collect(Collectors.joining(", ")));
    }
    t.print(out);
  }

  private static void series(PrintWriter out, List<NodeStateSample> samples) {
    List<String> nodes = samples.stream().map(NodeStateSample::getNode).distinct().toList();
    String[] header = new String[nodes.size() + 1];
    header[0] = "AT (s)";
    for (int i = 0; i < nodes.size(); i++) {
      header[i + 1] = "TIME_WAIT " + nodes.get(i);
    }
    Table t = new Table(header);
    Map<Double, List<NodeStateSample>> byTime = samples.stream()
        .collect(Collectors.groupingBy(NodeStateSample::getAtSeconds, java.util.TreeMap::new, Collectors.toList()));
    byTime.forEach((at, row) -> {
      Object[] cells = new Object[nodes.size() + 1];
      cells[0] = String.format(Locale.ROOT, "%.1f", at);
      for (int i = 0; i < nodes.size(); i++) {
        String node = nodes.get(i);
        cells[i + 1] = row.stream().filter(s -> s.getNode().equals(node)).findFirst()
            .map(NodeStateSample::getTimeWait).map(String::valueOf).orElse("-");
      }
      t.row(cells);
    });
    t.print(out);
  }

  private static void portExhaustion(PrintWriter out, PortExhaustionResult r) {
    loads(out, List.of(r.getLoad()));
    Table t = new Table("PORT RANGE", "FIRST FAILURE", "PORTS HELD THEN", "RECOVERED AFTER");
    String held = r.getLoad().getSocketsAtFirstFailureMap().entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
    t.row(r.getPortRange(), r.getLoad().getFirstFailure() == 0 ? "-" : "#" + r.getLoad().getFirstFailure() + " "
            + r.getFirstError(), held.isEmpty() ? "-" : held,
        r.getRecoveryObserved() ? String.format(Locale.ROOT, "%.1f s", r.getRecoveredAfterSeconds()) : "-");
    t.print(out);
    if (!r.getNcMessage().isEmpty()) {
      out.printf("nc -v:     %s%nredis-cli: %s%n", r.getNcMessage(), r.getRedisCliMessage());
    }
  }

  private static void twReuse(PrintWriter out, List<TwReuseCell> cells) {
    Table t = new Table("TW_REUSE", "TIMESTAMPS", "DELAY ms", "PACE", "PATH", "ATTEMPTED", "OK", "FAILED", "TWRecycled");
    for (TwReuseCell c : cells) {
      t.row(c.getTwReuse(), c.getTimestamps(), c.getReuseDelayMs(), c.getPace(), c.getPath(), c.getAttempted(),
          c.getSucceeded(), c.getFailed(), c.getTwRecycled());
    }
    t.print(out);
  }

  private static void twBuckets(PrintWriter out, TwBucketsResult r) {
    loads(out, r.hasControl() ? List.of(r.getLoad(), r.getControl()) : List.of(r.getLoad()));
    new Table("tcp_max_tw_buckets", "TIME_WAIT PEAK", "TCPTimeWaitOverflow")
        .row(r.getMaxTwBuckets(), r.getTimeWaitPeak(), r.getTimeWaitOverflow()).print(out);
  }

  private static void linger(PrintWriter out, List<LingerCase> cases) {
    Table t = new Table("CLOSE", "SENT", "TIME_WAIT", "PEER SAW");
    for (LingerCase c : cases) {
      t.row(c.getClose(), (c.getRstSent() ? "RST " : "") + (c.getFinSent() ? "FIN" : ""),
          c.getTimeWaitSeen() ? "yes" : "no",
          c.getPeerEnd() + (c.getPeerMessage().isEmpty() ? "" : " (" + c.getPeerMessage() + ")"));
    }
    t.print(out);
    cases.forEach(c -> packets(out, c.getClose() + " close, tcpdump on the client", c.getPacketsList()));
  }

  private static void closeWait(PrintWriter out, CloseWaitLeakResult r) {
    new Table("CONNECTIONS", "CLOSE_WAIT (server)", "FIN_WAIT_2 (clients)", "CLIENT CLOSE", "FIN_WAIT_2 LASTED",
        "CLOSE_WAIT AT END")
        .row(r.getConnections(), r.getCloseWaitOnServer(), r.getFinWait2OnClients(), r.getClientClose(),
            r.getFinWait2Seconds() > 0 ? String.format(Locale.ROOT, "%.1f s (tcp_fin_timeout=%d)",
                r.getFinWait2Seconds(), r.getFinTimeoutSeconds()) : "no timer while held",
            r.getCloseWaitAtEnd())
        .print(out);
    if (r.getNofile() > 0) {
      new Table("NOFILE", "ACCEPT ERRORS", "LISTEN QUEUE")
          .row(r.getNofile(), r.getAcceptErrorsMap() + " " + r.getAcceptErrorMessage(), r.getListenQueue()).print(out);
    }
  }

  private static void listenerRestart(PrintWriter out, List<BindAttempt> attempts) {
    Table t = new Table("OLD LISTENER", "TIME_WAIT", "RESTART WITH", "SO_REUSEADDR", "RESULT");
    for (BindAttempt a : attempts) {
      t.row(a.getOldReuseaddr() ? "SO_REUSEADDR" : "no SO_REUSEADDR", a.getTimeWaitOnPort(), a.getProgram(),
          a.getReuseaddr() ? "yes" : "no", a.getBound() ? "bound" : a.getError());
    }
    t.print(out);
  }

  private static void natCollision(PrintWriter out, List<NatCollisionCase> cases, String explanation) {
    Table t = new Table("TIMESTAMPS", "ATTEMPTED", "OK", "TIMEOUTS", "MET TIME_WAIT", "PAWSTimewait", "insert_failed",
        "CONNECT LATENCY");
    for (NatCollisionCase c : cases) {
      t.row(c.getTimestamps() ? "on" : "off", c.getLoadsList().stream().mapToLong(LoadReport::getAttempted).sum(),
          c.getLoadsList().stream().mapToLong(LoadReport::getSucceeded).sum(), c.getTimeouts(), c.getChallengedConnects(),
          c.getPawsTimewait(), c.getInsertFailed(), histogram(c.getConnectHistogramMap()));
    }
    t.print(out);
    cases.stream().filter(c -> c.getChallengeExampleCount() > 0).findFirst().ifPresent(c -> packets(out,
        "a connect that met redis' TIME_WAIT (timestamps " + (c.getTimestamps() ? "on" : "off") + "), tcpdump on redis",
        c.getChallengeExampleList()));
    out.println(explanation);
  }

  private static void lostFinalAck(PrintWriter out, List<LostFinalAckCase> cases) {
    Table t = new Table("CLIENT", "LAST_ACK", "FIN RETRANSMITS (s after the first)", "CLIENT ANSWER", "CLIENT TIMER");
    for (LostFinalAckCase c : cases) {
      t.row(c.getClientMaxTwBuckets() == 0 ? "tcp_max_tw_buckets=0" : "TIME_WAIT",
          String.format(Locale.ROOT, "%.2f s", c.getLastAckSeconds()),
          c.getFinRetransmitsList().stream().map(s -> String.format(Locale.ROOT, "%.2f", s))
              .collect(Collectors.joining(" ")),
          c.getClientRst() ? "RST" : c.getClientAcks() + " ACKs (dropped)",
          c.getClientTimeWait() ? String.format(Locale.ROOT, "%.1f s (%.1f s without restart)", c.getClientTimerAtEnd(),
              c.getTimerWithoutRestart()) : "no TIME_WAIT");
    }
    t.print(out);
    cases.forEach(c -> packets(out, (c.getClientMaxTwBuckets() == 0 ? "no TIME_WAIT" : "TIME_WAIT")
        + " client, tcpdump on the server", c.getPacketsList()));
  }

  private static void finTimeout(PrintWriter out, FinTimeoutResult r) {
    new Table("tcp_fin_timeout", "ORPHANED FIN_WAIT_2 LASTED", "TIME_WAIT TIMER AT ENTRY", "TIME_WAIT LASTED")
        .row(r.getFinTimeoutSeconds() + " s", String.format(Locale.ROOT, "%.1f s", r.getFinWait2Seconds()),
            String.format(Locale.ROOT, "%.1f s", r.getTimeWaitTimerAtEntry()),
            r.getTimeWaitSeconds() > 0 ? String.format(Locale.ROOT, "%.1f s", r.getTimeWaitSeconds()) : "-")
        .print(out);
  }

  private static void packets(PrintWriter out, String title, List<PacketRecord> packets) {
    if (packets.isEmpty()) {
      return;
    }
    out.println(title + ":");
    Table t = new Table("  AT (s)", "DIR", "FLAGS");
    packets.forEach(p -> t.row(String.format(Locale.ROOT, "  %.3f", p.getAtSeconds()), p.getDirection(), p.getFlags()));
    t.print(out);
  }

  private static void counters(PrintWriter out, List<NodeCounters> counters) {
    Table t = new Table("NODE", "KERNEL COUNTERS (delta during the run)");
    int rows = 0;
    for (NodeCounters n : counters) {
      String moved = KEY_COUNTERS.stream().filter(n.getDeltasMap()::containsKey)
          .map(k -> k + "=" + n.getDeltasMap().get(k)).collect(Collectors.joining(" "));
      if (!moved.isEmpty()) {
        t.row(n.getNode(), moved);
        rows++;
      }
    }
    if (rows > 0) {
      t.print(out);
    }
  }

  private static String histogram(Map<String, Long> buckets) {
    return List.of("lt1ms", "lt10ms", "lt100ms", "lt1s", "lt3s", "ge3s").stream().filter(buckets::containsKey)
        .map(b -> b.replace("lt", "<").replace("ge", "≥") + ":" + buckets.get(b)).collect(Collectors.joining(" "));
  }
}
