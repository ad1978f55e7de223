package io.twlab.sysctl;

import io.twlab.core.FieldViolation;
import io.twlab.sysctl.SysctlRule.IntPair;
import io.twlab.sysctl.SysctlRule.IntRange;
import io.twlab.sysctl.SysctlRule.Refused;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which sysctls a lab node may set. Only per-network-namespace keys that Docker can set at
 * container creation are allowed (docs/kernel-facts.md §2); everything else is refused with its reason before
 * any container exists.
 */
public final class SysctlPolicy {

  private static final List<SysctlRule> ALLOWED = List.of(
      new SysctlRule.IntRange("net.ipv4.tcp_tw_reuse", 0, 2,
          "Lets a new outgoing connection take a 4-tuple still in TIME_WAIT (needs timestamps): "
              + "0 off, 1 on, 2 loopback only (the default)"),
      new SysctlRule.IntRange("net.ipv4.tcp_tw_reuse_delay", 1, 2_000_000,
          "How long (ms) a TIME_WAIT socket must have waited before tcp_tw_reuse may take it (default 1000)"),
      new SysctlRule.IntRange("net.ipv4.tcp_timestamps", 0, 2,
          "TCP timestamps (RFC 7323); tcp_tw_reuse relies on them to tell old segments from new: "
              + "0 off, 1 on, 2 on without random offsets"),
      new SysctlRule.IntRange("net.ipv4.tcp_fin_timeout", 1, 600,
          "Seconds an orphaned FIN_WAIT_2 socket lives (default 60); it never shortens TIME_WAIT"),
      new SysctlRule.IntRange("net.ipv4.tcp_max_tw_buckets", 0, 4_000_000,
          "At most this many TIME_WAIT sockets; beyond it a closing socket skips TIME_WAIT (TcpExtTCPTimeWaitOverflow)"),
      new SysctlRule.IntPair("net.ipv4.ip_local_port_range", 1024, 65535,
          "The ephemeral ports a client's connect() picks from, LOW HIGH: "
              + "its size bounds connections to one server address and port"),
      new SysctlRule.IntRange("net.ipv4.ip_forward", 0, 1,
          "Routes packets between interfaces (the NAT gateway needs 1)"),
      new SysctlRule.IntRange("net.ipv4.tcp_rfc1337", 0, 1,
          "1: a TIME_WAIT socket ignores RSTs (RFC 1337); 0 (default): an RST ends it early, TIME_WAIT assassination"),
      new SysctlRule.IntRange("net.ipv4.tcp_syn_retries", 1, 127,
          "How many times connect() resends its SYN before it gives up"),
      new SysctlRule.IntRange("net.ipv4.tcp_orphan_retries", 0, 255,
          "How many times an orphaned socket (closed by its program) "
              + "retransmits before it is dropped; 0 means 8"),
      new SysctlRule.IntRange("net.core.somaxconn", 1, 65535,
          "The largest accept backlog a listen() may ask for"),
      new SysctlRule.IntRange("net.netfilter.nf_conntrack_tcp_timeout_time_wait", 1, 600,
          "Seconds the gateway's conntrack keeps a NAT mapping in TIME_WAIT (default 120)"));

  private static final String HOST_WIDE =
      "is host-wide, not per network namespace: a lab node cannot have its own value";

  private static final List<SysctlRule> REFUSED = List.of(
      new SysctlRule.Refused("net.ipv4.tcp_tw_recycle",
          "was removed in Linux 4.12 (it broke clients behind NAT); this kernel has no such key."
              + " Use net.ipv4.tcp_tw_reuse, or watch the nat topology show why it was removed"),
      new SysctlRule.Refused("net.ipv4.tcp_max_orphans", HOST_WIDE),
      new SysctlRule.Refused("net.core.netdev_max_backlog", HOST_WIDE),
      new SysctlRule.Refused("net.ipv4.tcp_mem", HOST_WIDE),
      new SysctlRule.Refused("net.core.rmem_max", HOST_WIDE),
      new SysctlRule.Refused("net.core.wmem_max", HOST_WIDE));

  private final Map<String, SysctlRule> rules = Stream.concat(ALLOWED.stream(), REFUSED.stream())
      .collect(Collectors.toUnmodifiableMap(SysctlRule::key, Function.identity()));

  /** Every rule, the allowed keys first: the table of docs/sysctl-policy.md. */
  public List<SysctlRule> rules() {
    return Stream.concat(ALLOWED.stream(), REFUSED.stream()).toList();
  }

  /** Every key a node may set, in a stable order: the ones read back after start. */
  public List<String> allowedKeys() {
    return ALLOWED.stream().map(SysctlRule::key).toList();
  }

  /**
   * Checks one node's sysctls; {@code fieldPrefix} is the request path of that node's map, so a
   * violation names e.g. {@code spec.nodes.client.sysctls[net.ipv4.tcp_tw_recycle]}.
   */
  public List<FieldViolation> check(String fieldPrefix, Map<String, String> sysctls) {
    List<FieldViolation> violations = new ArrayList<>();
    sysctls.forEach((key, value) -> reasonAgainst(key, value)
        .ifPresent(reason -> violations.add(new FieldViolation(fieldPrefix + "[" + key + "]", reason))));
    return violations;
  }

  /** {@code sysctls}, each acceptable value as the kernel writes it; the others as they are. */
  public Map<String, String> normalised(Map<String, String> sysctls) {
    Map<String, String> kernel = new LinkedHashMap<>();
    sysctls.forEach((key, value) -> kernel.put(key,
        value != null && reasonAgainst(key, value).isEmpty() ? rules.get(key).normalised(value) : value));
    return kernel;
  }

  /** Why {@code key} may not be set to {@code value} on a lab node, or empty when it may. */
  public Optional<String> reasonAgainst(String key, String value) {
    SysctlRule rule = rules.get(key);
    if (rule == null) {
      return Optional.of("unknown or not settable per lab node; settable keys: " + String.join(", ", allowedKeys()));
    }
    return rule.check(value == null ? "" : value);
  }
}
