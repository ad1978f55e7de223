package io.twlab.api;

import io.twlab.proto.v1.BindAttempt;
import io.twlab.proto.v1.CloseWaitLeakResult;
import io.twlab.proto.v1.FinTimeoutResult;
import io.twlab.proto.v1.LatencySummary;
import io.twlab.proto.v1.LingerCase;
import io.twlab.proto.v1.LingerRstResult;
import io.twlab.proto.v1.ListenerRestartResult;
import io.twlab.proto.v1.LostFinalAckCase;
import io.twlab.proto.v1.LostFinalAckResult;
import io.twlab.proto.v1.NatCollisionCase;
import io.twlab.proto.v1.NatCollisionResult;
import io.twlab.proto.v1.NodeCounters;
import io.twlab.proto.v1.NodeStateSample;
import io.twlab.proto.v1.PacketRecord;
import io.twlab.proto.v1.PortExhaustionResult;
import io.twlab.proto.v1.RedisFloodResult;
import io.twlab.proto.v1.TwBucketsResult;
import io.twlab.proto.v1.TwReuseCell;
import io.twlab.proto.v1.TwReuseResult;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.ScenarioOutcome;
import io.twlab.scenario.ScenarioOutcome.Packet;
import io.twlab.scenario.ScenarioResult;
import java.util.List;

/** Translates the typed scenario outcomes (S2-S11) into their twlab.v1 result messages. */
final class ResultMapper {
  private ResultMapper() {}

  /** Adds the counters and the scenario's detail to a result whose summary is set. */
  static void fill(io.twlab.proto.v1.ScenarioResult.Builder b, ScenarioResult result) {
    result.counters().forEach((node, counters) ->
        b.addCounters(NodeCounters.newBuilder().setNode(node).putAllDeltas(counters.values())));
    ScenarioOutcome o = result.outcome();
    if (o instanceof ScenarioOutcome.RedisFlood f) {
      RedisFloodResult.Builder r = RedisFloodResult.newBuilder().setLoad(load(f.load())).putAllTimeWaitPeak(f.timeWaitPeak());
      f.series().forEach(s -> r.addSeries(NodeStateSample.newBuilder().setAtSeconds(s.atSeconds()).setNode(s.node())
          .setTimeWait(s.timeWait()).setEstablished(s.established())));
      b.setRedisFlood(r);
    } else if (o instanceof ScenarioOutcome.PortExhaustion f) {
      PortExhaustionResult.Builder r = PortExhaustionResult.newBuilder().setPortRange(f.portRange()).setPorts(f.ports())
          .setLoad(load(f.load())).setFirstError(f.firstError()).setFirstErrorMessage(f.firstErrorMessage())
          .setTimeWaitAtFirstFailure(f.timeWaitAtFirstFailure()).setNcMessage(f.ncMessage())
          .setRedisCliMessage(f.redisCliMessage()).setRecoveryObserved(f.recoveredAfterSeconds().isPresent());
      f.recoveredAfterSeconds().ifPresent(r::setRecoveredAfterSeconds);
      b.setPortExhaustion(r);
    } else if (o instanceof ScenarioOutcome.TwReuse f) {
      TwReuseResult.Builder r = TwReuseResult.newBuilder().setPorts(f.ports()).setConnectionsPerCell(f.connectionsPerCell());
      f.cells().forEach(c -> r.addCells(TwReuseCell.newBuilder().setTwReuse(c.twReuse()).setTimestamps(c.timestamps())
          .setReuseDelayMs(c.reuseDelayMs()).setPace(c.pace()).setPath(c.path())
          .setAttempted(c.load().attempted()).setSucceeded(c.load().succeeded()).setFailed(c.load().failed())
          .setLoad(load(c.load())).setTwRecycled(c.twRecycled()).setNode(c.node())));
      b.setTwReuse(r);
    } else if (o instanceof ScenarioOutcome.TwBuckets f) {
      b.setTwBuckets(TwBucketsResult.newBuilder().setMaxTwBuckets(f.maxTwBuckets()).setLoad(load(f.load()))
          .setTimeWaitPeak(f.timeWaitPeak()).setTimeWaitOverflow(f.timeWaitOverflow()));
    } else if (o instanceof ScenarioOutcome.LingerRst f) {
      LingerRstResult.Builder r = LingerRstResult.newBuilder();
      f.cases().forEach(c -> r.addCases(LingerCase.newBuilder().setClose(c.close()).setFinSent(c.finSent())
          .setRstSent(c.rstSent()).setTimeWaitSeen(c.timeWaitSeen()).setPeerEnd(c.peerEnd())
          .setPeerMessage(c.peerMessage()).addAllPackets(packets(c.packets()))));
      b.setLingerRst(r);
    } else if (o instanceof ScenarioOutcome.CloseWaitLeak f) {
      CloseWaitLeakResult.Builder r = CloseWaitLeakResult.newBuilder().setConnections(f.connections())
          .setCloseWaitOnServer(f.closeWaitOnServer()).setFinWait2OnClients(f.finWait2OnClients())
          .setClientClose(f.clientClose()).setFinTimeoutSeconds(f.finTimeoutSeconds())
          .setCloseWaitAtEnd(f.closeWaitAtEnd()).setNofile(f.nofile()).putAllAcceptErrors(f.acceptErrors())
          .setAcceptErrorMessage(f.acceptErrorMessage()).setListenQueue(f.listenQueue());
      f.finWait2Seconds().ifPresent(r::setFinWait2Seconds);
      b.setCloseWaitLeak(r);
    } else if (o instanceof ScenarioOutcome.ListenerRestart f) {
      ListenerRestartResult.Builder r = ListenerRestartResult.newBuilder().setPort(f.port());
      f.attempts().forEach(a -> r.addAttempts(BindAttempt.newBuilder().setOldReuseaddr(a.oldReuseAddr())
          .setTimeWaitOnPort(a.timeWaitOnPort()).setProgram(a.program()).setReuseaddr(a.reuseAddr())
          .setBound(a.bound()).setError(a.error())));
      b.setListenerRestart(r);
    } else if (o instanceof ScenarioOutcome.NatCollision f) {
      NatCollisionResult.Builder r = NatCollisionResult.newBuilder().setSnatPorts(f.snatPorts()).setExplanation(f.explanation());
      f.cases().forEach(c -> r.addCases(NatCollisionCase.newBuilder().setTimestamps(c.timestamps())
          .addAllLoads(c.loads().stream().map(ResultMapper::load).toList()).setPawsTimewait(c.pawsTimewait())
          .setInsertFailed(c.insertFailed()).setTimeouts(c.timeouts()).putAllConnectHistogram(c.connectHistogram())));
      b.setNatCollision(r);
    } else if (o instanceof ScenarioOutcome.LostFinalAck f) {
      LostFinalAckResult.Builder r = LostFinalAckResult.newBuilder();
      f.cases().forEach(c -> r.addCases(LostFinalAckCase.newBuilder().setClientMaxTwBuckets(c.clientMaxTwBuckets())
          .setLastAckSeconds(c.lastAckSeconds()).addAllFinRetransmits(c.finRetransmits()).setClientAcks(c.clientAcks())
          .setClientRst(c.clientRst()).setClientTimeWait(c.clientTimeWait()).setClientTimerAtEnd(c.clientTimerAtEnd())
          .setTimerWithoutRestart(c.timerWithoutRestart()).addAllPackets(packets(c.packets()))));
      b.setLostFinalAck(r);
    } else if (o instanceof ScenarioOutcome.FinTimeout f) {
      FinTimeoutResult.Builder r = FinTimeoutResult.newBuilder().setFinTimeoutSeconds(f.finTimeoutSeconds())
          .setFinWait2Seconds(f.finWait2Seconds())
          .setTimeWaitTimerAtEntry(f.timeWaitTimerAtEntry());
      f.timeWaitSeconds().ifPresent(r::setTimeWaitSeconds);
      b.setFinTimeout(r);
    }
  }

  private static io.twlab.proto.v1.LoadReport load(LoadReport l) {
    LoadReport.Latency ms = l.connectMs();
    return io.twlab.proto.v1.LoadReport.newBuilder().setNode(l.node()).setGenerator(l.generator())
        .setAttempted(l.attempted()).setSucceeded(l.succeeded()).setFailed(l.failed())
        .setElapsedSeconds(l.elapsedSeconds()).setConnectionsPerSecond(l.connectionsPerSecond())
        .putAllErrors(l.errors()).putAllErrorMessages(l.errorMessages()).setFirstFailure(l.firstFailure())
        .setConnectMs(LatencySummary.newBuilder().setMin(ms.min()).setP50(ms.p50()).setP90(ms.p90())
            .setP99(ms.p99()).setMax(ms.max()))
        .putAllConnectHistogram(l.connectHistogram()).build();
  }

  private static List<PacketRecord> packets(List<Packet> packets) {
    return packets.stream().map(p -> PacketRecord.newBuilder().setAtSeconds(p.atSeconds())
        .setDirection(p.outgoing() ? "out" : "in").setFlags(p.flags()).setLine(p.line()).build()).toList();
  }
}
