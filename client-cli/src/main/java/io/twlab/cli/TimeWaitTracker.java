package io.twlab.cli;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.twlab.proto.v1.V1.ConnectionTransition;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.TcpState;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Follows the TIME_WAIT sockets seen in an event stream and says when each node's next one expires. */
final class TimeWaitTracker {
  /** Expiry time (epoch ms) per "node local remote". */
  private final Map<String, Long> expiries = new HashMap<>();

  synchronized void accept(LabEvent event) {
    if (!event.hasTransition()) {
      return;
    }
    ConnectionTransition t = event.getTransition();
    String key = t.getNode() + " " + t.getLocal() + " " + t.getRemote();
    if (t.getTo() == TcpState.TCP_STATE_TIME_WAIT && t.hasTimeWaitRemaining()) {
      expiries.put(key, Timestamps.toMillis(event.getTime()) + Durations.toMillis(t.getTimeWaitRemaining()));
    } else if (t.getFrom() == TcpState.TCP_STATE_TIME_WAIT) {
      expiries.remove(key);
    }
  }

  /** e.g. "TIME_WAIT client 1 (next expires in 47 s)", or "" when there is none. */
  synchronized String describe(long nowMillis) {
    Map<String, long[]> perNode = perNode();
    if (perNode.isEmpty()) {
      return "";
    }
    return "TIME_WAIT " + perNode.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()[0] + " (next expires in " + secondsUntil(e.getValue()[1], nowMillis)
            + " s)")
        .collect(Collectors.joining(", "));
  }

  /** When the node's next TIME_WAIT socket seen in this stream expires, e.g. "in 47 s"; "" if none. */
  synchronized String nextExpiry(String node, long nowMillis) {
    long[] countAndNext = perNode().get(node);
    return countAndNext == null ? "" : "in " + secondsUntil(countAndNext[1], nowMillis) + " s";
  }

  private Map<String, long[]> perNode() {
    Map<String, long[]> perNode = new TreeMap<>();
    expiries.forEach((key, expiry) -> {
      long[] countAndNext = perNode.computeIfAbsent(key.substring(0, key.indexOf(' ')), n -> new long[] {0, Long.MAX_VALUE});
      countAndNext[0]++;
      countAndNext[1] = Math.min(countAndNext[1], expiry);
    });
    return perNode;
  }

  private static long secondsUntil(long expiry, long nowMillis) {
    return Math.max(0, (expiry - nowMillis + 999) / 1000);
  }
}
