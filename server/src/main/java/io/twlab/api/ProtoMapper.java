package io.twlab.api;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.twlab.app.Labs;
import io.twlab.capture.Ladder;
import io.twlab.core.Bounded;
import io.twlab.core.Caller;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import io.twlab.event.Detail;
import io.twlab.event.EventFilter;
import io.twlab.event.EventPayload;
import io.twlab.event.EventPayload.CounterDeltas;
import io.twlab.event.EventPayload.ObservationNotice;
import io.twlab.event.LabEvent;
import io.twlab.grading.GradeReport;
import io.twlab.grading.GradeReport.StepGrade;
import io.twlab.grading.SweepDimension;
import io.twlab.grading.SweepReport;
import io.twlab.grading.SweepReport.Table;
import io.twlab.grading.Verdict;
import io.twlab.lab.Lab;
import io.twlab.lab.LabNode;
import io.twlab.lab.LabRequest;
import io.twlab.lab.LabSpec;
import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.ConnectionTransition;
import io.twlab.proto.v1.V1.EventGap;
import io.twlab.proto.v1.V1.LabStatus;
import io.twlab.proto.v1.V1.LabStatusChanged;
import io.twlab.proto.v1.V1.ListRunsResponse;
import io.twlab.proto.v1.V1.Node;
import io.twlab.proto.v1.V1.NodeAddress;
import io.twlab.proto.v1.V1.NodeConfig;
import io.twlab.proto.v1.V1.NodeCounters;
import io.twlab.proto.v1.V1.RunFinished;
import io.twlab.proto.v1.V1.RunProgress;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.ScenarioParameter;
import io.twlab.proto.v1.V1.ScenarioSysctl;
import io.twlab.proto.v1.V1.StateCounts;
import io.twlab.proto.v1.V1.TransitionSummary;
import io.twlab.proto.v1.V1.VerdictOutcome;
import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import io.twlab.scenario.ParameterSpec;
import io.twlab.scenario.ParameterSpec.BoolParam;
import io.twlab.scenario.ParameterSpec.EnumParam;
import io.twlab.scenario.ParameterSpec.IntParam;
import io.twlab.scenario.ParameterSpec.ListParam;
import io.twlab.scenario.ProgramContract;
import io.twlab.scenario.Run;
import io.twlab.scenario.Scenario;
import io.twlab.scenario.ScenarioDescriptor;
import io.twlab.scenario.ScenarioResult;
import io.twlab.store.RecordedRun;
import io.twlab.store.RunQuery;
import io.twlab.sysctl.SysctlRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Translates between the domain and the twlab.v1 messages; used by both gRPC and HTTP. */
public final class ProtoMapper {
  private ProtoMapper() {}

  private static LabRequest request(V1.LabSpec spec) {
    Map<String, Map<String, String>> sysctls = new LinkedHashMap<>();
    spec.getNodesMap().forEach((node, config) -> sysctls.put(node, config.getSysctlsMap()));
    return new LabRequest(spec.getTopology(), spec.getClients(), spec.getSnatPortRange(), sysctls,
        spec.hasTtl() ? duration(spec.getTtl()) : null);
  }

  /** Creates the lab {@code spec} asks for; a refused field is named as the request has it ({@code spec.clients}). */
  public static Lab createLab(Labs labs, Caller caller, V1.LabSpec spec) {
    try {
      return labs.create(caller, request(spec));
    } catch (InvalidArgumentException e) {
      throw e.under("spec");
    }
  }

  public static V1.Lab lab(Lab lab) {
    V1.Lab.Builder b = V1.Lab.newBuilder()
        .setId(lab.id())
        .setSpec(spec(lab.spec()))
        .setStatus(LabStatus.valueOf("LAB_STATUS_" + lab.status().name()))
        .setCreatedAt(timestamp(lab.createdAt()))
        .setExpiresAt(timestamp(lab.expiresAt()))
        .setObservationMode(lab.observationMode())
        .setOwnerId(lab.tenant().owner())
        .setWorkshopId(lab.tenant().workshop());
    for (LabNode node : lab.nodes()) {
      Node.Builder n = Node.newBuilder().setName(node.name()).setRole(node.role().id())
          .putAllEffectiveSysctls(node.effectiveSysctls());
      node.addresses().forEach((network, ip) -> n.addAddresses(NodeAddress.newBuilder().setNetwork(network).setIp(ip)));
      b.addNodes(n);
    }
    return b.build();
  }

  private static V1.LabSpec spec(LabSpec spec) {
    V1.LabSpec.Builder b = V1.LabSpec.newBuilder()
        .setTopology(spec.topology().id())
        .setClients(spec.clients())
        .setSnatPortRange(spec.snatPorts().toString())
        .setTtl(duration(spec.ttl()));
    spec.sysctls().forEach((node, values) -> b.putNodes(node, NodeConfig.newBuilder().putAllSysctls(values).build()));
    return b.build();
  }

  public static V1.Scenario scenario(ScenarioDescriptor d) {
    V1.Scenario.Builder b = V1.Scenario.newBuilder()
        .setName(d.name()).setTitle(d.title()).setDescription(d.description()).setChecksClaim(d.checksClaim());
    d.topologies().forEach(t -> b.addTopologies(t.id()));
    for (ParameterSpec p : d.parameters()) {
      ScenarioParameter.Builder pb = ScenarioParameter.newBuilder().setName(p.name()).setType(p.type())
          .setDescription(p.description()).setDefaultValue(p.defaultValue());
      if (p instanceof ParameterSpec.IntParam i) {
        pb.setMin(String.valueOf(i.min())).setMax(String.valueOf(i.max()));
      } else if (p instanceof ParameterSpec.EnumParam e) {
        pb.addAllAllowedValues(e.choices());
      } else if (p instanceof ParameterSpec.ListParam l) {
        pb.addAllAllowedValues(l.choices());
      } else if (p instanceof ParameterSpec.BoolParam) {
        pb.addAllowedValues("true").addAllowedValues("false");
      }
      b.addParameters(pb);
    }
    d.sysctls().forEach(s -> b.addSysctls(ScenarioSysctl.newBuilder().setNode(s.node()).setKey(s.key()).setValue(s.value())));
    d.programs().forEach(c -> b.addPrograms(contract(c)));
    return b.build();
  }

  public static V1.ListSysctlsResponse sysctls(List<SysctlRule> rules) {
    V1.ListSysctlsResponse.Builder b = V1.ListSysctlsResponse.newBuilder();
    for (SysctlRule rule : rules) {
      V1.SysctlKey.Builder key = V1.SysctlKey.newBuilder().setKey(rule.key());
      if (rule instanceof SysctlRule.IntRange r) {
        key.setType("int").setMin(r.min()).setMax(r.max()).setHelp(r.help());
      } else if (rule instanceof SysctlRule.IntPair r) {
        key.setType("pair").setMin(r.min()).setMax(r.max()).setHelp(r.help());
      } else if (rule instanceof SysctlRule.Refused r) {
        key.setType("refused").setHelp(r.reason());
      }
      b.addSysctls(key);
    }
    return b.build();
  }

  public static V1.RunLadders ladders(List<Ladder> ladders) {
    V1.RunLadders.Builder b = V1.RunLadders.newBuilder();
    for (Ladder l : ladders) {
      V1.Ladder.Builder lb = V1.Ladder.newBuilder().setNode(l.node()).setA(l.a()).setB(l.b());
      for (Ladder.Rung r : l.rungs()) {
        lb.addRungs(V1.Rung.newBuilder().setAtSeconds(r.atSeconds()).setFromA(r.fromA()).setFlags(r.flags())
            .setSeq(r.seq()).setAck(r.ack()).setLength(r.length())
            .addAllAEntered(r.aEntered().stream().map(ProtoMapper::tcpState).toList())
            .addAllBEntered(r.bEntered().stream().map(ProtoMapper::tcpState).toList()));
      }
      b.addLadders(lb);
    }
    return b.build();
  }

  public static V1.ProgramContract contract(ProgramContract c) {
    return V1.ProgramContract.newBuilder().setSlot(c.slot()).setRunsOn(c.runsOn()).setReplaces(c.replaces())
        .addAllArgs(c.args()).setReadiness(c.readiness()).setContract(c.contract()).build();
  }

  public static V1.GradeReport grade(GradeReport report) {
    V1.GradeReport.Builder b = V1.GradeReport.newBuilder()
        .setExperiment(report.experiment()).setLabId(report.labId()).setPassed(report.passed())
        .setStartedAt(timestamp(report.startedAt())).setFinishedAt(timestamp(report.finishedAt()));
    for (GradeReport.StepGrade step : report.steps()) {
      V1.RunGrade.Builder rb = V1.RunGrade.newBuilder().setRun(run(step.run()))
          .setPassed(step.passed());
      step.verdicts().forEach(v -> rb.addVerdicts(verdict(v)));
      b.addRuns(rb);
    }
    return b.build();
  }

  public static V1.SweepReport sweep(SweepReport report) {
    V1.SweepReport.Builder b = V1.SweepReport.newBuilder()
        .setExperiment(report.experiment()).setPassed(report.passed())
        .addAllDimensions(report.dimensions().stream().map(SweepDimension::label).toList())
        .setStartedAt(timestamp(report.startedAt())).setFinishedAt(timestamp(report.finishedAt()));
    report.cells().forEach(c -> b.addCells(V1.SweepCell.newBuilder().putAllValues(c.values())
        .setReport(grade(c.report()))));
    SweepReport.Table table = report.table();
    V1.ComparisonTable.Builder t = V1.ComparisonTable.newBuilder()
        .addAllColumns(table.columns());
    table.rows().forEach(row -> t.addRows(V1.TableRow.newBuilder().addAllCells(row)));
    return b.setTable(t).build();
  }

  private static V1.Verdict verdict(Verdict v) {
    return V1.Verdict.newBuilder().setExpectation(v.expectation().describe())
        .setKind(v.expectation().kind()).setPassed(v.passed()).setObserved(v.observed()).setReason(v.reason())
        .setOutcome(VerdictOutcome.valueOf("VERDICT_OUTCOME_" + v.outcome().name())).build();
  }

  public static final int DEFAULT_PAGE_SIZE = 50;

  /** ListRuns' filters and page; the page token is the number of runs already listed. */
  public static RunQuery runQuery(String labId, String scenario, String experiment, int pageSize, String pageToken) {
    List<FieldViolation> violations = new ArrayList<>();
    if (pageSize < 0 || pageSize > RunQuery.MAX_LIMIT) {
      violations.add(new FieldViolation("page_size", "must be from 1 to " + RunQuery.MAX_LIMIT + " (0: "
          + DEFAULT_PAGE_SIZE + "), got " + pageSize));
    }
    int offset = 0;
    if (!pageToken.isEmpty()) {
      try {
        offset = Integer.parseInt(pageToken);
      } catch (NumberFormatException e) {
        offset = -1;
      }
      if (offset < 0) {
        violations.add(new FieldViolation("page_token", Bounded.quote(pageToken) + " is not a token from a ListRuns response"));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
    return new RunQuery(labId, scenario, experiment, offset, pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize);
  }

  public static ListRunsResponse runs(List<RecordedRun> page, RunQuery query) {
    ListRunsResponse.Builder b = ListRunsResponse.newBuilder();
    page.forEach(r -> b.addRuns(run(r)));
    if (page.size() == query.limit()) {
      b.setNextPageToken(String.valueOf(query.offset() + query.limit()));
    }
    return b.build();
  }

  /** A run with what the history adds: the lab's sysctls, the experiment and its verdicts. */
  public static V1.Run run(RecordedRun recorded) {
    V1.Run.Builder b = run(recorded.run()).toBuilder().setExperiment(recorded.experiment());
    recorded.verdicts().forEach(v -> b.addVerdicts(verdict(v)));
    recorded.sysctls().forEach((node, values) -> b.putEffectiveSysctls(node,
        NodeConfig.newBuilder().putAllSysctls(values).build()));
    return b.build();
  }

  public static V1.Run run(Run run) {
    V1.Run.Builder b = V1.Run.newBuilder()
        .setId(run.id()).setLabId(run.labId()).setScenario(run.scenario()).putAllParams(run.params())
        .setState(RunState.valueOf("RUN_STATE_" + run.state().name()))
        .setStartedAt(timestamp(run.startedAt()))
        .setStartSequence(run.startSequence())
        .setOwnerId(run.tenant().owner())
        .setWorkshopId(run.tenant().workshop());
    run.finishedAt().ifPresent(t -> b.setFinishedAt(timestamp(t)));
    run.error().ifPresent(b::setError);
    run.result().ifPresent(r -> b.setResult(result(r)));
    b.addAllShellsOpen(run.shellsOpen());
    run.observationIncomplete().forEach(f -> b.addObservationIncomplete(V1.ObservationFinding.newBuilder()
        .setNode(f.node()).setCounter(f.counter()).setCounted(f.counted()).setObservedWhat(f.what())
        .setObserved(f.observed()).setMessage(f.message())));
    return b.build();
  }

  private static V1.ScenarioResult result(ScenarioResult result) {
    V1.ScenarioResult.Builder b = V1.ScenarioResult.newBuilder().setSummary(result.summary());
    result.counters().forEach((node, counters) ->
        b.addCounters(NodeCounters.newBuilder().setNode(node).putAllDeltas(counters.values())));
    OutcomeMapper.fill(b, result.outcome());
    return b.build();
  }

  public static V1.LabEvent event(LabEvent event) {
    V1.LabEvent.Builder b = V1.LabEvent.newBuilder()
        .setSequence(event.sequence()).setLabId(event.labId()).setTime(timestamp(event.time()));
    EventPayload payload = event.payload();
    if (payload instanceof EventPayload.LabStatusChanged s) {
      b.setLabStatus(LabStatusChanged.newBuilder()
          .setStatus(LabStatus.valueOf("LAB_STATUS_" + s.status().name())).setMessage(s.message()));
    } else if (payload instanceof EventPayload.ConnectionTransition transition) {
      SocketChange t = transition.change();
      ConnectionTransition.Builder tb = ConnectionTransition.newBuilder().setNode(t.node())
          .setLocal(t.socket().local()).setRemote(t.socket().remote()).setFrom(tcpState(t.from())).setTo(tcpState(t.to()))
          .setTraced(t.traced());
      t.timeWaitRemaining().ifPresent(d -> tb.setTimeWaitRemaining(duration(d)));
      t.timeWaitEnd().ifPresent(e -> tb.setTimeWaitEnd(V1.TimeWaitEnd.valueOf("TIME_WAIT_END_" + e.name())));
      b.setTransition(tb);
    } else if (payload instanceof EventPayload.StateCounts c) {
        StateCounts.Builder cb = StateCounts.newBuilder().setNode(c.node());
        c.counts().forEach((state, count) -> cb.putCounts(state.name(), count));
      b.setStateCounts(cb);
    } else if (payload instanceof EventPayload.RunProgress p) {
      b.setRunProgress(RunProgress.newBuilder().setRunId(p.runId())
          .setScenario(p.scenario()).setPhase(p.phase()).setMessage(p.message()).setDone(p.done()).setTotal(p.total()));
    } else if (payload instanceof EventPayload.RunFinished f) {
      b.setRunFinished(RunFinished.newBuilder().setRun(run(f.run())));
    } else if (payload instanceof EventPayload.NatMapping n) {
      b.setNat(V1.NatMapping.newBuilder().setNode(n.node()).setEvent(n.event()).setState(n.state())
          .setOriginal(n.original()).setReply(n.reply()));
    } else if (payload instanceof EventPayload.ObservationNotice n) {
      b.setNotice(V1.ObservationNotice.newBuilder().setNode(n.node()).setMessage(n.message()));
    } else if (payload instanceof EventPayload.CounterDeltas c) {
      b.setCounters(NodeCounters.newBuilder().setNode(c.node()).putAllDeltas(c.deltas()));
    } else if (payload instanceof EventPayload.TransitionSummary t) {
      b.setSummary(TransitionSummary.newBuilder().setNode(t.node()).putAllTransitions(t.transitions())
          .setFromSequence(t.fromSequence()).setToSequence(t.toSequence()));
    } else if (payload instanceof EventPayload.EventGap g) {
      b.setGap(EventGap.newBuilder().setFromSequence(g.fromSequence()).setToSequence(g.toSequence())
          .setReason(g.reason()));
    }
    return b.build();
  }

  public static EventFilter filter(WatchLabRequest request) {
    return EventFilter.parse(request.getNodesList(), request.getStatesList().stream().map(Enum::name).toList(),
        request.getPortsList().stream().map(String::valueOf).toList());
  }

  public static Detail detail(WatchDetail detail) {
    return switch (detail) {
      case WATCH_DETAIL_CONNECTIONS -> Detail.CONNECTIONS;
      case WATCH_DETAIL_AGGREGATED -> Detail.AGGREGATED;
      default -> Detail.AUTO;
    };
  }

  private static V1.TcpState tcpState(TcpState state) {
    return V1.TcpState.valueOf("TCP_STATE_" + state.name());
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /** A proto duration as java.time's (the two share a name: the proto's is the one imported here). */
  public static java.time.Duration duration(Duration d) {
    return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  public static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }
}
