package io.twlab.scenario.builtin;

import io.twlab.core.KernelCounters;
import io.twlab.lab.Topologies;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ParameterSpec.ListParam;
import io.twlab.scenario.RunNodeTemplate;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioContext;
import io.twlab.scenario.ScenarioFailure;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.kit.ConnLoad;
import io.twlab.scenario.kit.ConnServer;
import io.twlab.scenario.kit.LabNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * S4: the port-exhaustion load under a matrix of tcp_tw_reuse x tcp_timestamps x
 * tcp_tw_reuse_delay x pace. Each cell gets a fresh client (sysctls are fixed at creation).
 */
public final class TwReuse extends Scenario {
  private static final ListParam REUSE = new ListParam("reuse", "tcp_tw_reuse values", "0,1,2", List.of("0", "1", "2"));
  private static final ListParam TIMESTAMPS =
      new ListParam("timestamps", "tcp_timestamps values", "0,1", List.of("0", "1"));
  private static final ListParam DELAY_MS = new ListParam("delay-ms", "tcp_tw_reuse_delay values (ms)",
          "1000,10", List.of("1", "10", "100", "1000", "5000"));
  private static final ListParam PACE = new ListParam("pace", "fast: as fast as possible; paced: `rate` connections per second",
          "fast,paced", List.of("fast", "paced"));
  private static final IntParam RATE = new IntParam("rate", "connections per second when paced", 60, 1, 1_000);
  private static final IntParam PORTS = new IntParam("ports", "local ports per client", 100, 10, 1_000);
  private static final IntParam CONNECTIONS = new IntParam("connections", "connections per cell", 300, 1, 5_000);
  private static final BoolParam LOOPBACK =
      new BoolParam("loopback", "run the matrix again over loopback (127.0.0.1), where tcp_tw_reuse=2 applies", true);
  private static final int FIRST_PORT = 40_000;
  private static final RunNodeTemplate<Cell> CLIENT = RunNodeTemplate
      .perCell("reuse<r>-ts<t>-d<ms>-<pace>[-lo]", TwReuse::cells, Cell::node)
      .sysctl("net.ipv4.tcp_tw_reuse", "params[reuse]", (params, cell) -> String.valueOf(cell.reuse()))
      .sysctl("net.ipv4.tcp_timestamps", "params[timestamps]", (params, cell) -> String.valueOf(cell.timestamps()))
      .sysctl("net.ipv4.tcp_tw_reuse_delay", "params[delay-ms]", (params, cell) -> String.valueOf(cell.delayMs()))
      .sysctl("net.ipv4.ip_local_port_range", FIRST_PORT + " .. " + FIRST_PORT + " + params[ports] - 1",
          (params, cell) -> FIRST_PORT + " " + (FIRST_PORT + params.get(PORTS) - 1));
  private static final int LOOPBACK_PORT = 7000;

  public TwReuse() {
    super(define("tw-reuse")
        .parameters(REUSE, TIMESTAMPS, DELAY_MS, PACE, RATE, PORTS, CONNECTIONS, LOOPBACK)
        .runNodes(CLIENT)
        .title("What tcp_tw_reuse really does (and why 2 is the default)")
        .teaches("""
            Each cell creates a client with `ports` local ports and the cell's sysctls, then opens \
            `connections` short connections to redis, fast or paced. connect() may take over a port \
            that is in TIME_WAIT only if tcp_tw_reuse allows it for this path (1: always, 2: loopback \
            only), the TIME_WAIT socket has a timestamp (tcp_timestamps=1), and it is older than \
            tcp_tw_reuse_delay (ms). TcpExtTWRecycled counts each take-over. With loopback the same \
            matrix runs again against 127.0.0.1 inside the client. Cells where reuse is not allowed \
            (reuse=0, timestamps=0, or reuse=2 off loopback) are the controls: the delay and the pace \
            cannot matter there, so each runs once, with the shortest delay and paced, where reuse \
            would happen if it were allowed.""")
        .checksClaim("""
            tcp_tw_reuse lets a client reuse TIME_WAIT ports for new outgoing connections (needs \
            timestamps)."""));
  }


  /** One cell to run. */
  private record Cell(int reuse, int timestamps, int delayMs, String pace, boolean loopback) {
    String node() {
      return "reuse" + reuse + "-ts" + timestamps + "-d" + delayMs + "-" + pace + (loopback ? "-lo" : "");
    }
  }


  @Override
  public ScenarioResult run(ScenarioContext ctx, ScenarioParams params) throws InterruptedException {
    int ports = params.get(PORTS);
    int connections = params.get(CONNECTIONS);
    int rate = params.get(RATE);
    List<Cell> cells = cells(params);
    List<CellResult> rows = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      Cell cell = cells.get(i);
      ctx.progress("cell", (i + 1) + "/" + cells.size() + ": " + cell.node(), i, cells.size());
      String node = CLIENT.addTo(ctx, params, cell);
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
      rows.add(new CellResult(cell.reuse(), cell.timestamps(), cell.delayMs(), cell.pace(),
          cell.loopback() ? "loopback" : "cross-host", report, recycled, node));
      ctx.removeNode(node);
    }
    var figures = new Outcome(ports, connections, rows);
    return new ScenarioResult(summary(ports, rows), figures);
  }

  /**
   * The matrix over each path. Where reuse is not allowed (reuse=0, timestamps=0, or reuse=2 off
   * loopback) neither the delay nor the pace can matter: such a control runs once, in the cell
   * most favourable to reuse (the shortest delay, paced if pacing is asked for).
   */
  private static List<Cell> cells(ScenarioParams params) {
    List<Integer> delays = params.get(DELAY_MS).stream().map(Integer::valueOf).toList();
    List<String> paces = params.get(PACE);
    int shortestDelay = delays.stream().min(Integer::compare).orElseThrow();
    String mostFavourablePace = paces.contains("paced") ? "paced" : paces.get(0);
    List<Cell> cells = new ArrayList<>();
    for (boolean loopback : params.get(LOOPBACK) ? List.of(false, true) : List.of(false)) {
      for (String reuse : params.get(REUSE)) {
        for (String ts : params.get(TIMESTAMPS)) {
          int r = Integer.parseInt(reuse);
          boolean allowed = (r == 1 || (r == 2 && loopback)) && ts.equals("1");
          for (int delay : allowed ? delays : List.of(shortestDelay)) {
            for (String pace : allowed ? paces : List.of(mostFavourablePace)) {
              cells.add(new Cell(r, Integer.parseInt(ts), delay, pace, loopback));
            }
          }
        }
      }
    }
    return cells;
  }

  private static String summary(int ports, List<CellResult> rows) {
    String reused = rows.stream().filter(r -> r.load().succeeded() > ports)
        .map(r -> String.format(Locale.ROOT, "reuse=%d ts=%d delay=%dms %s %s: %d", r.twReuse(), r.timestamps(),
            r.reuseDelayMs(), r.pace(), r.path(), r.load().succeeded()))
        .collect(Collectors.joining("; "));
    return String.format(Locale.ROOT, "%d cells with %d ports each; ", rows.size(), ports)
        + (reused.isEmpty() ? "no cell got more connections than it had ports: no TIME_WAIT was reused"
        : "cells that reused TIME_WAIT ports (more successes than ports): " + reused);
  }

  /** S4 tw-reuse. */
  public record Outcome(int ports, int connectionsPerCell, List<CellResult> cells) implements ScenarioOutcome {
    public Outcome {
      cells = List.copyOf(cells);
    }

    @Override
    public List<LoadReport> loads() {
      return cells.stream().map(CellResult::load).toList();
    }
  }

  /** One cell of the S4 matrix: its sysctls, its client node and the load it ran. */
  public record CellResult(int twReuse, int timestamps, int reuseDelayMs, String pace, String path, LoadReport load,
      long twRecycled, String node) {
    public long attempted() {
      return load.attempted();
    }

    public long succeeded() {
      return load.succeeded();
    }

    public long failed() {
      return load.failed();
    }
  }
}
