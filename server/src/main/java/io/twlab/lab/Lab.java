package io.twlab.lab;

import io.twlab.core.Tenant;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A lab as it is now. Immutable: a change of status makes a new value. */
public record Lab(
    String id,
    Tenant tenant,
    LabSpec spec,
    LabStatus status,
    List<LabNode> nodes,
    Map<String, String> subnets,
    Instant createdAt,
    Instant expiresAt,
    String observationMode) {

  public Lab {
    nodes = List.copyOf(nodes);
    subnets = Map.copyOf(subnets);
  }

  public LabNode node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("lab " + id + " has no node " + name));
  }

  public List<LabNode> nodesWithRole(Role role) {
    return nodes.stream().filter(n -> n.role() == role).toList();
  }

  /** The client scenarios run from, and the one a run's own nodes are made like: client or client1. */
  public String firstClient() {
    return nodesWithRole(Role.CLIENT).get(0).name();
  }

  public Lab withStatus(LabStatus newStatus) {
    return new Lab(id, tenant, spec, newStatus, nodes, subnets, createdAt, expiresAt, observationMode);
  }

  public Lab withExpiresAt(Instant newExpiry) {
    return new Lab(id, tenant, spec, status, nodes, subnets, createdAt, newExpiry, observationMode);
  }

  public Lab withObservationMode(String mode) {
    return new Lab(id, tenant, spec, status, nodes, subnets, createdAt, expiresAt, mode);
  }

  public boolean expired(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
