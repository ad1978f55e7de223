package io.twlab.scenario.kit;

import io.twlab.lab.Lab;
import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;

/** Where things are in a lab, as the scenarios need it. */
public final class LabNodes {
  private LabNodes() {}

  /** The node that runs the redis the clients reach: the server on direct, redis behind the gateway. */
  public static String redisNode(Lab lab) {
    return lab.spec().topology() == TopologyKind.DIRECT ? "server" : "redis";
  }

  /** The address a client connects to for the server (and redis). */
  public static String target(Lab lab) {
    return Topologies.serverAddressForClients(lab);
  }
}
