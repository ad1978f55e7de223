package io.twlab.observe;

import io.twlab.core.SocketChange;
import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.core.TimeWaitEnd;
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
 * clock, so "after" is exact however late either stream arrives.
 *
 * <p>Why a TIME_WAIT socket ended ({@link TimeWaitEnd}) comes from what was seen of it: a new
 * socket on its 4-tuple (reused), an RST sent to it (traced where it was sent, on the peer) and the
 * sample that no longer has it (killed by the RST), or a sample that no longer has it once its
 * last sampled timer ran out (expired). Anything else is unknown. Not thread-safe.
 */
public final class TransitionJoiner {
  /**
   * A handover whose sample never came (sampler stopped) is settled as a close after this; a
   * sampled TIME_WAIT socket whose traced close never came (dropped) is reported from the sample.
   */
  private static final Duration PENDING_LIMIT = Duration.ofSeconds(3);
  /**
   * An RST is traced as its sender sends it; the peer's kernel takes it a moment later, later still
   * on a loaded host (its softirq waits). A sample taken within this after the RST may still list
   * the socket the RST is about to kill: only a later one shows that it survived.
   */
  private static final long RST_IN_FLIGHT_NANOS = Duration.ofMillis(100).toNanos();

  private record Connecting(TraceEvent event, Instant time) {}

  /**
   * A traced close that may be a handover; {@code seen}: how the first sample dumped after it showed
   * the socket (empty: gone), whose dump ended at {@code seenAt} (MIN_VALUE: no such sample yet).
   */
  private record Closing(TcpState from, Instant time, long monotonicNanos, Optional<Sampled> seen, long seenAt) {
    Closing(TcpState from, Instant time, long monotonicNanos) {
      this(from, time, monotonicNanos, Optional.empty(), Long.MIN_VALUE);
    }

    Closing seenBy(Optional<Sampled> sample, long at) {
      return new Closing(from, time, monotonicNanos, sample, at);
    }

    boolean sampled() {
      return seenAt != Long.MIN_VALUE;
    }
  }

  /** A timewait socket a sample whose dump ended at {@code goneAt} no longer had; {@code last}: its last sample. */
  private record Gone(Optional<Sampled> last, Instant time, long goneAt) {}

  private record Sampled(TcpState state, Optional<Duration> timer, Instant time, long monotonicNanos) {

    /** Whether its timer had run out by kernel time {@code nanos}. */
    boolean timerRunOutBy(long nanos) {
      return timer.isPresent() && monotonicNanos + timer.get().toNanos() <= nanos + TIMER_RESOLUTION.toNanos();
    }
  }

  /** An RST sent to a socket of this node while it was closing or a TIME_WAIT socket. */
  private record Reset(Instant time, long monotonicNanos) {}

  /**
   * The kernel keeps the timer in jiffies (10 ms at HZ=100, the coarsest) and its timer wheel never
   * fires early: gone this much before the sampled timer ran out is not an expiry.
   */
  private static final Duration TIMER_RESOLUTION = Duration.ofMillis(10);

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
  /** RSTs sent to closing and TIME_WAIT sockets that no sample has shown surviving yet. */
  private final Map<SocketKey, Reset> resets = new HashMap<>();
  /** Timewait sockets gone, waiting for the tracer to report up to the sample that found them gone. */
  private final Map<SocketKey, Gone> gone = new HashMap<>();
  /**
   * Nothing in {@link #closing} or {@link #gone} is due before the tracer reports up to this kernel
   * time or before {@link #expiresAfter}: a flood leaves thousands of closes waiting for their
   * sample, and looking at each of them at every traced change made observation quadratic.
   */
  private long dueAt = Long.MAX_VALUE;
  private Instant expiresAfter = Instant.MAX;
  /** When the latest sample's dump began and ended. */
  private long sampledUpTo = Long.MIN_VALUE;
  private long dumpedUpTo = Long.MIN_VALUE;
  /** The tracer has delivered everything before this kernel time: the RSTs too. */
  private long tracedUpTo = Long.MIN_VALUE;
  /** TIME_WAIT sockets reported from a sample alone since the last call of {@link #takeUntraced}. */
  private int reportedUntraced;
  /** Timewait sockets the kernel made (handovers, orphans' included) since {@link #takeTimeWaitSocketsMade}. */
  private int madeTimeWaitSockets;

  /** Whether a later sample would settle anything: a close, an RST or a TIME_WAIT's end waits for one. */
  public boolean awaitsSample() {
    return !closing.isEmpty() || !resets.isEmpty() || !gone.isEmpty() || !untracedTimeWaits.isEmpty();
  }

  /**
   * The kernel time before which every change this joiner has seen is reported: a close or a
   * TIME_WAIT's end still waiting to be settled happened after it. {@code Long.MAX_VALUE}: nothing
   * waits. A TIME_WAIT found without its traced close, or gone unsampled before, holds everything
   * until it is settled (at most {@link #PENDING_LIMIT}).
   */
  public long reportedBefore() {
    long before = Long.MAX_VALUE;
    for (Closing close : closing.values()) {
      before = Math.min(before, close.monotonicNanos());
    }
    for (Gone end : gone.values()) {
      before = Math.min(before, end.last().map(Sampled::monotonicNanos).orElse(Long.MIN_VALUE));
    }
    return untracedTimeWaits.isEmpty() ? before : Long.MIN_VALUE;
  }

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
    tracedUpTo = Math.max(tracedUpTo, event.monotonicNanos());
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
    if (gone.containsKey(key)) {
      ended(out, key, gone.remove(key));
    }
    // A passive open's socket is a clone of its listener: it leaves LISTEN for SYN_RECV.
    TcpState from = event.from() == TcpState.LISTEN && event.to() == TcpState.SYN_RECV ? TcpState.CLOSED : event.from();
    if (event.to() == TcpState.CLOSED && (from == TcpState.FIN_WAIT2 || from == TcpState.CLOSING)) {
      untracedTimeWaits.remove(key);
      Closing close = new Closing(from, time, event.monotonicNanos());
      if (sampledUpTo >= close.monotonicNanos()) {
        close = close.seenBy(Optional.ofNullable(sampled.get(key)), dumpedUpTo);
        dueAt = Math.min(dueAt, close.seenAt());
      }
      closing.put(key, close);
      expiresNoLaterThan(time);
      settleReady(out, time);
      return out;
    }
    report(out, key, from, event.to(), time, true);
    settleReady(out, time);
    return out;
  }

  /**
   * An RST sent to this node (by any node of the lab): kept as evidence if it went to a socket that
   * is closing or a TIME_WAIT socket, whose end no tracepoint shows.
   */
  public List<SocketChange> resetReceived(ResetSent reset, Instant time) {
    tracedUpTo = Math.max(tracedUpTo, reset.monotonicNanos());
    SocketKey key = reset.receiver();
    if (closing.containsKey(key) || timeWaitSockets.contains(key)) {
      resets.put(key, new Reset(time, reset.monotonicNanos()));
    }
    List<SocketChange> out = new ArrayList<>();
    settleReady(out, time);
    return out;
  }

  /**
   * A sample; {@code tracerUpTo}: the tracer has delivered everything before this kernel time. What
   * a sample shows of a closing or TIME_WAIT socket is settled once the tracer has reported up to
   * the sample: an RST sent before the sample's dump may still be on its way.
   */
  public List<SocketChange> sampled(SamplerBatch batch, long tracerUpTo) {
    List<SocketChange> out = new ArrayList<>();
    tracedUpTo = Math.max(tracedUpTo, tracerUpTo);
    Map<SocketKey, Sampled> lastOfGone = applySample(batch);
    closing.replaceAll((key, close) -> !close.sampled() && close.monotonicNanos() <= batch.monotonicNanos()
        ? close.seenBy(Optional.ofNullable(sampled.get(key)), batch.dumpedNanos()) : close);
    if (!closing.isEmpty()) {
      dueAt = Math.min(dueAt, batch.dumpedNanos());
    }
    for (SocketDelta d : batch.deltas()) {
      SocketKey key = d.socket();
      Gone end = new Gone(Optional.ofNullable(lastOfGone.get(key)), batch.time(), batch.dumpedNanos());
      if (closing.containsKey(key)) {
        if (d.to() == TcpState.CLOSED && closing.get(key).seen().isPresent()) {
          goneNow(key, end); // a handover not settled yet, whose timewait socket is gone already
        }
        continue;
      }
      boolean timeWaitSocket = timeWaitSockets.contains(key);
      if (timeWaitSocket && d.to() == TcpState.CLOSED) {
        untracedTimeWaits.remove(key);
        goneNow(key, end);
      } else if (timeWaitSocket && d.to() == TcpState.TIME_WAIT) {
        // An orphan's FIN_WAIT2 got its FIN.
        untracedTimeWaits.remove(key);
        report(out, key, shown.getOrDefault(key, d.from()), d.to(), batch.time(), false, d.timeWaitRemaining());
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
        madeTimeWaitSocket(u.getKey());
      }
    }
    settleReady(out, batch.time());
    return out;
  }

  /**
   * Settles the closes and ends whose deciding sample the tracer has reported past, and those whose
   * sample or trace never came (sampler or tracer stopped) after {@link #PENDING_LIMIT}.
   */
  private void settleReady(List<SocketChange> out, Instant now) {
    if (tracedUpTo < dueAt && !now.isAfter(expiresAfter)) {
      return;
    }
    dueAt = Long.MAX_VALUE;
    expiresAfter = Instant.MAX;
    Iterator<Map.Entry<SocketKey, Closing>> pending = closing.entrySet().iterator();
    while (pending.hasNext()) {
      Map.Entry<SocketKey, Closing> p = pending.next();
      Closing close = p.getValue();
      if ((close.sampled() && close.seenAt() <= tracedUpTo) || close.time().plus(PENDING_LIMIT).isBefore(now)) {
        pending.remove();
        settle(out, p.getKey(), close);
      } else {
        if (close.sampled()) {
          dueAt = Math.min(dueAt, close.seenAt());
        }
        expiresNoLaterThan(close.time());
      }
    }
    Iterator<Map.Entry<SocketKey, Gone>> ending = gone.entrySet().iterator();
    while (ending.hasNext()) {
      Map.Entry<SocketKey, Gone> g = ending.next();
      boolean due = g.getValue().goneAt() <= tracedUpTo || g.getValue().time().plus(PENDING_LIMIT).isBefore(now);
      if (due && !closing.containsKey(g.getKey())) {
        ending.remove();
        ended(out, g.getKey(), g.getValue());
      } else if (!due) {
        dueAt = Math.min(dueAt, g.getValue().goneAt());
        expiresNoLaterThan(g.getValue().time());
      }
      // Due but its close still pending: it is ended in the same pass as that close, or with it.
    }
  }

  private void goneNow(SocketKey key, Gone end) {
    gone.put(key, end);
    dueAt = Math.min(dueAt, end.goneAt());
    expiresNoLaterThan(end.time());
  }

  /** Something pending since {@code since} expires {@link #PENDING_LIMIT} after it. */
  private void expiresNoLaterThan(Instant since) {
    Instant expiry = since.plus(PENDING_LIMIT);
    if (expiry.isBefore(expiresAfter)) {
      expiresAfter = expiry;
    }
  }

  /**
   * How many timewait sockets the kernel made, as far as observation saw, since the last call: one
   * per TIME_WAIT entry and per orphan's FIN_WAIT2 handed over (which shows no change), for the
   * audit against {@code TcpExtTW + TcpExtTWKilled}.
   */
  public int takeTimeWaitSocketsMade() {
    int n = madeTimeWaitSockets;
    madeTimeWaitSockets = 0;
    return n;
  }

  private void madeTimeWaitSocket(SocketKey key) {
    timeWaitSockets.add(key);
    madeTimeWaitSockets++;
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

  /** Returns how the sockets gone in {@code batch} were last sampled. */
  private Map<SocketKey, Sampled> applySample(SamplerBatch batch) {
    Map<SocketKey, Sampled> lastOfGone = new HashMap<>();
    for (SocketDelta d : batch.deltas()) {
      SocketKey key = d.socket();
      if (d.to() == TcpState.CLOSED) {
        Optional.ofNullable(sampled.remove(key)).ifPresent(last -> lastOfGone.put(key, last));
      } else {
        sampled.put(key, new Sampled(d.to(), d.timeWaitRemaining(), batch.time(), batch.monotonicNanos()));
      }
    }
    if (batch.monotonicNanos() > sampledUpTo) {
      sampledUpTo = batch.monotonicNanos();
      dumpedUpTo = batch.dumpedNanos();
    }
    // A socket still there after the RST survived it (tcp_rfc1337=1, or the RST was out of window).
    resets.entrySet().removeIf(r -> r.getValue().monotonicNanos() + RST_IN_FLIGHT_NANOS <= batch.monotonicNanos()
        && sampled.containsKey(r.getKey()) && !closing.containsKey(r.getKey()));
    return lastOfGone;
  }

  /** A TIME_WAIT socket (or an orphan's FIN_WAIT2 socket) a sample no longer had: why it ended. */
  private void ended(List<SocketChange> out, SocketKey key, Gone end) {
    TcpState from = shown.get(key);
    if (!timeWaitSockets.contains(key) || from == null) {
      return; // its close was settled as a close: it never was a timewait socket
    }
    Reset reset = resets.remove(key);
    if (reset != null && reset.monotonicNanos() <= end.goneAt()) {
      reportEnd(out, key, from, reset.time(), TimeWaitEnd.RESET);
    } else if (end.last().isPresent() && end.last().get().timerRunOutBy(end.goneAt())) {
      reportEnd(out, key, from, end.time(), TimeWaitEnd.EXPIRED);
    } else {
      reportEnd(out, key, from, end.time(), TimeWaitEnd.UNKNOWN);
    }
  }

  /** What a traced close was, as the sample after it shows. */
  private void settle(List<SocketChange> out, SocketKey key, Closing close) {
    Sampled now = close.sampled() ? close.seen().orElse(null) : sampled.get(key);
    Reset reset = resets.get(key);
    if (timeWaitSockets.contains(key) && shown.get(key) == TcpState.TIME_WAIT) {
      return; // already reported from a sample, its trace came later than PENDING_LIMIT
    }
    if (now != null && now.state() == TcpState.TIME_WAIT) {
      report(out, key, close.from(), TcpState.TIME_WAIT, close.time(), true, now.timer());
      madeTimeWaitSocket(key);
    } else if (now != null && now.state() == TcpState.FIN_WAIT2 && close.from() == TcpState.FIN_WAIT2) {
      madeTimeWaitSocket(key);
      Sampled latest = sampled.get(key);
      if (latest != null && latest.state() == TcpState.TIME_WAIT) {
        // The orphan's FIN came in a sample taken while this close waited for the tracer.
        report(out, key, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, latest.time(), false, latest.timer());
      }
    } else if (reset != null && reset.monotonicNanos() >= close.monotonicNanos()
        && (!close.sampled() || reset.monotonicNanos() <= close.seenAt())) {
      // Something still answered for the socket after its close: only a timewait socket does, and
      // the peer resets only once it has closed, so its FIN had come: the socket was in TIME_WAIT.
      report(out, key, close.from(), TcpState.TIME_WAIT, close.time(), true);
      madeTimeWaitSocket(key);
      reportEnd(out, key, TcpState.TIME_WAIT, resets.remove(key).time(), TimeWaitEnd.RESET);
    } else {
      report(out, key, close.from(), TcpState.CLOSED, close.time(), true);
    }
  }

  /** A TIME_WAIT socket ended; the time of an RST that killed it is the traced one. */
  private void reportEnd(List<SocketChange> out, SocketKey key, TcpState from, Instant time, TimeWaitEnd end) {
    out.add(new SocketChange(node, time, key, from, TcpState.CLOSED, Optional.empty(), end == TimeWaitEnd.RESET,
        Optional.of(end)));
    forget(key);
  }

  private void forget(SocketKey key) {
    shown.remove(key);
    timeWaitSockets.remove(key);
    resets.remove(key);
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
      out.add(new SocketChange(node, time, key, before, TcpState.CLOSED, Optional.empty(), traced,
          timeWaitSockets.contains(key) ? Optional.of(TimeWaitEnd.REUSED) : Optional.empty()));
      forget(key);
    }
    out.add(new SocketChange(node, time, key, from, to, to == TcpState.TIME_WAIT ? timer : Optional.empty(), traced));
    if (to == TcpState.CLOSED) {
      forget(key);
    } else {
      shown.put(key, to);
    }
  }
}
