package io.twlab.capture;

import java.time.Instant;

/**
 * A TCP segment as a capture saw it: when, from which end to which ({@code ip:port}), its flags
 * as tcpdump writes them ({@code S}, {@code S.}, {@code F.}, {@code R}, {@code .}, {@code P.}),
 * its sequence and acknowledgement numbers, its payload length, and whether the capturing node
 * sent it.
 */
public record CapturedPacket(Instant time, String source, String destination, String flags, long seq, long ack,
    int length, boolean outgoing) {

  public boolean has(char flag) {
    return flags.indexOf(flag) >= 0;
  }
}
