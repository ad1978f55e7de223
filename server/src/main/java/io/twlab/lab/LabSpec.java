package io.twlab.lab;

import java.time.Duration;
import java.util.Map;

/**
 * What a user asked for, validated: the topology, the number of clients, the gateway's SNAT port
 * pool, sysctls per node (keys are node names or roles) and the lab's lifetime.
 */
public record LabSpec(
    TopologyKind topology,
    int clients,
    PortRange snatPorts,
    Map<String, Map<String, String>> sysctls,
    Duration ttl) {

  public LabSpec {
    sysctls = Map.copyOf(sysctls);
  }
}
