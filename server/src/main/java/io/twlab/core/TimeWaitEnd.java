package io.twlab.core;

/**
 * Why a TIME_WAIT socket (or an orphan's FIN_WAIT2 socket, which the kernel keeps as a timewait
 * socket too) went away, as far as observation can tell. Only what was seen is claimed: where the
 * evidence does not say, the end is {@link #UNKNOWN}.
 */
public enum TimeWaitEnd {
  /** Its timer ran out: gone at or after the time its last sampled timer said. */
  EXPIRED("its timer ran out"),
  /** A new connection took its 4-tuple (tcp_tw_reuse, or a SYN the timewait socket accepted). */
  REUSED("a new connection took its 4-tuple"),
  /**
   * An RST sent to its 4-tuple was traced and it was gone after: with tcp_rfc1337=0 (the default)
   * a timewait socket dies of an in-window RST, RFC 1337's "TIME_WAIT assassination".
   */
  RESET("an RST killed it (TIME_WAIT assassination, RFC 1337; tcp_rfc1337=1 ignores such RSTs)"),
  /** Gone before its timer ran out, and nothing seen explains it. */
  UNKNOWN("gone before its timer ran out; what ended it was not seen");

  private final String meaning;

  TimeWaitEnd(String meaning) {
    this.meaning = meaning;
  }

  /** What this end means, for people. */
  public String meaning() {
    return meaning;
  }
}
