package io.twlab.observe;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code conntrack -E} lines of the gateway: a NAT mapping made or destroyed, with its
 * original tuple (as the client sent it) and its reply tuple (as the server answers it).
 */
public final class ConntrackParser {
  // "    [NEW] tcp      6 120 SYN_SENT src=A dst=B sport=P dport=Q [UNREPLIED] src=C dst=D sport=R dport=S"
  private static final Pattern LINE = Pattern.compile("^\\s*\\[(NEW|DESTROY)\\]\\s+tcp\\s+\\d+\\s+(?:\\d+\\s+)?"
      + "([A-Z_]+\\s+)?src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+)(?: \\[UNREPLIED\\])?"
      + " src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+).*");

  private ConntrackParser() {}

  /** One mapping event: "NEW" or "DESTROY", conntrack's TCP state (empty on DESTROY), the two tuples. */
  public record NatMapping(String event, String state, String original, String reply) {}

  public static Optional<NatMapping> parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    String state = m.group(2) == null ? "" : m.group(2).trim();
    return Optional.of(new NatMapping(m.group(1), state,
        m.group(3) + ":" + m.group(5) + " -> " + m.group(4) + ":" + m.group(6),
        m.group(7) + ":" + m.group(9) + " -> " + m.group(8) + ":" + m.group(10)));
  }
}
