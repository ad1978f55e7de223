package io.twlab.observe;

import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One node's transitions from two sources: the kernel tracepoint reports every change when it
 * happens but knows nothing of TIME_WAIT (docs/kernel-facts.md §4: a closing socket shows FIN_WAIT2 -> CLOSE when
 * the kernel hands it over to a TIME_WAIT socket), and the sampled socket table shows TIME_WAIT
 * sockets, their timers and their expiry. A traced close that may be such a handover waits for the
 * first sample dumped after it: the socket is then in TIME_WAIT, still in FIN_WAIT2 (an orphan's
 * FIN_WAIT2 is a TIME_WAIT socket too), or gone. Samples and traces share the kernel's monotonic
 * clock, so "after" is exact however late either stream arrives. Not thread-safe.
 */
public final class TransitionJoiner {
  /**
   * A handover whose sample never came (sampler stopped) is settled as a close after this; a
   * sampled TIME_WAIT socket whose traced close never came (dropped) is reported from the sample.
   */
  private static final Duration PENDING_LIMIT = Duration.ofSeconds(3);

  private record Connecting(TraceEvent event, Instant time) {}

  private record Closing(TcpState from, Instant time, long monotonicNanos) {}

  private record Sampled(TcpState state, Optional<Duration> timer) {}

  private final String node;
  private final Map<Long, Connecting> connecting = new HashMap<>();
  private final Map<SocketKey, Closing> closing = new HashMap<>();
  /** The state each socket was last reported in; absent: closed. */
  private final Map<SocketKey, TcpState> shown = new HashMap<>();
  /** Sockets that are TIME_WAIT sockets in the kernel: only samples see what happens to them next. */
  private final Set<SocketKey> timeWaitSockets = new HashSet<>();
  private final Map<SocketKey, Sampled> sampled = new HashMap<>();
  /** TIME_WAIT sockets a sample found before any traced close explained them, and when. */
  private final Map<SocketKey, Instant> untracedTimeWaits = new HashMap<>();
  private long sampledUpTo = Long.MIN_VALUE;
  /** TIME_WAIT sockets reported from a sample alone since the last call of {@link #takeUntraced}. */
  private int reportedUntraced;

  /** Joins the changes of the node named {@code node}. */
  public TransitionJoiner(String node) {
    this.node = node;
  }

  /** The sockets that existed when observation began: state, not transitions. */
  public void baseline(SamplerBatch batch) {
    applySample(batch);
    for (SocketDelta d : batch.deltas()) {
      shown.put(d.socket(), d.to());
      if (d.to() == TcpState.TIME_WAIT) {
        timeWaitSockets.add(d.socket());
      }
    }
  }

  public List<SocketChange> traced(TraceEvent event, Instant time) {
    List<SocketChange> out = new ArrayList<>();
    if (event.portless()) {
      connecting.put(event.socket(), new Connecting(event, time));
      return out;
    }
    SocketKey key = event.key();
    Connecting connect = connecting.remove(event.socket());
    if (connect != null) {
      report(out, key, TcpState.CLOSED, TcpState.SYN_SENT, connect.time(), true);
    }
    if (closing.containsKey(key)) {
      settle(out, key, closing.remove(key));
    }
    // A passive open's socket is a clone of its listener: it leaves LISTEN for SYN_RECV.
    TcpState from = event.from() == TcpState.LISTEN && event.to() == TcpState.SYN_RECV ? TcpState.CLOSED : event.from();
    if (event.to() == TcpState.CLOSED && (from == TcpState.FIN_WAIT2 || from == TcpState.CLOSING)) {
      untracedTimeWaits.remove(key);
      Closing close = new Closing(from, time, event.monotonicNanos());
      if (sampledUpTo >= close.monotonicNanos()) {
        settle(out, key, close);
      } else {
        closing.put(key, close);
      }
      return out;
    }
    report(out, key, from, event.to(), time, true);
    return out;
  }

  public List<SocketChange> sampled(SamplerBatch batch) {
    List<SocketChange> out = new ArrayList<>();
    applySample(batch);
    for (SocketDelta d : batch.deltas()) {
      SocketKey key = d.socket();
      if (closing.containsKey(key)) {
        continue;
      }
      boolean timeWaitSocket = timeWaitSockets.contains(key);
      if (timeWaitSocket && (d.to() == TcpState.TIME_WAIT || d.to() == TcpState.CLOSED)) {
        // An orphan's FIN_WAIT2 got its FIN, or a TIME_WAIT socket expired.
        untracedTimeWaits.remove(key);
        report(out, key, shown.getOrDefault(key, d.from()), d.to(), batch.time(), false,
            d.timeWaitRemaining());
      } else if (d.to() == TcpState.TIME_WAIT) {
        untracedTimeWaits.put(key, batch.time());
      } else if (d.to() == TcpState.CLOSED) {
        untracedTimeWaits.remove(key);
      }
    }
    // The kernel dropped this socket's traced close (its buffer overran): the sample alone says it.
    Iterator<Map.Entry<SocketKey, Instant>> untraced = untracedTimeWaits.entrySet().iterator();
    while (untraced.hasNext()) {
      Map.Entry<SocketKey, Instant> u = untraced.next();
      Sampled now = sampled.get(u.getKey());
      if (now == null || now.state() != TcpState.TIME_WAIT) {
        untraced.remove();
      } else if (u.getValue().plus(PENDING_LIMIT).isBefore(batch.time())) {
        untraced.remove();
        reportedUntraced++;
        report(out, u.getKey(), shown.getOrDefault(u.getKey(), TcpState.CLOSED), TcpState.TIME_WAIT,
            u.getValue(), false, now.timer());
        timeWaitSockets.add(u.getKey());
      }
    }
    Iterator<Map.Entry<SocketKey, Closing>> pending = closing.entrySet().iterator();
    while (pending.hasNext()) {
      Map.Entry<SocketKey, Closing> p = pending.next();
      boolean overdue = p.getValue().time().plus(PENDING_LIMIT).isBefore(batch.time());
      if (p.getValue().monotonicNanos() <= sampledUpTo || overdue) {
        pending.remove();
        settle(out, p.getKey(), p.getValue());
      }
    }
    return out;
  }

  /**
   * How many TIME_WAIT sockets were reported from a sample alone, their traced changes never having
   * come (dropped or late), since the last call: the states before them may be missing.
   */
  public int takeUntraced() {
    int n = reportedUntraced;
    reportedUntraced = 0;
    return n;
  }

  private void applySample(SamplerBatch batch) {
    for (SocketDelta d : batch.deltas()) {
      SocketKey key = d.socket();
      if (d.to() == TcpState.CLOSED) {
        sampled.remove(key);
      } else {
        sampled.put(key, new Sampled(d.to(), d.timeWaitRemaining()));
      }
    }
    sampledUpTo = Math.max(sampledUpTo, batch.monotonicNanos());
  }

  /** What a traced close was, as the sample after it shows. */
  private void settle(List<SocketChange> out, SocketKey key, Closing close) {
    Sampled now = sampled.get(key);
    if (timeWaitSockets.contains(key) && shown.get(key) == TcpState.TIME_WAIT) {
      return; // already reported from a sample, its trace came later than PENDING_LIMIT
    }
    if (now != null && now.state() == TcpState.TIME_WAIT) {
      report(out, key, close.from(), TcpState.TIME_WAIT, close.time(), true, now.timer());
      timeWaitSockets.add(key);
    } else if (now != null && now.state() == TcpState.FIN_WAIT2 && close.from() == TcpState.FIN_WAIT2) {
      timeWaitSockets.add(key);
    } else {
      report(out, key, close.from(), TcpState.CLOSED, close.time(), true);
    }
  }

  private void report(List<SocketChange> out, SocketKey key, TcpState from, TcpState to, Instant time,
      boolean traced) {
    report(out, key, from, to, time, traced, Optional.empty());
  }

  private void report(List<SocketChange> out, SocketKey key, TcpState from, TcpState to, Instant time,
      boolean traced, Optional<Duration> timer) {
    if (from == to) {
      return;
    }
    TcpState before = shown.get(key);
    if (from == TcpState.CLOSED && before != null) {
      // A new socket on the 4-tuple of a TIME_WAIT socket: the kernel reused (killed) it.
      out.add(new SocketChange(node, time, key, before, TcpState.CLOSED, Optional.empty(), traced));
    }
    out.add(new SocketChange(node, time, key, from, to, to == TcpState.TIME_WAIT ? timer : Optional.empty(), traced));
    if (to == TcpState.CLOSED) {
      shown.remove(key);
      timeWaitSockets.remove(key);
    } else {
      shown.put(key, to);
    }
  }
}
