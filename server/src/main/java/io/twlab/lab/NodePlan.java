package io.twlab.lab;

import java.util.List;
import java.util.Map;

/** A node to create: its name, role, the networks it joins (first is primary) and its sysctls. */
public record NodePlan(String name, Role role, List<String> networks, Map<String, String> sysctls) {
  public NodePlan {
    networks = List.copyOf(networks);
    sysctls = Map.copyOf(sysctls);
  }
}
