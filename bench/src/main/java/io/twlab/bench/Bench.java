package io.twlab.bench;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.twlab.app.ServerLimits;
import io.twlab.app.ServerSettings;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabEventBatch;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.Verdict;
import io.twlab.proto.v1.V1.VerdictOutcome;
import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import io.twlab.server.ServerConfig;
import io.twlab.server.TwlabServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The observation benchmarks of issues 4 and 21, each against a baseline measured in the same run,
 * on a real server (in this process) and real labs. Run with {@code bench/run.sh}; prints a report.
 */
public final class Bench {
  private static final int LATENCY_CONNECTIONS = 30;
  private static final int FLOOD = 10_000;
  private static final int WATCHERS = 200;
  private static final int CPU_SECONDS = 10;
  /** 200 watchers of every transition of a traced flood: about 20 million messages on two cores. */
  private static final int DRAIN_LIMIT_SECONDS = 900;
  private static final double CLOCK_TICKS = 100.0;
  private static final int GRADES = 500;
  /** The course of issue 12: 24 students grading at once on a 2-core host. */
  private static final int GRADE_CONCURRENCY = 24;
  private static final int MAX_FLOODS = 40;

  /** A traced 10 000-connection flood makes about 100 000 events: all of them stay retained. */
  private static final int RETENTION = 1_000_000;

  /** Idle labs of the capacity part; {@code capacity N} picks another number. */
  private static final int IDLE_LABS = 10;
  private static final int CYCLES = 200;
  private static final int IDLE_WINDOW_SECONDS = 20;
  private static final int REPEATS = 3;

  private final LabServiceGrpc.LabServiceBlockingStub lab;
  private final String owner;
  private final String observer;

  private Bench(LabServiceGrpc.LabServiceBlockingStub lab, String owner) {
    this.lab = lab;
    this.owner = owner;
    this.observer = "twlab-observer-" + owner;
  }

  public static void main(String[] args) throws Exception {
    List<String> parts = args.length == 0
        ? List.of("parse", "join", "capacity", "flood", "create", "latency", "fanout", "teardown") : List.of(args);
    if (parts.contains("parse")) {
      ParseBench.run();
    }
    if (parts.contains("join")) {
      JoinBench.run();
    }
    if (parts.contains("flood")) {
      flood();
    }
    if (parts.stream().allMatch(p -> p.equals("parse") || p.equals("join") || p.equals("flood"))) {
      return;
    }
    try (Served traced = Served.start(true)) {
      Bench bench = new Bench(traced.stub(), traced.owner());
      if (parts.contains("capacity")) {
        int at = parts.indexOf("capacity");
        bench.capacity(at + 1 < parts.size() && parts.get(at + 1).matches("\\d+")
            ? Integer.parseInt(parts.get(at + 1)) : IDLE_LABS);
      }
      if (parts.contains("create")) {
        bench.create();
      }
      if (parts.contains("latency")) {
        bench.latencyAndCpu();
      }
      if (parts.contains("fanout")) {
        bench.fanOut();
      }
      if (parts.contains("teardown")) {
        bench.teardown();
      }
      if (parts.contains("cycles")) {
        int at = parts.indexOf("cycles");
        bench.cycles(at + 1 < parts.size() && parts.get(at + 1).matches("\\d+")
            ? Integer.parseInt(parts.get(at + 1)) : CYCLES);
      }
    }
  }

  /** A server in this process and a channel to it. */
  private record Served(TwlabServer server, ManagedChannel channel, String owner) implements AutoCloseable {
    static Served start(boolean tracing) throws IOException {
      String owner = "twlab-bench-" + UUID.randomUUID().toString().substring(0, 8);
      TwlabServer server = TwlabServer.start(new ServerConfig(0, 0, owner, RETENTION, tracing, "",
          Path.of("target", "history-" + owner), ServerConfig.DEFAULT_HISTORY_RUNS, ServerConfig.LOOPBACK, false,
          // The loads below measure twlab, not its admission queue.
          ServerLimits.DEFAULT.withLabs(200).withRuns(100), Optional.empty(), ServerSettings.NODE, Optional.empty(),
          List.of()));
      return new Served(server, Grpc.newChannelBuilder("localhost:" + server.grpcPort(),
          InsecureChannelCredentials.create()).build(), owner);
    }

    LabServiceGrpc.LabServiceBlockingStub stub() {
      return LabServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() throws Exception {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
  }

  /**
   * Issue 22: {@code n} nat labs made and deleted one after another. twlab's figures: the heap after
   * a full GC and the time a cycle takes at the end; the baselines, the same at the start of the run.
   * The engine keeps none of the owner's containers or networks.
   */
  private void cycles(int n) throws Exception {
    deleteLab(createLab("nat")); // the observer starts with the first lab and stays
    long heapBefore = heapMb();
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long started = System.nanoTime();
      deleteLab(createLab("nat"));
      millis.add((System.nanoTime() - started) / 1_000_000);
    }
    long heapAfter = heapMb();
    int window = Math.max(1, n / 10);
    double first = millis.subList(0, window).stream().mapToLong(Long::longValue).average().orElse(0);
    double last = millis.subList(n - window, n).stream().mapToLong(Long::longValue).average().orElse(0);
    int leaked = docker("ps", "-aq", "--filter", "label=io.twlab.owner=" + owner).size()
        + docker("network", "ls", "-q", "--filter", "label=io.twlab.owner=" + owner).size();
    System.out.printf(Locale.ROOT, "%n## Cycles: %d nat labs created and deleted one after another%n", n);
    System.out.printf(Locale.ROOT, "twlab, after: heap %d MiB after a full GC, %.0f ms a cycle (last %d), %d containers "
        + "or networks left (target: 0, heap within 10%%)%n", heapAfter, last, window, leaked);
    System.out.printf(Locale.ROOT, "baseline, before: heap %d MiB, %.0f ms a cycle (first %d)%n", heapBefore, first,
        window);
    System.out.printf(Locale.ROOT, "ratio after/before: heap %.2f, cycle time %.2f%n", ratio(heapAfter, heapBefore),
        ratio(last, first));
  }

  /**
   * Issue 21: the host's CPU with {@code labs} idle nat labs (4 nodes each) against the same host
   * with none, both with the server and its observer up, from /proc/stat over a fixed window.
   */
  private void capacity(int labs) throws Exception {
    deleteLab(createLab("nat")); // the observer starts with the first lab and stays
    Thread.sleep(2_000);
    double none = hostCpu(IDLE_WINDOW_SECONDS);
    List<Lab> made = new ArrayList<>();
    try {
      for (int i = 0; i < labs; i++) {
        made.add(createLab("nat"));
      }
      Thread.sleep(5_000);
      double with = hostCpu(IDLE_WINDOW_SECONDS);
      double perLab = (with - none) / labs;
      System.out.printf(Locale.ROOT, "%n## Capacity: host CPU (share of one core, /proc/stat over %d s) with idle nat labs%n",
          IDLE_WINDOW_SECONDS);
      System.out.printf(Locale.ROOT, "twlab, %d idle nat labs: %.1f%% in all, %.2f%% per lab (target: <= 0.5%% per lab)%n",
          labs, with * 100, perLab * 100);
      System.out.printf(Locale.ROOT, "baseline, no lab (server and observer up): %.1f%%%n", none * 100);
      System.out.printf(Locale.ROOT, "ratio with/without: %.2f; 60 idle nat labs would cost about %.0f%% of a core "
          + "(target: <= 30%%)%n", ratio(with, none), perLab * 60 * 100);
    } finally {
      made.forEach(this::deleteLab);
    }
  }

  /** The share of one core the whole host used over {@code seconds} (all but idle and iowait). */
  private static double hostCpu(int seconds) throws Exception {
    long[] before = hostTicks();
    Thread.sleep(seconds * 1_000L);
    long[] after = hostTicks();
    return (after[0] - before[0]) / CLOCK_TICKS / seconds;
  }

  private static long[] hostTicks() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < f.length && i <= 8; i++) {
      busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]); // idle, iowait
    }
    return new long[] {busy};
  }

  /**
   * Issue 21: the same {@value #FLOOD}-connection redis-flood on a server with the tracer off, then
   * on one with it on, each server alone on the host (a host observer traces every lab namespace of
   * the host, another server's too), each flood in a fresh lab (a lab's earlier flood leaves 10 000
   * TIME_WAIT sockets that slow the next one's port search).
   */
  private static void flood() throws Exception {
    List<Double> off = floods(false);
    List<Double> on = floods(true);
    double onMedian = median(on);
    double offMedian = median(off);
    System.out.printf(Locale.ROOT, "%n## Flood: %d-connection redis-flood, %d runs each, each in a fresh direct lab%n",
        FLOOD, REPEATS);
    System.out.printf(Locale.ROOT, "twlab, tracer on: %s conn/s (median %.0f)%n", on, onMedian);
    System.out.printf(Locale.ROOT, "baseline, --tracer off: %s conn/s (median %.0f)%n", off, offMedian);
    System.out.printf(Locale.ROOT, "ratio on/off: %.2f (target: >= 0.85)%n", ratio(onMedian, offMedian));
  }

  private static List<Double> floods(boolean tracing) throws Exception {
    List<Double> rates = new ArrayList<>();
    try (Served served = Served.start(tracing)) {
      Bench bench = new Bench(served.stub(), served.owner());
      for (int i = 0; i < REPEATS; i++) {
        rates.add(bench.floodInFreshLab());
      }
    }
    return rates;
  }

  private double floodInFreshLab() {
    Lab l = createLab("direct");
    try {
      return floodRate(l);
    } finally {
      deleteLab(l);
    }
  }

  private double floodRate(Lab l) {
    Run run = lab.runScenario(RunScenarioRequest.newBuilder().setLabId(l.getId()).setScenario("redis-flood")
        .putParams("connections", String.valueOf(FLOOD)).setWait(true).build());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("at (\\d+) conn/s").matcher(run.getResult().getSummary());
    if (!m.find()) {
      throw new IllegalStateException("no rate in the flood's summary: " + run.getResult().getSummary() + run.getError());
    }
    return Double.parseDouble(m.group(1));
  }

  /**
   * Issue 21: a nat lab created to READY by twlab against the same two networks and four
   * containers made by sequential {@code docker} commands.
   */
  private void create() throws Exception {
    List<Long> ours = new ArrayList<>();
    List<Long> baseline = new ArrayList<>();
    deleteLab(createLab("nat")); // the observer's start is not a lab's
    String tag = Files.readString(Path.of("lab-images", "VERSION")).trim();
    for (int i = 0; i < REPEATS; i++) {
      long started = System.nanoTime();
      Lab l = createLab("nat");
      ours.add((System.nanoTime() - started) / 1_000_000);
      deleteLab(l);
      String name = "twlab-bench-create-" + i;
      started = System.nanoTime();
      docker("network", "create", "--internal", "--subnet", "10.254.1.0/24", name + "-lan");
      docker("network", "create", "--internal", "--subnet", "10.254.2.0/24", name + "-wan");
      docker("run", "-d", "--name", name + "-client", "--network", name + "-lan", "twlab/client:" + tag);
      docker("run", "-d", "--name", name + "-gateway", "--cap-add", "NET_ADMIN", "--network", name + "-lan",
          "twlab/gateway:" + tag);
      docker("network", "connect", name + "-wan", name + "-gateway");
      docker("run", "-d", "--name", name + "-server", "--network", name + "-wan", "twlab/server:" + tag);
      docker("run", "-d", "--name", name + "-redis", "--network", name + "-wan", "twlab/redis:" + tag);
      baseline.add((System.nanoTime() - started) / 1_000_000);
      docker("rm", "-f", name + "-client", name + "-gateway", name + "-server", name + "-redis");
      docker("network", "rm", name + "-lan", name + "-wan");
    }
    System.out.printf(Locale.ROOT, "%n## Create: a nat lab (2 networks, 4 containers) to READY, %d times each%n", REPEATS);
    System.out.printf(Locale.ROOT, "twlab: %s ms (median %.0f)%n", ours, median(ours));
    System.out.printf(Locale.ROOT, "baseline, the same networks and containers by sequential docker commands: %s ms "
        + "(median %.0f)%n", baseline, median(baseline));
    System.out.printf(Locale.ROOT, "ratio: %.2f (target: <= 1.1)%n", ratio(median(ours), median(baseline)));
  }

  private static double median(List<? extends Number> values) {
    List<Double> sorted = values.stream().map(Number::doubleValue).sorted().toList();
    return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
  }

  /**
   * Issue 12: {@value #GRADES} grades of examples/nc-timewait.yaml, {@value #GRADE_CONCURRENCY} at a
   * time as a course would send them, beside 10 000-connection floods. A wrong grade (an expectation
   * FAILED on a kernel that did the textbook close) must never happen; the baseline is the kernel's
   * own count in the same runs: TcpExtTW says whether the client made its TIME_WAIT.
   */
  private void teardown() throws Exception {
    String experiment = Files.readString(Path.of("examples", "nc-timewait.yaml"));
    ExecutorService pool = Executors.newFixedThreadPool(GRADE_CONCURRENCY + 1);
    AtomicBoolean gradesDone = new AtomicBoolean();
    long started = System.nanoTime();
    try {
      Future<Integer> floods = pool.submit(() -> {
        Lab l = createLab();
        try {
          int n = 0;
          for (; n < MAX_FLOODS && !gradesDone.get(); n++) {
            lab.runScenario(RunScenarioRequest.newBuilder().setLabId(l.getId()).setScenario("redis-flood")
                .putParams("connections", String.valueOf(FLOOD)).setWait(true).build());
          }
          return n;
        } finally {
          deleteLab(l);
        }
      });
      List<Future<GradeReport>> grades = new ArrayList<>();
      for (int i = 0; i < GRADES; i++) {
        grades.add(pool.submit(() -> lab.gradeExperiment(GradeExperimentRequest.newBuilder()
            .setExperiment(experiment).build())));
      }
      int wrong = 0;
      int unjudged = 0;
      int refused = 0;
      int kernelTimeWaits = 0;
      int agreed = 0;
      List<String> examples = new ArrayList<>();
      for (Future<GradeReport> g : grades) {
        GradeReport report;
        try {
          report = g.get();
        } catch (ExecutionException e) {
          // The server refused the grade (e.g. no lab could be made): nothing was graded, nothing wrong.
          refused++;
          if (examples.size() < 5) {
            examples.add("refused: " + e.getCause().getMessage());
          }
          continue;
        }
        List<Verdict> verdicts = report.getRunsList().stream().flatMap(r -> r.getVerdictsList().stream()).toList();
        boolean failed = verdicts.stream().anyMatch(v -> v.getOutcome() == VerdictOutcome.VERDICT_OUTCOME_FAILED);
        boolean kernelMadeIt = verdicts.stream().anyMatch(v -> v.getExpectation().contains("TcpExtTW") && v.getPassed());
        kernelTimeWaits += kernelMadeIt ? 1 : 0;
        agreed += kernelMadeIt && report.getPassed() ? 1 : 0;
        if (failed) {
          wrong++;
          if (examples.size() < 5) {
            examples.add("wrong: " + report.getRuns(0).getRun().getId() + ": " + verdicts.stream()
                .filter(v -> v.getOutcome() == VerdictOutcome.VERDICT_OUTCOME_FAILED)
                .map(v -> v.getExpectation() + " -> " + v.getObserved()).toList());
          }
        } else if (!report.getPassed()) {
          unjudged++;
        }
      }
      gradesDone.set(true);
      int floodRuns = floods.get();
      double minutes = (System.nanoTime() - started) / 60e9;
      System.out.printf(Locale.ROOT, "%n## Teardown: %d S1 grades, %d at a time, beside %d floods of %d connections "
          + "(%.1f min)%n", GRADES, GRADE_CONCURRENCY, floodRuns, FLOOD, minutes);
      System.out.printf(Locale.ROOT, "twlab: wrong grades %d/%d (%.2f %%), could not be judged (ERROR) %d, "
          + "refused by the server %d%n", wrong, GRADES, 100.0 * wrong / GRADES, unjudged, refused);
      System.out.printf(Locale.ROOT, "baseline, the kernel's own count (TcpExtTW moved on the client): a TIME_WAIT was "
          + "made in %d/%d runs%n", kernelTimeWaits, GRADES);
      System.out.printf(Locale.ROOT, "ratio: twlab passed %d of the %d runs the kernel says were textbook closes (%.3f)%n",
          agreed, kernelTimeWaits, ratio(agreed, kernelTimeWaits));
      examples.forEach(e -> System.out.println("example: " + e));
    } finally {
      gradesDone.set(true);
      pool.shutdownNow();
    }
  }

  /** Transition-to-watcher latency vs polling with `docker exec ss`; observer CPU idle vs 10 000 sockets. */
  private void latencyAndCpu() throws Exception {
    Lab l = createLab();
    try {
      String client = container(l, "client");
      String server = l.getNodesList().stream().filter(n -> n.getName().equals("server")).findFirst().orElseThrow()
          .getAddresses(0).getIp();
      Map<Integer, Long> watched = new ConcurrentHashMap<>();
      Map<Integer, Long> polled = new ConcurrentHashMap<>();
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService threads = Executors.newFixedThreadPool(2);
      CountDownLatch subscribed = new CountDownLatch(1);
      threads.submit(() -> watch(WatchLabRequest.newBuilder().setLabId(l.getId()).setAfterSequence(-1)
          .addNodes("client").addStates(TcpState.TCP_STATE_ESTABLISHED)
          .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), subscribed, done, e -> {
            if (e.hasTransition() && e.getTransition().getTo() == TcpState.TCP_STATE_ESTABLISHED) {
              watched.putIfAbsent(port(e.getTransition().getLocal()), System.currentTimeMillis());
            }
          }));
      threads.submit(() -> {
        while (!done.get()) {
          List<String> lines = docker("exec", client, "ss", "-tanH", "state", "established", "( dport = :6379 )");
          long now = System.currentTimeMillis();
          lines.forEach(line -> polled.putIfAbsent(port(line.trim().split("\\s+")[2]), now));
        }
        return null;
      });
      subscribed.await(10, TimeUnit.SECONDS);
      Thread.sleep(1_000);
      // Each connection lives 0.5 s, long enough for either observer to see it.
      List<String> opened = docker("exec", client, "python3", "-c", "import socket, time\n"
          + "for i in range(" + LATENCY_CONNECTIONS + "):\n"
          + "    s = socket.create_connection(('" + server + "', 6379))\n"
          + "    print(s.getsockname()[1], int(time.time() * 1000), flush=True)\n"
          + "    time.sleep(0.5)\n"
          + "    s.close()\n"
          + "    time.sleep(0.2)\n");
      Thread.sleep(1_000);
      done.set(true);
      threads.shutdownNow();
      List<Long> ours = new ArrayList<>();
      List<Long> baseline = new ArrayList<>();
      for (String line : opened) {
        String[] f = line.trim().split(" ");
        int port = Integer.parseInt(f[0]);
        long connectedAt = Long.parseLong(f[1]);
        if (watched.containsKey(port)) {
          ours.add(watched.get(port) - connectedAt);
        }
        if (polled.containsKey(port)) {
          baseline.add(polled.get(port) - connectedAt);
        }
      }
      System.out.printf(Locale.ROOT, "%n## Latency: connect() in a lab node -> ESTABLISHED at a gRPC watcher (%d connections)%n",
          LATENCY_CONNECTIONS);
      System.out.printf(Locale.ROOT, "twlab stream (%s): seen %d/%d, p50 %d ms, p95 %d ms%n",
          l.getObservationMode().replaceAll(":.*", ""), ours.size(), opened.size(), pct(ours, 0.5), pct(ours, 0.95));
      System.out.printf(Locale.ROOT, "baseline (`docker exec ss` in a loop): seen %d/%d, p50 %d ms, p95 %d ms%n",
          baseline.size(), opened.size(), pct(baseline, 0.5), pct(baseline, 0.95));
      System.out.printf(Locale.ROOT, "ratio twlab/baseline: p50 %.2f, p95 %.2f (target: p95 <= 250 ms)%n",
          ratio(pct(ours, 0.5), pct(baseline, 0.5)), ratio(pct(ours, 0.95), pct(baseline, 0.95)));

      double idle = cpu(observer, "twlab-observer", CPU_SECONDS);
      double tracerIdle = cpu(observer, "twlab-trace", CPU_SECONDS);
      String tracerPid = pid(observer, "twlab-trace");
      long tracerBefore = cpuTicks(observer, tracerPid);
      long floodStarted = System.nanoTime();
      Run flood = lab.runScenario(RunScenarioRequest.newBuilder().setLabId(l.getId()).setScenario("redis-flood")
          .putParams("connections", String.valueOf(FLOOD)).setWait(true).build());
      double floodSeconds = (System.nanoTime() - floodStarted) / 1e9;
      double tracerFlood = (cpuTicks(observer, tracerPid) - tracerBefore) / CLOCK_TICKS / floodSeconds;
      int sockets = docker("exec", client, "ss", "-tanH").size();
      double loaded = cpu(observer, "twlab-observer", CPU_SECONDS);
      String floodSummary = flood.getResult().getSummary().replaceAll(";.*", "");
      System.out.printf(Locale.ROOT, "%n## Observation CPU, as a share of one core%n");
      System.out.printf(Locale.ROOT, "host observer's sampling, baseline (one idle lab, %d s): %.1f%%%n", CPU_SECONDS,
          idle * 100);
      System.out.printf(Locale.ROOT, "host observer's sampling, client with %d sockets (after %s, %d s): %.1f%%; ratio %.1fx idle "
          + "(target: <= 10%%)%n", sockets, floodSummary, CPU_SECONDS, loaded * 100, ratio(loaded, idle));
      System.out.printf(Locale.ROOT, "host's tracer (one for all labs), baseline (idle host, %d s): %.1f%%%n",
          CPU_SECONDS, tracerIdle * 100);
      System.out.printf(Locale.ROOT, "host's tracer during the flood (%.1f s): %.1f%%; ratio %.1fx idle%n", floodSeconds,
          tracerFlood * 100, ratio(tracerFlood, tracerIdle));
    } finally {
      deleteLab(l);
    }
  }

  /**
   * One watcher, then 200, of WatchLabBatched on a 10 000-connection flood: every event delivered,
   * how late, at what memory.
   */
  private void fanOut() throws Exception {
    FanOut one = floodWith(1);
    FanOut many = floodWith(WATCHERS);
    System.out.printf(Locale.ROOT, "%n## Fan-out: WatchLabBatched watchers (detail=connections) of a %d-connection flood%n",
        FLOOD);
    for (FanOut f : List.of(one, many)) {
      System.out.printf(Locale.ROOT, "%3d watcher(s): %d events expected each; delivered min %d max %d; gaps %d; "
              + "last watcher done %d ms after the run; heap %d MB%n", f.watchers, f.expected, f.minDelivered,
          f.maxDelivered, f.gaps, f.drainMs, f.heapMb);
    }
    System.out.printf(Locale.ROOT, "ratio %d/1 watchers: drain time %.0f (1 watcher's counted as at least 1 ms), "
        + "heap %.2f (target: the last of 200 done <= 10 s after the run, no lost events)%n",
        WATCHERS, ratio(many.drainMs, Math.max(1, one.drainMs)), ratio(many.heapMb, one.heapMb));
  }

  private record FanOut(int watchers, long expected, long minDelivered, long maxDelivered, long gaps, long drainMs,
      long heapMb) {}

  private FanOut floodWith(int watchers) throws Exception {
    Lab l = createLab();
    ExecutorService pool = Executors.newFixedThreadPool(watchers);
    try {
      CountDownLatch subscribed = new CountDownLatch(watchers);
      List<Future<Watched>> results = new ArrayList<>();
      for (int i = 0; i < watchers; i++) {
        results.add(pool.submit(() -> {
          Watched w = new Watched();
          AtomicBoolean done = new AtomicBoolean();
          // From the lab's first event: every watcher gets the same events, whenever its stream started.
          watchBatched(WatchLabRequest.newBuilder().setLabId(l.getId()).setAfterSequence(0)
              .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), subscribed, done, e -> {
                w.accept(e);
                if (e.hasRunFinished()) {
                  done.set(true);
                }
              });
          return w;
        }));
      }
      subscribed.await(30, TimeUnit.SECONDS);
      Thread.sleep(1_000);
      lab.runScenario(RunScenarioRequest.newBuilder().setLabId(l.getId()).setScenario("redis-flood")
          .putParams("connections", String.valueOf(FLOOD)).setWait(true).build());
      long finishedAt = System.currentTimeMillis();
      long heapMb = heapMb();
      long min = Long.MAX_VALUE;
      long max = 0;
      long gaps = 0;
      long expected = 0;
      long lastDone = finishedAt;
      for (Future<Watched> result : results) {
        Watched w = result.get(DRAIN_LIMIT_SECONDS, TimeUnit.SECONDS);
        expected = Math.max(expected, w.lastSequence - w.firstSequence + 1);
        min = Math.min(min, w.delivered);
        max = Math.max(max, w.delivered);
        gaps += w.gaps;
        lastDone = Math.max(lastDone, w.finishedAt);
      }
      return new FanOut(watchers, expected, min, max, gaps, lastDone - finishedAt, heapMb);
    } finally {
      pool.shutdownNow();
      deleteLab(l);
    }
  }

  /** What one watcher received: counts only, so that the bench itself holds little memory. */
  private static final class Watched {
    long firstSequence = -1;
    long lastSequence;
    long delivered;
    long gaps;
    long finishedAt;

    void accept(LabEvent e) {
      if (finishedAt > 0) {
        return; // after run_finished: what else its batch held is not the run's
      }
      if (e.hasGap()) {
        gaps++;
        return;
      }
      if (firstSequence < 0) {
        firstSequence = e.getSequence();
      } else if (e.getSequence() != lastSequence + 1) {
        gaps++; // an event missing in between (detail=connections passes every event)
      }
      lastSequence = e.getSequence();
      delivered++;
      if (e.hasRunFinished()) {
        finishedAt = System.currentTimeMillis();
      }
    }
  }

  /** Follows a lab's events until {@code done}; counts down {@code subscribed} once the stream is open. */
  private void watch(WatchLabRequest request, CountDownLatch subscribed, AtomicBoolean done,
      java.util.function.Consumer<LabEvent> handler) {
    follow(() -> lab.watchLab(request), List::of, subscribed, done, handler);
  }

  /** Like {@link #watch} over WatchLabBatched: the events a watcher is behind by come in one message. */
  private void watchBatched(WatchLabRequest request, CountDownLatch subscribed, AtomicBoolean done,
      java.util.function.Consumer<LabEvent> handler) {
    follow(() -> lab.watchLabBatched(request), LabEventBatch::getEventsList, subscribed, done, handler);
  }

  private static <T> void follow(java.util.function.Supplier<Iterator<T>> open,
      java.util.function.Function<T, List<LabEvent>> events, CountDownLatch subscribed, AtomicBoolean done,
      java.util.function.Consumer<LabEvent> handler) {
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      call.run(() -> {
        Iterator<T> messages = open.get();
        subscribed.countDown();
        while (!done.get() && messages.hasNext()) {
          events.apply(messages.next()).forEach(handler);
        }
      });
    }
  }

  /** The share of one core a container's process used over {@code seconds}. */
  private static double cpu(String container, String process, int seconds) throws Exception {
    String pid = pid(container, process);
    long before = cpuTicks(container, pid);
    Thread.sleep(seconds * 1_000L);
    return (cpuTicks(container, pid) - before) / CLOCK_TICKS / seconds;
  }

  private static String pid(String container, String process) throws Exception {
    return docker("exec", container, "pgrep", "-x", process).get(0).trim();
  }

  private static long cpuTicks(String container, String pid) throws Exception {
    String stat = docker("exec", container, "cat", "/proc/" + pid + "/stat").get(0);
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
  }

  private static long heapMb() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }

  private Lab createLab() {
    return createLab("direct");
  }

  private Lab createLab(String topology) {
    return lab.createLab(CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology(topology)).build());
  }

  private void deleteLab(Lab l) {
    lab.deleteLab(DeleteLabRequest.newBuilder().setLabId(l.getId()).build());
  }

  private static String container(Lab l, String node) {
    return "twlab-" + l.getId() + "-" + node;
  }

  private static int port(String endpoint) {
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }

  private static long pct(List<Long> values, double q) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, (int) (q * sorted.size())));
  }

  private static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }

  private static List<String> docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      reader.lines().filter(l -> !l.isBlank()).forEach(lines::add);
    }
    process.waitFor(60, TimeUnit.SECONDS);
    return lines;
  }
}
