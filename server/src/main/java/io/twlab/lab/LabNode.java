package io.twlab.lab;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** A running node: its container, its address on each network and its sysctls as read back. */
public record LabNode(
    String name,
    Role role,
    String containerId,
    Map<String, String> addresses,
    Map<String, String> effectiveSysctls) {

  public LabNode {
    addresses = Map.copyOf(addresses);
    effectiveSysctls = Collections.unmodifiableMap(new TreeMap<>(effectiveSysctls));
  }

  public String address(String network) {
    String ip = addresses.get(network);
    if (ip == null) {
      throw new IllegalStateException("node " + name + " is not on network " + network);
    }
    return ip;
  }
}
