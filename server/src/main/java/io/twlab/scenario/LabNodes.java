package io.twlab.scenario;

import io.twlab.lab.Lab;
import io.twlab.lab.Role;
import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;

/** Where things are in a lab, as the scenarios need it. */
final class LabNodes {
  private static final long SAMPLE_SETTLE_MS = 400;

  private LabNodes() {}

  /** Waits until the samplers (every 100 ms) have seen what just happened, so that counts are current. */
  static void awaitSamples() throws InterruptedException {
    Thread.sleep(SAMPLE_SETTLE_MS);
  }

  static String firstClient(Lab lab) {
    return lab.nodesWithRole(Role.CLIENT).get(0).name();
  }

  /** The node that runs the redis the clients reach: the server on direct, redis behind the gateway. */
  static String redisNode(Lab lab) {
    return lab.spec().topology() == TopologyKind.DIRECT ? "server" : "redis";
  }

  /** The address a client connects to for the server (and redis). */
  static String target(Lab lab) {
    return Topologies.serverAddressForClients(lab);
  }
}
