package io.twlab.observe;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Receives what observation of a lab sees, on the thread that saw it: socket changes (traced or
 * sampled), each node's state counts when they change, kernel counter deltas, the gateway's NAT
 * mappings, and notices of what observation could not see. A listener takes what it needs.
 */
public interface ObservationListener {

  void onChanges(List<SocketChange> changes);

  default void onStateCounts(String node, Instant time, Map<TcpState, Integer> counts) {}

  default void onCounterDeltas(String node, Instant time, Map<String, Long> deltas) {}

  default void onNatMapping(String node, Instant time, ConntrackParser.NatMapping mapping) {}

  default void onNotice(String node, Instant time, String message) {}

  /** The node's process is gone (its container stopped or was removed): nothing more comes from it. */
  default void onNodeGone(String node, Instant time, String why) {}

  /**
   * The kernel made {@code count} timewait sockets on the node (TIME_WAIT entries, and orphans'
   * FIN_WAIT2 handed over, which show no change), as far as observation saw.
   */
  default void onTimeWaitSocketsMade(String node, int count) {}
}
