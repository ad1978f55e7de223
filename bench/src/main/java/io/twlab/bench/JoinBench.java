package io.twlab.bench;

import io.twlab.core.SocketKey;
import io.twlab.core.TcpState;
import io.twlab.observe.SamplerBatch;
import io.twlab.observe.SocketDelta;
import io.twlab.observe.TraceEvent;
import io.twlab.observe.TransitionJoiner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 21: a flood's traced changes joined on the client, whose every close waits for the next
 * sample (a handover to TIME_WAIT or not), against the server's, whose closes wait for nothing;
 * the same number of changes, at the same rate, in one run. A sample comes every {@link
 * #SAMPLE_EVERY} of kernel time, so about {@code SAMPLE_EVERY / CONNECT_EVERY} closes wait at once,
 * as under a flood on a loaded host. A joiner that looks at every waiting close at every change
 * costs as many times more as there are closes waiting.
 */
final class JoinBench {
  private static final int CONNECTIONS = 20_000;
  private static final long CONNECT_EVERY = 200_000; // 5 000 connections a second;
  private static final long SAMPLE_EVERY = Duration.ofMillis(500).toNanos();
  private static final int ROUNDS = 5;
  private static final Instant T0 = Instant.parse("2026-12-04T00:00:00Z");
  private static final String SERVER = "10.213.250.3:6379";

  private JoinBench() {}

  static void run() {
    double client = Double.MAX_VALUE;
    double server = Double.MAX_VALUE;
    long changes = 0;
    for (int round = 0; round < ROUNDS; round++) {
      long[] c = join(true);
      long[] s = join(false);
      client = Math.min(client, (double) c[0] / c[1]);
      server = Math.min(server, (double) s[0] / s[1]);
      changes += c[2] + s[2];
    }
    System.out.printf(Locale.ROOT, "%n## Joining a flood's changes: %d connections, a sample every %d ms (about %d closes "
        + "waiting for it), best of %d rounds%n", CONNECTIONS, SAMPLE_EVERY / 1_000_000, SAMPLE_EVERY / CONNECT_EVERY, ROUNDS);
    System.out.printf(Locale.ROOT, "twlab, client side (closes wait for their sample): %.0f ns per traced change%n", client);
    System.out.printf(Locale.ROOT, "baseline, server side (no close waits): %.0f ns per traced change%n", server);
    System.out.printf(Locale.ROOT, "ratio: %.2f (target: <= 3 however many closes wait; 54 when each change looked at every waiting close; %d changes reported)%n", client / server,
        changes);
  }

  /** {elapsed nanos, traced changes fed, changes reported}. */
  private static long[] join(boolean clientSide) {
    TransitionJoiner joiner = new TransitionJoiner(clientSide ? "client" : "server");
    joiner.baseline(new SamplerBatch(T0, 0, 0, true, 1, List.of(), Map.of()));
    List<SocketDelta> timeWaits = new ArrayList<>();
    long nextSample = SAMPLE_EVERY;
    long fed = 0;
    long reported = 0;
    long started = System.nanoTime();
    for (int i = 0; i < CONNECTIONS; i++) {
      long at = (i + 1) * CONNECT_EVERY;
      String local = clientSide ? "10.213.250.2:" + (20_000 + i % 40_000) : SERVER;
      String remote = clientSide ? SERVER : "10.213.250.2:" + (20_000 + i % 40_000);
      TcpState[] path = clientSide
          ? new TcpState[] {TcpState.SYN_SENT, TcpState.ESTABLISHED, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSED}
          : new TcpState[] {TcpState.LISTEN, TcpState.SYN_RECV, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT,
              TcpState.LAST_ACK, TcpState.CLOSED};
      for (int step = 1; step < path.length; step++) {
        long t = at + step * 1_000;
        TraceEvent event = new TraceEvent(t, 1, 0xffff0000L + i, local, remote, path[step - 1], path[step]);
        reported += joiner.traced(event, T0.plusNanos(t)).size();
        fed++;
      }
      if (clientSide) {
        timeWaits.add(new SocketDelta(new SocketKey(local, remote), TcpState.CLOSED, TcpState.TIME_WAIT,
            Optional.of(Duration.ofSeconds(60))));
      }
      if (at >= nextSample) {
        long dumped = at + 10_000;
        reported += joiner.sampled(new SamplerBatch(T0.plusNanos(dumped), at + 5_000, dumped, false, 1, timeWaits, Map.of()),
            at + 5_000).size();
        timeWaits.clear();
        nextSample += SAMPLE_EVERY;
      }
    }
    return new long[] {System.nanoTime() - started, fed, reported};
  }
}
