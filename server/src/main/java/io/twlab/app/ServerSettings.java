package io.twlab.app;

import java.time.Duration;

/**
 * How this control plane runs: the owner name on every Docker object it makes (servers with
 * other owners leave them alone), the lab image tag, the subnet pool and the event retention.
 */
public record ServerSettings(String owner, String imageTag, String subnetPool, int eventRetention, Duration reapInterval) {

  public static ServerSettings defaults() {
    return new ServerSettings("twlab", "1", "10.213", 100_000, Duration.ofSeconds(15));
  }

  public ServerSettings withOwner(String newOwner) {
    return new ServerSettings(newOwner, imageTag, subnetPool, eventRetention, reapInterval);
  }

  public String image(String role) {
    return "twlab/" + role + ":" + imageTag;
  }
}
