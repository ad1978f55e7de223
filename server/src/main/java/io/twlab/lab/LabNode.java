package io.twlab.lab;

import java.util.Map;

/** A running node: its container, its address on each network and its sysctls as read back. */
public record LabNode(
    String name,
    Role role,
    String containerId,
    Map<String, String> addresses,
    Map<String, String> effectiveSysctls) {

  public LabNode {
    addresses = Map.copyOf(addresses);
    effectiveSysctls = Map.copyOf(effectiveSysctls);
  }

  public String address(String network) {
    String ip = addresses.get(network);
    if (ip == null) {
      throw new IllegalStateException("node " + name + " is not on network " + network);
    }
    return ip;
  }
}
