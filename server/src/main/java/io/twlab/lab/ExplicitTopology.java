package io.twlab.lab;

import io.twlab.core.Bounded;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A topology written out as networks and nodes (name, role, networks) instead of by name. It must
 * spell out one of the built-in shapes: Docker drops traffic routed between two internal
 * networks, so a client reaches the server either on their one network or through the gateway.
 * Which shape is meant follows from the nodes: a gateway makes it nat.
 */
public record ExplicitTopology(List<String> networks, List<NodePlan> nodes) {
  public ExplicitTopology {
    networks = List.copyOf(networks);
    nodes = List.copyOf(nodes);
  }

  /** The built-in topology and client count it spells out, or every difference named by field. */
  public Shape shape() {
    TopologyKind kind = nodes.stream().anyMatch(n -> n.role() == Role.GATEWAY) ? TopologyKind.NAT : TopologyKind.DIRECT;
    String shape = "the " + kind.id() + " shape" + (kind == TopologyKind.NAT ? " (there is a gateway)" : " (no gateway)");
    List<FieldViolation> violations = new ArrayList<>();
    Set<String> distinctNetworks = Set.copyOf(networks);
    if (!distinctNetworks.equals(Set.copyOf(Topologies.networks(kind))) || networks.size() != distinctNetworks.size()) {
      violations.add(new FieldViolation("networks", shape + " has the networks " + Topologies.networks(kind)));
    }
    int clients = (int) nodes.stream().filter(n -> n.role() == Role.CLIENT).count();
    int expectedClients = kind == TopologyKind.DIRECT ? 1 : Math.max(1, Math.min(clients, LabRequest.MAX_CLIENTS));
    if (clients != expectedClients) {
      violations.add(new FieldViolation("nodes", shape + " has " + (kind == TopologyKind.DIRECT ? "exactly 1 client"
          : "1 to " + LabRequest.MAX_CLIENTS + " clients") + ", got " + clients));
    }
    Map<String, NodePlan> expected = new LinkedHashMap<>();
    Topologies.nodes(kind, expectedClients).forEach(n -> expected.put(n.name(), n));
    for (NodePlan node : nodes) {
      NodePlan want = expected.get(node.name());
      String field = "nodes[" + node.name() + "]";
      if (want == null) {
        violations.add(new FieldViolation(field, shape + " has no node " + Bounded.quote(node.name()) + "; its nodes are "
            + describe(expected.values())));
      } else if (want.role() != node.role()) {
        violations.add(new FieldViolation(field + ".role", "in " + shape + " " + node.name() + " is a " + want.role().id()));
      } else if (!Set.copyOf(want.networks()).equals(Set.copyOf(node.networks()))) {
        violations.add(new FieldViolation(field + ".networks", "in " + shape + " " + node.name() + " joins "
            + want.networks()));
      }
    }
    Set<String> written = nodes.stream().map(NodePlan::name).collect(Collectors.toSet());
    expected.values().stream().filter(n -> !written.contains(n.name())).forEach(n -> violations.add(
        new FieldViolation("nodes", shape + " needs the node " + describe(List.of(n)))));
    if (!violations.isEmpty()) {
      throw new InvalidArgumentException(violations);
    }
    return new Shape(kind, clients);
  }

  private static String describe(Collection<NodePlan> nodes) {
    return nodes.stream().map(n -> n.name() + " (" + n.role().id() + " on " + String.join(", ", n.networks()) + ")")
        .collect(Collectors.joining(", "));
  }

  /** A built-in topology with its number of clients. */
  public record Shape(TopologyKind kind, int clients) {}
}
