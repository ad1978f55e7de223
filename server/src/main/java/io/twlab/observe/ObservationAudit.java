package io.twlab.observe;

import io.twlab.core.KernelCounters;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Checks what was traced against what the kernel counted, per node, over one run. Each equality
 * holds on this kernel whenever the tracer saw every change (docs/observation.md, "Audit"); where
 * one does not, a change was lost or is late, and what depends on transitions cannot be judged.
 * Pure.
 */
public final class ObservationAudit {
  /** What observation saw of one node over the run. */
  private record Observed(List<SocketChange> traced, long timeWaitSocketsMade) {}

  /** One equality: the sum of the kernel's counters, and what observation counted for it. */
  private record Rule(List<String> counters, String what, ToLongFunction<Observed> seen) {
    static Rule traced(String counter, String what, Predicate<SocketChange> counts) {
      return new Rule(List.of(counter), what, o -> o.traced().stream().filter(counts).count());
    }
  }

  private static final List<Rule> RULES = List.of(
      // tcp_connect() counts an active open once its port is chosen: a connect() that failed for
      // want of a port (EADDRNOTAVAIL) went to SYN_SENT with port 0 and is not counted.
      Rule.traced("TcpActiveOpens", "active opens (CLOSED → SYN_SENT)",
          c -> c.from() == TcpState.CLOSED && c.to() == TcpState.SYN_SENT && !c.socket().localPort(0)),
      // The child of a listener is counted when the handshake's last ACK creates it in SYN_RECV.
      Rule.traced("TcpPassiveOpens", "passive opens (CLOSED → SYN_RECV)",
          c -> c.from() == TcpState.CLOSED && c.to() == TcpState.SYN_RECV),
      // Counted when the kernel makes the timewait socket (TWKilled instead when its timeout is
      // 4 s or less): every TIME_WAIT entry, and every orphan's FIN_WAIT2 handed over. A close
      // that overflowed tcp_max_tw_buckets made none and counts in TCPTimeWaitOverflow instead.
      new Rule(List.of("TcpExtTW", "TcpExtTWKilled"), "timewait sockets (TIME_WAIT entries and orphans' FIN_WAIT2 "
          + "handed over)", Observed::timeWaitSocketsMade));

  /** A node where the kernel counted {@code counted} and observation saw {@code observed}. */
  /** {@code counter}: the counter, or the counters summed ("TcpExtTW + TcpExtTWKilled"). */
  public record Finding(String node, String counter, long counted, String what, long observed) {
    public String message() {
      return "observation incomplete: the kernel counted " + counted + " (" + counter + ") but " + observed + " "
          + what + " were observed";
    }
  }

  private ObservationAudit() {}

  /**
   * {@code counters}: each node's counter deltas over the run; {@code changes}: what was observed
   * meanwhile; {@code timeWaitSocketsMade}: per node, the timewait sockets observation saw made.
   */
  public static List<Finding> audit(Map<String, KernelCounters> counters, List<SocketChange> changes,
      Map<String, Long> timeWaitSocketsMade) {
    TreeSet<String> nodes = new TreeSet<>(counters.keySet());
    changes.forEach(c -> nodes.add(c.node()));
    nodes.addAll(timeWaitSocketsMade.keySet());
    List<Finding> findings = new ArrayList<>();
    for (String node : nodes) {
      KernelCounters counted = counters.getOrDefault(node, new KernelCounters(Map.of()));
      Observed observed = new Observed(changes.stream().filter(c -> c.node().equals(node) && c.traced()).toList(),
          timeWaitSocketsMade.getOrDefault(node, 0L));
      for (Rule rule : RULES) {
        long seen = rule.seen().applyAsLong(observed);
        long kernel = rule.counters().stream().mapToLong(counted::get).sum();
        if (kernel != seen) {
          findings.add(new Finding(node, String.join(" + ", rule.counters()), kernel, rule.what(), seen));
        }
      }
    }
    return findings;
  }
}
