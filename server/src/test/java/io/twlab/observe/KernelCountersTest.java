package io.twlab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.core.KernelCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelCountersTest {

  @Test
  void namesCountersAsNstatDoes() {
    KernelCounters counters = KernelCounters.parseProc("""
        Tcp: RtoAlgorithm RtoMin MaxConn ActiveOpens EstabResets
        Tcp: 1 200 -1 17019 3
        TcpExt: SyncookiesSent TW TWRecycled
        TcpExt: 0 17019 240
        """);
    assertEquals(17019, counters.get("TcpExtTW"));
    assertEquals(240, counters.get(KernelCounters.TW_RECYCLED));
    assertEquals(3, counters.get("TcpEstabResets"));
    assertEquals(-1, counters.get("TcpMaxConn"));
    assertEquals(0, counters.get("TcpExtPAWSTimewait"));
  }

  @Test
  void sumsConntrackStatisticsOverCpus() {
    KernelCounters counters = KernelCounters.parseConntrackStats("""
        cpu=0   \tfound=0 invalid=1 insert=0 insert_failed=2 drop=2 early_drop=0
        cpu=1   \tfound=0 invalid=0 insert=0 insert_failed=3 drop=3 early_drop=0
        """);
    assertEquals(5, counters.get(KernelCounters.CONNTRACK_INSERT_FAILED));
    assertEquals(1, counters.get("conntrack.invalid"));
  }

  @Test
  void keepsOnlyTheCountersThatMoved() {
    KernelCounters before = new KernelCounters(Map.of("TcpExtTW", 10L, "TcpExtTWRecycled", 4L));
    KernelCounters after = new KernelCounters(Map.of("TcpExtTW", 310L, "TcpExtTWRecycled", 4L, "TcpOutRsts", 2L));
    assertEquals(Map.of("TcpExtTW", 300L, "TcpOutRsts", 2L), after.since(before).values());
  }
}
