package io.twlab.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How this control plane runs: the owner name on every Docker object it makes (servers with
 * other owners leave them alone), the lab image tag, the subnet pool, the event retention and the
 * kernel tracer.
 */
public record ServerSettings(String owner, String imageTag, String subnetPool, int eventRetention, Duration reapInterval,
    boolean tracer, String tracerImage) {

  public static ServerSettings defaults() {
    String tag = labImageTag();
    return new ServerSettings("twlab", tag, "10.213", 100_000, Duration.ofSeconds(15), true, "twlab/tracer:" + tag);
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
    return new ServerSettings(newOwner, imageTag, subnetPool, eventRetention, reapInterval, tracer, tracerImage);
  }

  public ServerSettings withEventRetention(int events) {
    return new ServerSettings(owner, imageTag, subnetPool, events, reapInterval, tracer, tracerImage);
  }

  /** Whether to trace transitions with the kernel tracer, and from which image. */
  public ServerSettings withTracer(boolean enabled, String image) {
    return new ServerSettings(owner, imageTag, subnetPool, eventRetention, reapInterval, enabled, image);
  }

  public String image(String role) {
    return "twlab/" + role + ":" + imageTag;
  }
}
