package io.twlab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.core.KernelCounters;
import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ObservationAuditTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private final List<SocketChange> changes = new ArrayList<>();

  @Test
  void whatWasTracedMatchesWhatTheKernelCounted() {
    traced("client", "10.0.0.2:40000", TcpState.CLOSED, TcpState.SYN_SENT);
    traced("client", "10.0.0.2:0", TcpState.CLOSED, TcpState.SYN_SENT); // connect() without a port: not counted
    traced("server", "10.0.0.3:5000", TcpState.CLOSED, TcpState.SYN_RECV);

    assertEquals(List.of(), ObservationAudit.audit(Map.of(
        "client", new KernelCounters(Map.of("TcpActiveOpens", 1L, "TcpExtTW", 1L, "TcpExtTWKilled", 1L)),
        "server", new KernelCounters(Map.of("TcpPassiveOpens", 1L))), changes, Map.of("client", 2L)));
  }

  @Test
  void anOpenTheTracerMissedIsAFindingNamingTheCounterAndBothNumbers() {
    changes.add(new SocketChange("client", T0, new SocketKey("10.0.0.2:40000", "10.0.0.3:5000"), TcpState.CLOSED,
        TcpState.ESTABLISHED, Optional.empty(), false)); // only a sample saw it

    List<ObservationAudit.Finding> findings = ObservationAudit.audit(Map.of(
        "client", new KernelCounters(Map.of("TcpActiveOpens", 1L))), changes, Map.of());

    assertEquals(List.of(new ObservationAudit.Finding("client", "TcpActiveOpens", 1, "active opens (CLOSED → SYN_SENT)",
        0)), findings);
    assertEquals("observation incomplete: the kernel counted 1 (TcpActiveOpens) but 0 active opens (CLOSED → SYN_SENT) "
        + "were observed", findings.get(0).message());
  }

  /** Issue 12's run: the kernel made the client's TIME_WAIT, observation reported a close. */
  @Test
  void aTimeWaitTheKernelMadeAndObservationMissedIsAFinding() {
    List<ObservationAudit.Finding> findings = ObservationAudit.audit(Map.of(
        "client", new KernelCounters(Map.of("TcpExtTW", 1L))), changes, Map.of());

    assertEquals(List.of(new ObservationAudit.Finding("client", "TcpExtTW + TcpExtTWKilled", 1,
        "timewait sockets (TIME_WAIT entries and orphans' FIN_WAIT2 handed over)", 0)), findings);
  }

  private void traced(String node, String local, TcpState from, TcpState to) {
    changes.add(new SocketChange(node, T0, new SocketKey(local, "10.0.0.9:1"), from, to, Optional.empty(), true));
  }
}
