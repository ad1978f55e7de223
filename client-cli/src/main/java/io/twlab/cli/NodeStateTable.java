package io.twlab.cli;

import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.TcpState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The live state of a lab as a table, one row per node: sockets per state (from the stream's
 * state counts) and when the node's next TIME_WAIT socket expires. States appear as columns once
 * any node has had a socket in them; ESTABLISHED and TIME_WAIT are always shown.
 */
final class NodeStateTable {
  private static final List<TcpState> ORDER = List.of(TcpState.TCP_STATE_SYN_SENT, TcpState.TCP_STATE_SYN_RECV,
      TcpState.TCP_STATE_ESTABLISHED, TcpState.TCP_STATE_FIN_WAIT1, TcpState.TCP_STATE_FIN_WAIT2,
      TcpState.TCP_STATE_CLOSE_WAIT, TcpState.TCP_STATE_LAST_ACK, TcpState.TCP_STATE_CLOSING,
      TcpState.TCP_STATE_TIME_WAIT);

  private final Map<String, Map<String, Integer>> counts = new TreeMap<>();
  private final Set<TcpState> shown = EnumSet.of(TcpState.TCP_STATE_ESTABLISHED, TcpState.TCP_STATE_TIME_WAIT);
  private final TimeWaitTracker timeWaits = new TimeWaitTracker();

  synchronized void accept(LabEvent event) {
    timeWaits.accept(event);
    if (event.hasStateCounts()) {
      var c = event.getStateCounts();
      counts.put(c.getNode(), Map.copyOf(c.getCountsMap()));
      for (TcpState state : ORDER) {
        if (c.getCountsMap().getOrDefault(Render.state(state), 0) > 0) {
          shown.add(state);
        }
      }
    }
  }

  /** The table's lines; none before the first state counts arrived. */
  synchronized List<String> lines(long nowMillis) {
    if (counts.isEmpty()) {
      return List.of();
    }
    List<TcpState> columns = ORDER.stream().filter(shown::contains).toList();
    List<String> header = new ArrayList<>(List.of("NODE"));
    columns.forEach(s -> header.add(Render.state(s)));
    header.add("NEXT TIME_WAIT EXPIRY");
    Table table = new Table(header.toArray(String[]::new));
    counts.forEach((node, perState) -> {
      List<Object> row = new ArrayList<>(List.of(node));
      columns.forEach(s -> row.add(perState.getOrDefault(Render.state(s), 0)));
      String next = timeWaits.nextExpiry(node, nowMillis);
      row.add(next.isEmpty() ? "-" : next);
      table.row(row.toArray());
    });
    return table.lines();
  }
}
