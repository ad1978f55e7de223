package io.twlab.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How this control plane runs: the owner name on every Docker object it makes (servers with
 * other owners leave them alone), the lab image tag, the subnet pool and the event retention.
 */
public record ServerSettings(String owner, String imageTag, String subnetPool, int eventRetention, Duration reapInterval) {

  public static ServerSettings defaults() {
    return new ServerSettings("twlab", labImageTag(), "10.213", 100_000, Duration.ofSeconds(15));
  }

  /** The tag lab-images/build.sh gives the images (its VERSION file, packaged with the server). */
  private static String labImageTag() {
    try (InputStream in = ServerSettings.class.getResourceAsStream("/io/twlab/lab-images/VERSION")) {
      if (in == null) {
        throw new IllegalStateException("lab-images/VERSION is not packaged with the server: rebuild it with ./mvnw package");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ServerSettings withOwner(String newOwner) {
    return new ServerSettings(newOwner, imageTag, subnetPool, eventRetention, reapInterval);
  }

  public ServerSettings withEventRetention(int events) {
    return new ServerSettings(owner, imageTag, subnetPool, events, reapInterval);
  }

  public String image(String role) {
    return "twlab/" + role + ":" + imageTag;
  }
}
