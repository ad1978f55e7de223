package io.twlab.testing;

import io.twlab.core.KernelCounters;
import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.core.Tenant;
import io.twlab.event.EventPayload;
import io.twlab.event.LabEvent;
import io.twlab.lab.LabStatus;
import io.twlab.scenario.LoadReport;
import io.twlab.scenario.Run;
import io.twlab.scenario.ScenarioParams;
import io.twlab.scenario.ScenarioResult;
import io.twlab.scenario.builtin.PortExhaustion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finished runs and timelines as a server records them, for tests of the history and its APIs. */
public final class SampleRuns {
  private SampleRuns() {}

  /**
   * A run named {@code scenario} in {@code lab} with a port-exhaustion result (100 of 300 connected,
   * then EADDRNOTAVAIL), which the history stores whatever the name says.
   */
  public static Run finished(String id, String lab, String scenario, Instant started) {
    return finished(id, lab, new Tenant("student-1", "workshop-1"), scenario, started);
  }

  /** The same, of {@code tenant}. */
  public static Run finished(String id, String lab, Tenant tenant, String scenario, Instant started) {
    LoadReport load = new LoadReport("narrow-client", "twlab-conn", 300, 100, 200, 1.5,
        Map.of("EADDRNOTAVAIL", 200L), Map.of("EADDRNOTAVAIL", "Cannot assign requested address"), 101,
        new LoadReport.Latency(0.1, 0.2, 0.3, 0.4, 0.5), Map.of("lt1ms", 100L), Optional.empty(),
        Map.of("TIME_WAIT", 99, "FIN_WAIT2", 1));
    var outcome = new PortExhaustion.Outcome("40000-40099", 100, Optional.of(load), "EADDRNOTAVAIL",
        "Cannot assign requested address", "nc: x", "redis: y", Optional.of(61.2), Optional.empty());
    ScenarioResult result = new ScenarioResult("100 worked", outcome,
        Map.of("narrow-client", new KernelCounters(Map.of("TcpExtTWRecycled", 0L))),
        Map.of("narrow-client", Map.of("net.ipv4.ip_local_port_range", "40000 40099")));
    return Run.started(id, lab, tenant, scenario, new ScenarioParams(Map.of("ports", "100")), started, 6)
        .succeeded(result, started.plusSeconds(1));
  }

  /** What a lab's log held for {@code run}: progress, one TIME_WAIT entry, the counts, run_finished. */
  public static List<LabEvent> timeline(Run run) {
    Instant t0 = run.startedAt();
    return List.of(
        new LabEvent(7, run.labId(), t0, new EventPayload.RunProgress(run.id(), run.scenario(), "load", "go", 0, 10)),
        new LabEvent(8, run.labId(), t0.plusMillis(5), new EventPayload.ConnectionTransition(new SocketChange(
            "narrow-client", t0.plusMillis(5), new SocketKey("10.0.0.2:40000", "10.0.0.3:6379"), TcpState.FIN_WAIT2,
            TcpState.TIME_WAIT, Optional.of(Duration.ofMillis(59_750)), true))),
        new LabEvent(9, run.labId(), t0.plusMillis(6),
            new EventPayload.StateCounts("narrow-client", Map.of(TcpState.TIME_WAIT, 1))),
        new LabEvent(10, run.labId(), t0.plusMillis(7), new EventPayload.LabStatusChanged(LabStatus.READY, "ready")),
        new LabEvent(11, run.labId(), t0.plusSeconds(1), new EventPayload.RunFinished(run)));
  }
}
