package io.twlab.capture;

import io.twlab.core.SocketChange;
import io.twlab.core.TcpState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One connection drawn as the seeds' four-way diagram, as data: its packets in time order as one
 * node captured them, each with the states either end entered with it. End {@code a} sent the
 * first packet (the SYN, when the capture saw the connection begin).
 */
public record Ladder(String node, String a, String b, List<Rung> rungs) {
  /** How far the tracer's clock and the capture's may disagree (both are the host kernel's). */
  private static final Duration SKEW = Duration.ofMillis(1);
  /** A state a socket enters by what its own process did, and then sends a packet for. */
  private static final Set<TcpState> ENTERED_TO_SEND = EnumSet.of(TcpState.SYN_SENT, TcpState.FIN_WAIT1,
      TcpState.LAST_ACK);
  /** A state change caused by sending comes before that packet by microseconds; far later is another cause. */
  private static final Duration SENT_WITHIN = Duration.ofMillis(50);
  /**
   * A sampled change is stamped when its sample's dump ended, from the dump's start in whole
   * milliseconds: up to a millisecond before it.
   */
  private static final Duration SAMPLE_STAMPED_EARLY = SKEW.plusMillis(1);
  /** A change this long after the last packet is a timer's, not a packet's. */
  private static final Duration QUIET = Duration.ofSeconds(1);

  public Ladder {
    rungs = List.copyOf(rungs);
  }

  /**
   * A packet and what it did: {@code fromA} tells its direction; seq and ack are relative to each
   * end's first sequence number, as tcpdump prints them; the states each end entered with it.
   */
  public record Rung(double atSeconds, boolean fromA, String flags, long seq, long ack, int length,
      List<TcpState> aEntered, List<TcpState> bEntered) {
    public Rung {
      aEntered = List.copyOf(aEntered);
      bEntered = List.copyOf(bEntered);
    }
  }

  /**
   * The ladders of the first {@code max} connections a node's capture saw, in the order they began,
   * with the state changes of both ends (of any node) joined by 4-tuple and time.
   */
  public static List<Ladder> of(String node, List<CapturedPacket> packets, List<SocketChange> changes, int max) {
    Map<String, List<CapturedPacket>> byConnection = new LinkedHashMap<>();
    for (CapturedPacket p : packets) {
      String key = p.source().compareTo(p.destination()) < 0 ? p.source() + " " + p.destination()
          : p.destination() + " " + p.source();
      if (byConnection.containsKey(key) || byConnection.size() < max) {
        byConnection.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
      }
    }
    return byConnection.values().stream().map(c -> ladder(node, c, changes)).toList();
  }

  private static Ladder ladder(String node, List<CapturedPacket> packets, List<SocketChange> changes) {
    String a = packets.stream().filter(p -> p.flags().equals("S")).findFirst().orElse(packets.get(0)).source();
    String b = packets.get(0).source().equals(a) ? packets.get(0).destination() : packets.get(0).source();
    long isnA = packets.stream().filter(p -> p.source().equals(a)).findFirst().map(CapturedPacket::seq).orElse(0L);
    long isnB = packets.stream().filter(p -> p.source().equals(b)).findFirst().map(CapturedPacket::seq).orElse(0L);
    List<List<TcpState>> aEntered = new ArrayList<>();
    List<List<TcpState>> bEntered = new ArrayList<>();
    packets.forEach(p -> {
      aEntered.add(new ArrayList<>());
      bEntered.add(new ArrayList<>());
    });
    for (SocketChange c : changes) {
      boolean ofA = c.socket().local().equals(a) && c.socket().remote().equals(b);
      boolean ofB = c.socket().local().equals(b) && c.socket().remote().equals(a);
      if (ofA || ofB) {
        int rung = rungOf(packets, ofA ? a : b, c);
        if (rung >= 0) {
          (ofA ? aEntered : bEntered).get(rung).add(c.to());
        }
      }
    }
    Instant start = packets.get(0).time();
    List<Rung> rungs = new ArrayList<>();
    for (int i = 0; i < packets.size(); i++) {
      CapturedPacket p = packets.get(i);
      boolean fromA = p.source().equals(a);
      long seq = (p.seq() - (fromA ? isnA : isnB)) & 0xffffffffL;
      long ack = p.has('.') ? (p.ack() - (fromA ? isnB : isnA)) & 0xffffffffL : 0;
      rungs.add(new Rung(Duration.between(start, p.time()).toNanos() / 1e9, fromA, p.flags(), seq, ack, p.length(),
          aEntered.get(i), bEntered.get(i)));
    }
    return new Ladder(node, a, b, rungs);
  }

  /**
   * The packet a state change goes with: for a state entered to send (SYN_SENT, FIN_WAIT1,
   * LAST_ACK), the first packet that end sent at or after it; for any other, the last packet that
   * end received before it (what made it change; a sampled change is stamped up to a sampling
   * interval after it). -1 for a change the capture did not see the cause of: before its first
   * packet, or a timer's long after its last (TIME_WAIT's end).
   */
  private static int rungOf(List<CapturedPacket> packets, String end, SocketChange c) {
    if (c.time().isAfter(packets.get(packets.size() - 1).time().plus(QUIET))) {
      return -1;
    }
    if (ENTERED_TO_SEND.contains(c.to())) {
      for (int i = 0; i < packets.size(); i++) {
        CapturedPacket p = packets.get(i);
        if (p.source().equals(end) && !p.time().isBefore(c.time().minus(SKEW))
            && !p.time().isAfter(c.time().plus(SENT_WITHIN))) {
          return i;
        }
      }
    }
    Instant latest = c.time().plus(c.traced() ? SKEW : SAMPLE_STAMPED_EARLY);
    int last = -1;
    for (int i = 0; i < packets.size() && !packets.get(i).time().isAfter(latest); i++) {
      if (packets.get(i).destination().equals(end)) {
        last = i;
      }
    }
    return last;
  }
}
