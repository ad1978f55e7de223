package io.twlab.app;

import io.twlab.runtime.Confinement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * How this control plane runs: the owner name on every Docker object it makes (servers with
 * other owners leave them alone), the lab image tag, the subnet pool, the event retention, the
 * kernel tracer and what each lab node may use ({@code nodes}, before its role's capabilities).
 */
public record ServerSettings(String owner, String imageTag, String subnetPool, int eventRetention, Duration reapInterval,
    boolean tracer, String tracerImage, Confinement nodes) {
  /**
   * 60 NAT labs of 4 nodes fit a 24 GB host at 64 MiB each (15 GiB). Measured with docker stats: an
   * idle node uses 8-14 MiB, the client of a 20 000-connection redis flood peaked at 35 MiB (its
   * sockets are charged to it).
   */
  public static final Confinement NODE = new Confinement(64 * Confinement.MIB, 256, 1, Set.of(), false);

  /**
   * A student's program: a fork bomb meets 64 processes, a memory hog the kernel's OOM killer at
   * 64 MiB (python3 itself takes about 10), and half a CPU leaves the node's observers and the
   * other labs theirs.
   */
  public static final Confinement PROGRAM = new Confinement(64 * Confinement.MIB, 64, 0.5, Set.of(), true);

  /** A student's shell: a program's limits, for what they type and start there. */
  public static final Confinement SHELL = PROGRAM;

  public static ServerSettings defaults() {
    String tag = labImageTag();
    return new ServerSettings("twlab", tag, "10.213", 100_000, Duration.ofSeconds(15), true, "twlab/tracer:" + tag,
        NODE);
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
    return new ServerSettings(newOwner, imageTag, subnetPool, eventRetention, reapInterval, tracer, tracerImage, nodes);
  }

  public ServerSettings withEventRetention(int events) {
    return new ServerSettings(owner, imageTag, subnetPool, events, reapInterval, tracer, tracerImage, nodes);
  }

  /** Whether to trace transitions with the kernel tracer, and from which image. */
  public ServerSettings withTracer(boolean enabled, String image) {
    return new ServerSettings(owner, imageTag, subnetPool, eventRetention, reapInterval, enabled, image, nodes);
  }

  public ServerSettings withNodes(Confinement confinement) {
    return new ServerSettings(owner, imageTag, subnetPool, eventRetention, reapInterval, tracer, tracerImage,
        confinement);
  }

  public String image(String role) {
    return "twlab/" + role + ":" + imageTag;
  }
}
