package io.twlab.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The built-in topologies: which networks and nodes a lab has, and how the gateway forwards. */
public final class Topologies {
  public static final String DIRECT_NETWORK = "net";
  public static final String LAN = "lan";
  public static final String WAN = "wan";
  public static final int REDIS_PORT = 6379;

  private Topologies() {}

  public static List<String> networks(TopologyKind kind) {
    return kind == TopologyKind.DIRECT ? List.of(DIRECT_NETWORK) : List.of(LAN, WAN);
  }

  /** The nodes of a topology without sysctls. */
  public static List<NodePlan> nodes(TopologyKind kind, int clients) {
    if (kind == TopologyKind.DIRECT) {
      return List.of(
          new NodePlan("client", Role.CLIENT, List.of(DIRECT_NETWORK), Map.of()),
          new NodePlan("server", Role.SERVER, List.of(DIRECT_NETWORK), Map.of()));
    }
    List<NodePlan> nodes = new ArrayList<>();
    for (int i = 1; i <= clients; i++) {
      nodes.add(new NodePlan("client" + i, Role.CLIENT, List.of(LAN), Map.of()));
    }
    nodes.add(new NodePlan("gateway", Role.GATEWAY, List.of(LAN, WAN), Map.of("net.ipv4.ip_forward", "1")));
    nodes.add(new NodePlan("server", Role.SERVER, List.of(WAN), Map.of()));
    nodes.add(new NodePlan("redis", Role.REDIS, List.of(WAN), Map.of()));
    return nodes;
  }

  /** The nodes of a lab with their sysctls: role defaults, then role-wide values, then per-node values. */
  public static List<NodePlan> plan(LabSpec spec) {
    return nodes(spec.topology(), spec.clients()).stream().map(node -> {
      Map<String, String> sysctls = new LinkedHashMap<>(node.sysctls());
      sysctls.putAll(spec.sysctls().getOrDefault(node.role().id(), Map.of()));
      sysctls.putAll(spec.sysctls().getOrDefault(node.name(), Map.of()));
      return new NodePlan(node.name(), node.role(), node.networks(), sysctls);
    }).toList();
  }

  /**
   * The gateway's NAT rules: clients connect to the gateway's LAN address, which DNATs redis'
   * port to redis and every other TCP port to the server, and MASQUERADEs on the WAN side from a
   * chosen source port pool. Routing between two internal Docker networks is dropped by the
   * host's isolation rules, so the gateway must be the clients' destination (docs/kernel-facts.md §1).
   */
  public static List<List<String>> gatewayRules(Lab lab) {
    String gatewayLan = lab.node("gateway").address(LAN);
    String server = lab.node("server").address(WAN);
    String redis = lab.node("redis").address(WAN);
    String wanSubnet = lab.subnets().get(WAN);
    return List.of(
        List.of("iptables", "-t", "nat", "-A", "PREROUTING", "-d", gatewayLan, "-p", "tcp",
            "--dport", String.valueOf(REDIS_PORT), "-j", "DNAT", "--to-destination", redis),
        List.of("iptables", "-t", "nat", "-A", "PREROUTING", "-d", gatewayLan, "-p", "tcp",
            "-j", "DNAT", "--to-destination", server),
        List.of("iptables", "-t", "nat", "-A", "POSTROUTING", "-d", wanSubnet, "-p", "tcp",
            "-j", "MASQUERADE", "--to-ports", lab.spec().snatPorts().toString()));
  }

  /** The address at which a client node reaches the lab's server (and redis). */
  public static String serverAddressForClients(Lab lab) {
    return lab.spec().topology() == TopologyKind.DIRECT
        ? lab.node("server").address(DIRECT_NETWORK)
        : lab.node("gateway").address(LAN);
  }
}
