package io.twlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.sysctl.SysctlPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabRequestTest {
  private final SysctlPolicy policy = new SysctlPolicy();

  @Test
  void defaultsToADirectLabOfTwoHours() {
    LabSpec spec = new LabRequest("", 0, "", Map.of(), null).validate(policy);
    assertEquals(TopologyKind.DIRECT, spec.topology());
    assertEquals(1, spec.clients());
    assertEquals(Duration.ofHours(2), spec.ttl());
  }

  @Test
  void roleSysctlsApplyToEveryNodeOfTheRoleAndNodeSysctlsWin() {
    LabSpec spec = new LabRequest("nat", 3, "40000-40009", Map.of(
        "client", Map.of("net.ipv4.tcp_fin_timeout", "5"),
        "client2", Map.of("net.ipv4.tcp_fin_timeout", "9")), null).validate(policy);
    List<NodePlan> plan = Topologies.plan(spec);
    assertEquals(List.of("client1", "client2", "client3", "gateway", "server", "redis"),
        plan.stream().map(NodePlan::name).toList());
    assertEquals("5", plan.get(0).sysctls().get("net.ipv4.tcp_fin_timeout"));
    assertEquals("9", plan.get(1).sysctls().get("net.ipv4.tcp_fin_timeout"));
    assertEquals("1", plan.get(3).sysctls().get("net.ipv4.ip_forward"));
    assertEquals(Set.of("NET_ADMIN", "NET_RAW", "SETGID", "SETUID"), plan.get(3).role().capabilities(false));
    assertEquals(Set.of("NET_RAW", "SETGID", "SETUID"), plan.get(0).role().capabilities(false));
    assertEquals(new PortRange(40000, 40009), spec.snatPorts());
  }

  @Test
  void malformedRequestsNameEveryBadField() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () ->
        new LabRequest("mesh", 20, "9-1", Map.of("client", Map.of("net.ipv4.tcp_tw_recycle", "1")),
            Duration.ofDays(3)).validate(policy));
    List<String> fields = e.violations().stream().map(FieldViolation::field).toList();
    assertTrue(fields.containsAll(List.of("topology", "clients", "snat_port_range", "ttl",
        "nodes[client].sysctls[net.ipv4.tcp_tw_recycle]")), fields.toString());
  }

  @Test
  void sysctlsForANodeTheTopologyDoesNotHaveAreRefused() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () ->
        new LabRequest("direct", 0, "", Map.of("gateway", Map.of("net.ipv4.ip_forward", "1")), null).validate(policy));
    assertEquals("nodes[gateway]", e.violations().get(0).field());
  }
}
