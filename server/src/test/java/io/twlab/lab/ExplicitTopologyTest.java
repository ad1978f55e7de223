package io.twlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.lab.ExplicitTopology.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExplicitTopologyTest {
  @Test
  void clientAndServerOnOneNetworkIsTheDirectShape() {
    ExplicitTopology direct = new ExplicitTopology(List.of("net"), List.of(
        new NodePlan("server", Role.SERVER, List.of("net"), Map.of()),
        new NodePlan("client", Role.CLIENT, List.of("net"), Map.of())));

    assertEquals(new ExplicitTopology.Shape(TopologyKind.DIRECT, 1), direct.shape());
  }

  @Test
  void twoClientsWithoutAGatewayCannotBeBuilt() {
    ExplicitTopology routed = new ExplicitTopology(List.of("net"), List.of(
        new NodePlan("client", Role.CLIENT, List.of("net"), Map.of()),
        new NodePlan("client2", Role.CLIENT, List.of("net"), Map.of()),
        new NodePlan("server", Role.SERVER, List.of("net"), Map.of())));

    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, routed::shape);

    assertEquals(List.of(
        new FieldViolation("nodes", "the direct shape (no gateway) has exactly 1 client, got 2"),
        new FieldViolation("nodes[client2]", "the direct shape (no gateway) has no node 'client2'; its nodes are "
            + "client (client on net), server (server on net)")), e.violations());
  }
}
