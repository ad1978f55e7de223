package io.twlab.observe;

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
 * happens but knows nothing of TIME_WAIT (design §5: a closing socket shows FIN_WAIT2 -> CLOSE when
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

  private final Map<Long, Connecting> connecting = new HashMap<>();
  private final Map<String, Closing> closing = new HashMap<>();
  /** The state each socket was last reported in; absent: closed. */
  private final Map<String, TcpState> shown = new HashMap<>();
  /** Sockets that are TIME_WAIT sockets in the kernel: only samples see what happens to them next. */
  private final Set<String> timeWaitSockets = new HashSet<>();
  private final Map<String, Sampled> sampled = new HashMap<>();
  /** TIME_WAIT sockets a sample found before any traced close explained them, and when. */
  private final Map<String, Instant> untracedTimeWaits = new HashMap<>();
  private long sampledUpTo = Long.MIN_VALUE;

  /** The sockets that existed when observation began: state, not transitions. */
  public void baseline(SamplerBatch batch) {
    applySample(batch);
    for (SocketDelta d : batch.deltas()) {
      shown.put(key(d.local(), d.remote()), d.to());
      if (d.to() == TcpState.TIME_WAIT) {
        timeWaitSockets.add(key(d.local(), d.remote()));
      }
    }
  }

  public List<Transition> traced(TraceEvent event, Instant time) {
    List<Transition> out = new ArrayList<>();
    if (event.portless()) {
      connecting.put(event.socket(), new Connecting(event, time));
      return out;
    }
    String key = key(event.local(), event.remote());
    Connecting connect = connecting.remove(event.socket());
    if (connect != null) {
      report(out, key, event.local(), event.remote(), TcpState.CLOSED, TcpState.SYN_SENT, connect.time(), true);
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
    report(out, key, event.local(), event.remote(), from, event.to(), time, true);
    return out;
  }

  public List<Transition> sampled(SamplerBatch batch) {
    List<Transition> out = new ArrayList<>();
    applySample(batch);
    for (SocketDelta d : batch.deltas()) {
      String key = key(d.local(), d.remote());
      if (closing.containsKey(key)) {
        continue;
      }
      boolean timeWaitSocket = timeWaitSockets.contains(key);
      if (timeWaitSocket && (d.to() == TcpState.TIME_WAIT || d.to() == TcpState.CLOSED)) {
        // An orphan's FIN_WAIT2 got its FIN, or a TIME_WAIT socket expired.
        untracedTimeWaits.remove(key);
        report(out, key, d.local(), d.remote(), shown.getOrDefault(key, d.from()), d.to(), batch.time(), false,
            d.timeWaitRemaining());
      } else if (d.to() == TcpState.TIME_WAIT) {
        untracedTimeWaits.put(key, batch.time());
      } else if (d.to() == TcpState.CLOSED) {
        untracedTimeWaits.remove(key);
      }
    }
    // The kernel dropped this socket's traced close (its buffer overran): the sample alone says it.
    Iterator<Map.Entry<String, Instant>> untraced = untracedTimeWaits.entrySet().iterator();
    while (untraced.hasNext()) {
      Map.Entry<String, Instant> u = untraced.next();
      Sampled now = sampled.get(u.getKey());
      if (now == null || now.state() != TcpState.TIME_WAIT) {
        untraced.remove();
      } else if (u.getValue().plus(PENDING_LIMIT).isBefore(batch.time())) {
        untraced.remove();
        String[] ends = u.getKey().split(" ");
        report(out, u.getKey(), ends[0], ends[1], shown.getOrDefault(u.getKey(), TcpState.CLOSED), TcpState.TIME_WAIT,
            u.getValue(), false, now.timer());
        timeWaitSockets.add(u.getKey());
      }
    }
    Iterator<Map.Entry<String, Closing>> pending = closing.entrySet().iterator();
    while (pending.hasNext()) {
      Map.Entry<String, Closing> p = pending.next();
      boolean overdue = p.getValue().time().plus(PENDING_LIMIT).isBefore(batch.time());
      if (p.getValue().monotonicNanos() <= sampledUpTo || overdue) {
        pending.remove();
        settle(out, p.getKey(), p.getValue());
      }
    }
    return out;
  }

  private void applySample(SamplerBatch batch) {
    for (SocketDelta d : batch.deltas()) {
      String key = key(d.local(), d.remote());
      if (d.to() == TcpState.CLOSED) {
        sampled.remove(key);
      } else {
        sampled.put(key, new Sampled(d.to(), d.timeWaitRemaining()));
      }
    }
    sampledUpTo = Math.max(sampledUpTo, batch.monotonicNanos());
  }

  /** What a traced close was, as the sample after it shows. */
  private void settle(List<Transition> out, String key, Closing close) {
    Sampled now = sampled.get(key);
    String[] ends = key.split(" ");
    if (timeWaitSockets.contains(key) && shown.get(key) == TcpState.TIME_WAIT) {
      return; // already reported from a sample, its trace came later than PENDING_LIMIT
    }
    if (now != null && now.state() == TcpState.TIME_WAIT) {
      report(out, key, ends[0], ends[1], close.from(), TcpState.TIME_WAIT, close.time(), true, now.timer());
      timeWaitSockets.add(key);
    } else if (now != null && now.state() == TcpState.FIN_WAIT2 && close.from() == TcpState.FIN_WAIT2) {
      timeWaitSockets.add(key);
    } else {
      report(out, key, ends[0], ends[1], close.from(), TcpState.CLOSED, close.time(), true);
    }
  }

  private void report(List<Transition> out, String key, String local, String remote, TcpState from, TcpState to,
      Instant time, boolean traced) {
    report(out, key, local, remote, from, to, time, traced, Optional.empty());
  }

  private void report(List<Transition> out, String key, String local, String remote, TcpState from, TcpState to,
      Instant time, boolean traced, Optional<Duration> timer) {
    if (from == to) {
      return;
    }
    TcpState before = shown.get(key);
    if (from == TcpState.CLOSED && before != null) {
      // A new socket on the 4-tuple of a TIME_WAIT socket: the kernel reused (killed) it.
      out.add(new Transition(time, local, remote, before, TcpState.CLOSED, Optional.empty(), traced));
    }
    out.add(new Transition(time, local, remote, from, to, to == TcpState.TIME_WAIT ? timer : Optional.empty(), traced));
    if (to == TcpState.CLOSED) {
      shown.remove(key);
      timeWaitSockets.remove(key);
    } else {
      shown.put(key, to);
    }
  }

  private static String key(String local, String remote) {
    return local + " " + remote;
  }
}
