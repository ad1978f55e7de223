package io.twlab.scenario;

import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;
import io.twlab.core.KernelCounters;
import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ParameterSpec.ListParam;
import io.twlab.scenario.ScenarioDescriptor.SysctlUse;
import io.twlab.scenario.ScenarioOutcome.TwReuseCell;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * S4: the port-exhaustion load under a matrix of tcp_tw_reuse x tcp_timestamps x
 * tcp_tw_reuse_delay x pace. Each cell gets a fresh client (sysctls are fixed at creation).
 */
public final class TwReuse implements Scenario {
  public static final String NAME = "tw-reuse";
  private static final int LOOPBACK_PORT = 7000;

  private static final ScenarioDescriptor DESCRIPTOR = new ScenarioDescriptor(
      NAME,
      "What tcp_tw_reuse really does (and why 2 is the default)",
      "Each cell creates a client with `ports` local ports and the cell's sysctls, then opens "
          + "`connections` short connections to redis, fast or paced. connect() may take over a port that is "
          + "in TIME_WAIT only if tcp_tw_reuse allows it for this path (1: always, 2: loopback only), the "
          + "TIME_WAIT socket has a timestamp (tcp_timestamps=1), and it is older than tcp_tw_reuse_delay "
          + "(ms). TcpExtTWRecycled counts each take-over. Cells where the delay cannot matter (reuse=0 or "
          + "timestamps=0) are run once. The loopback rows connect to 127.0.0.1 inside the client.",
      "tcp_tw_reuse lets a client reuse TIME_WAIT ports for new outgoing connections (needs timestamps).",
      List.of(TopologyKind.DIRECT, TopologyKind.NAT),
      List.of(
          new ListParam("reuse", "tcp_tw_reuse values", "0,1,2", List.of("0", "1", "2")),
          new ListParam("timestamps", "tcp_timestamps values", "0,1", List.of("0", "1")),
          new ListParam("delay-ms", "tcp_tw_reuse_delay values (ms)", "1000,10", List.of("1", "10", "100", "1000", "5000")),
          new ListParam("pace", "fast: as fast as possible; paced: `rate` connections per second", "fast,paced",
              List.of("fast", "paced")),
          new IntParam("rate", "connections per second when paced", 60, 1, 1_000),
          new IntParam("ports", "local ports per client", 100, 10, 1_000),
          new IntParam("connections", "connections per cell", 300, 1, 5_000),
          new BoolParam("loopback", "add tcp_tw_reuse=2 rows over loopback (127.0.0.1)", true)),
      List.of(
          new SysctlUse("reuse-<cell>", "net.ipv4.tcp_tw_reuse", "params[reuse]"),
          new SysctlUse("reuse-<cell>", "net.ipv4.tcp_timestamps", "params[timestamps]"),
          new SysctlUse("reuse-<cell>", "net.ipv4.tcp_tw_reuse_delay", "params[delay-ms]"),
          new SysctlUse("reuse-<cell>", "net.ipv4.ip_local_port_range", "40000 .. 40000 + params[ports] - 1")));

  @Override
  public ScenarioDescriptor descriptor() {
    return DESCRIPTOR;
  }

  /** One cell to run. */
  private record Cell(int reuse, int timestamps, int delayMs, String pace, boolean loopback) {
    String node() {
      return "reuse" + reuse + "-ts" + timestamps + "-d" + delayMs + "-" + pace + (loopback ? "-lo" : "");
    }
  }

  @Override
  public List<String> runNodes(ScenarioParams params) {
    return cells(params).stream().map(Cell::node).toList();
  }

  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int ports = params.integer("ports");
    int connections = params.integer("connections");
    int rate = params.integer("rate");
    List<Cell> cells = cells(params);
    List<TwReuseCell> rows = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      Cell cell = cells.get(i);
      ctx.progress("cell", (i + 1) + "/" + cells.size() + ": " + cell.node(), i, cells.size());
      String node = ctx.addNode(new ScenarioContext.RunNode(cell.node(), LabNodes.firstClient(ctx.lab()), Map.of(
          "net.ipv4.tcp_tw_reuse", String.valueOf(cell.reuse()),
          "net.ipv4.tcp_timestamps", String.valueOf(cell.timestamps()),
          "net.ipv4.tcp_tw_reuse_delay", String.valueOf(cell.delayMs()),
          "net.ipv4.ip_local_port_range", "40000 " + (40_000 + ports - 1)), false)).name();
      ConnServer loopbackServer = ConnServer.on(LOOPBACK_PORT);
      if (cell.loopback() && loopbackServer.start(ctx, node).isPresent()) {
        throw new ScenarioFailure("cannot listen on 127.0.0.1:" + LOOPBACK_PORT + " in " + node);
      }
      KernelCounters before = ctx.counters(node);
      ConnLoad load = cell.loopback()
          ? ConnLoad.to("127.0.0.1", LOOPBACK_PORT).payload("PING\\r\\n")
          : ConnLoad.to(LabNodes.target(ctx.lab()), Topologies.REDIS_PORT).payload("PING\\r\\n");
      LoadReport report = load.count(connections).rate(cell.pace().equals("paced") ? rate : 0).maxSeconds(120)
          .run(ctx, node, "cell " + cell.node());
      long recycled = ctx.counters(node).since(before).get(KernelCounters.TW_RECYCLED);
      rows.add(new TwReuseCell(cell.reuse(), cell.timestamps(), cell.delayMs(), cell.pace(),
          cell.loopback() ? "loopback" : "cross-host", report, recycled, node));
      ctx.removeNode(node);
    }
    var figures = new ScenarioOutcome.TwReuse(ports, connections, rows);
    return new ScenarioResult(summary(ports, rows), figures);
  }

  /** The matrix, with the delay collapsed where it cannot matter. */
  private static List<Cell> cells(ScenarioParams params) {
    List<Integer> delays = params.list("delay-ms").stream().map(Integer::valueOf).toList();
    List<Cell> cells = new ArrayList<>();
    for (String reuse : params.list("reuse")) {
      for (String ts : params.list("timestamps")) {
        boolean delayMatters = !reuse.equals("0") && ts.equals("1");
        for (int delay : delayMatters ? delays : delays.subList(0, 1)) {
          for (String pace : params.list("pace")) {
            cells.add(new Cell(Integer.parseInt(reuse), Integer.parseInt(ts), delay, pace, false));
          }
        }
      }
    }
    if (params.bool("loopback")) {
      for (int delay : delays) {
        for (String pace : params.list("pace")) {
          cells.add(new Cell(2, 1, delay, pace, true));
        }
      }
    }
    return cells;
  }

  private static String summary(int ports, List<TwReuseCell> rows) {
    String reused = rows.stream().filter(r -> r.load().succeeded() > ports)
        .map(r -> String.format(Locale.ROOT, "reuse=%d ts=%d delay=%dms %s %s: %d", r.twReuse(), r.timestamps(),
            r.reuseDelayMs(), r.pace(), r.path(), r.load().succeeded()))
        .collect(Collectors.joining("; "));
    return String.format(Locale.ROOT, "%d cells with %d ports each; ", rows.size(), ports)
        + (reused.isEmpty() ? "no cell got more connections than it had ports: no TIME_WAIT was reused"
        : "cells that reused TIME_WAIT ports (more successes than ports): " + reused);
  }
}
