package io.twlab.lab;

import io.twlab.core.Bounded;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.sysctl.SysctlPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A lab request as a client wrote it (unset numbers are 0, unset texts empty, no TTL is null).
 * {@link #validate} turns it into a {@link LabSpec} or refuses it naming every bad field.
 */
public record LabRequest(
    String topology,
    int clients,
    String snatPortRange,
    Map<String, Map<String, String>> sysctls,
    Duration ttl) {

  public static final int MAX_CLIENTS = 8;
  public static final Duration DEFAULT_TTL = Duration.ofHours(2);
  public static final Duration MAX_TTL = Duration.ofHours(24);
  private static final Duration MIN_TTL = Duration.ofMinutes(1);

  public LabSpec validate(SysctlPolicy policy) {
    List<FieldViolation> violations = new ArrayList<>();
    String topologyId = topology == null || topology.isBlank() ? TopologyKind.DIRECT.id() : topology.trim();
    TopologyKind kind = TopologyKind.fromId(topologyId).orElse(null);
    if (kind == null) {
      violations.add(new FieldViolation("topology",
          "unknown topology " + Bounded.quote(topologyId) + "; use 'direct' or 'nat'"));
    }
    int clientCount = clients == 0 ? 1 : clients;
    if (clientCount < 1 || clientCount > MAX_CLIENTS) {
      violations.add(new FieldViolation("clients", "must be between 1 and " + MAX_CLIENTS + ", got " + clients));
    } else if (kind == TopologyKind.DIRECT && clientCount != 1) {
      violations.add(new FieldViolation("clients", "the direct topology has exactly one client; use 'nat' for more"));
    }
    PortRange snat = PortRange.ALL_UNPRIVILEGED;
    if (snatPortRange != null && !snatPortRange.isBlank()) {
      snat = PortRange.parse(snatPortRange).orElse(null);
      if (snat == null) {
        violations.add(new FieldViolation("snat_port_range",
            Bounded.quote(snatPortRange) + " is not a port range 'A-B' with 1 <= A <= B <= 65535"));
      } else if (kind == TopologyKind.DIRECT) {
        violations.add(new FieldViolation("snat_port_range", "only the nat topology has a gateway"));
      }
    }
    Duration lifetime = ttl == null || ttl.isZero() ? DEFAULT_TTL : ttl;
    if (lifetime.compareTo(MIN_TTL) < 0 || lifetime.compareTo(MAX_TTL) > 0) {
      violations.add(new FieldViolation("ttl", "must be between 1 minute and 24 hours, got " + lifetime));
    }
    Map<String, Map<String, String>> nodeSysctls = new LinkedHashMap<>();
    if (sysctls != null) {
      Set<String> targets = kind == null ? Set.of() : targetNames(kind, clientCount);
      sysctls.forEach((target, values) -> {
        String field = "nodes[" + target + "]";
        if (kind != null && !targets.contains(target)) {
          violations.add(new FieldViolation(field, "no node or role " + Bounded.quote(target) + " in the " + kind.id()
              + " topology; use one of " + String.join(", ", targets.stream().sorted().toList())));
        }
        violations.addAll(policy.check(field + ".sysctls", values));
        nodeSysctls.put(target, Map.copyOf(policy.normalised(values)));
      });
    }
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
    return new LabSpec(kind, clientCount, snat, nodeSysctls, lifetime);
  }

  private static Set<String> targetNames(TopologyKind kind, int clients) {
    Set<String> names = new HashSet<>();
    for (NodePlan node : Topologies.nodes(kind, clients)) {
      names.add(node.name());
      names.add(node.role().id());
    }
    return names;
  }
}
