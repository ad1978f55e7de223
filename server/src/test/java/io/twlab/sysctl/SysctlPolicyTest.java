package io.twlab.sysctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.FieldViolation;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SysctlPolicyTest {
  private final SysctlPolicy policy = new SysctlPolicy();

  @Test
  void acceptsPerNamespaceKeysWithinRange() {
    assertEquals(List.of(), policy.check("n", Map.of(
        "net.ipv4.tcp_tw_reuse", "2",
        "net.ipv4.tcp_max_tw_buckets", "0",
        "net.ipv4.ip_local_port_range", "40000 40099",
        "net.ipv4.tcp_tw_reuse_delay", "1")));
  }

  @Test
  void refusesRemovedHostWideUnknownAndOutOfRangeNamingEachKey() {
    List<FieldViolation> violations = policy.check("spec.nodes[client].sysctls", new TreeMap<>(Map.of(
        "net.ipv4.tcp_tw_recycle", "1",
        "net.ipv4.tcp_max_orphans", "10",
        "kernel.pid_max", "10",
        "net.ipv4.tcp_tw_reuse_delay", "0",
        "net.ipv4.ip_local_port_range", "50000 40000",
        "net.ipv4.tcp_fin_timeout", "soon")));
    assertEquals(6, violations.size(), violations.toString());
    assertReason(violations, "spec.nodes[client].sysctls[net.ipv4.tcp_tw_recycle]", "removed in Linux 4.12");
    assertReason(violations, "spec.nodes[client].sysctls[net.ipv4.tcp_max_orphans]", "host-wide");
    assertReason(violations, "spec.nodes[client].sysctls[kernel.pid_max]", "unknown");
    assertReason(violations, "spec.nodes[client].sysctls[net.ipv4.tcp_tw_reuse_delay]", "between 1 and");
    assertReason(violations, "spec.nodes[client].sysctls[net.ipv4.ip_local_port_range]", "LOW <= HIGH");
    assertReason(violations, "spec.nodes[client].sysctls[net.ipv4.tcp_fin_timeout]", "not an integer");
  }

  private static void assertReason(List<FieldViolation> violations, String field, String part) {
    assertTrue(violations.stream().anyMatch(v -> v.field().equals(field) && v.reason().contains(part)),
        field + " / " + part + " not in " + violations);
  }
}
