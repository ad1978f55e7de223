package io.twlab.core;

import java.util.Optional;

/** The kernel's TCP states as /proc/net/tcp names them; CLOSED also stands for "no socket". */
public enum TcpState {
  CLOSED, LISTEN, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, CLOSING,
  LAST_ACK, TIME_WAIT, NEW_SYN_RECV;

  /** Parses a sampler state; "-" (no socket) and the kernel's CLOSE are CLOSED. */
  public static Optional<TcpState> parse(String text) {
    if (text.equals("-") || text.equals("CLOSE")) {
      return Optional.of(CLOSED);
    }
    try {
      return Optional.of(valueOf(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
