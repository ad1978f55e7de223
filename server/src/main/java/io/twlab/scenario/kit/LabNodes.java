package io.twlab.scenario.kit;

import io.twlab.lab.Lab;
import io.twlab.lab.Topologies;
import io.twlab.lab.TopologyKind;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * An iptables rule a run adds to a node of the lab: {@code chain}, tagged with the comment
   * twlab-run so that a server re-adopting the lab after the run was interrupted removes it
   * (lab-images/base/twlab-reset), then {@code spec}.
   */
  public static List<String> runRule(String chain, String... spec) {
    List<String> rule = new ArrayList<>(List.of(chain, "-m", "comment", "--comment", "twlab-run"));
    rule.addAll(List.of(spec));
    return rule;
  }
}
