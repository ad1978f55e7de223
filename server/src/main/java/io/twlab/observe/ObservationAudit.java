package io.twlab.observe;

import io.twlab.core.KernelCounters;
import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Checks what was traced against what the kernel counted, per node, over one run. Each equality
 * holds on this kernel whenever the tracer saw every change (docs/observation.md, "Audit"); where
 * one does not, a change was lost or is late, and what depends on transitions cannot be judged.
 * Pure.
 */
public final class ObservationAudit {
  /** One equality: the kernel's counter and the changes that each count once in it. */
  private record Rule(String counter, String what, Predicate<SocketChange> counts) {}

  private static final List<Rule> RULES = List.of(
      // tcp_connect() counts an active open once its port is chosen: a connect() that failed for
      // want of a port (EADDRNOTAVAIL) went to SYN_SENT with port 0 and is not counted.
      new Rule("TcpActiveOpens", "active opens (CLOSED → SYN_SENT)",
          c -> c.from() == TcpState.CLOSED && c.to() == TcpState.SYN_SENT && !c.socket().localPort(0)),
      // The child of a listener is counted when the handshake's last ACK creates it in SYN_RECV.
      new Rule("TcpPassiveOpens", "passive opens (CLOSED → SYN_RECV)",
          c -> c.from() == TcpState.CLOSED && c.to() == TcpState.SYN_RECV));

  /** A node where the kernel counted {@code counted} and observation saw {@code observed}. */
  public record Finding(String node, String counter, long counted, String what, long observed) {
    public String message() {
      return "observation incomplete: the kernel counted " + counted + " (" + counter + ") but " + observed + " "
          + what + " were traced";
    }
  }

  private ObservationAudit() {}

  /** {@code counters}: each node's counter deltas over the run; {@code changes}: what was observed meanwhile. */
  public static List<Finding> audit(Map<String, KernelCounters> counters, List<SocketChange> changes) {
    TreeSet<String> nodes = new TreeSet<>(counters.keySet());
    changes.forEach(c -> nodes.add(c.node()));
    List<Finding> findings = new ArrayList<>();
    for (String node : nodes) {
      KernelCounters counted = counters.getOrDefault(node, new KernelCounters(Map.of()));
      for (Rule rule : RULES) {
        long seen = changes.stream().filter(c -> c.node().equals(node) && c.traced()).filter(rule.counts()).count();
        long kernel = counted.get(rule.counter());
        if (kernel != seen) {
          findings.add(new Finding(node, rule.counter(), kernel, rule.what(), seen));
        }
      }
    }
    return findings;
  }
}
