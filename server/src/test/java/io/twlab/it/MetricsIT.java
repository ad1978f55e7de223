package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} on a real server with workshop mode's auth: Prometheus' text format with
 * the figures of what just happened, for the admin and the scrape credential only.
 */
class MetricsIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated();

  @Test
  void theAdminAndTheScrapeCredentialReadWhatHappenedOthersAreRefused() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("nat").build());
    twlab.run(lab, "nc-timewait", Map.of());

    HttpResponse<String> admin = metrics(twlab.adminToken());
    assertEquals(200, admin.statusCode(), admin.body());
    assertTrue(admin.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    String text = admin.body();
    assertTrue(text.contains("twlab_labs{status=\"ready\"} 1.0"), text);
    assertTrue(text.contains("twlab_runs_seconds_count{scenario=\"nc-timewait\",state=\"succeeded\"} 1"), text);
    assertTrue(value(text, "twlab_events_appended_total") > 0, text);
    // The observer reports its figures every 5 s.
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (value(metrics(twlab.adminToken()).body(), "twlab_observer_namespaces") != 4.0 && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
    assertEquals(4.0, value(metrics(twlab.adminToken()).body(), "twlab_observer_namespaces"), "one per node of the lab");
    assertTrue(text.contains("twlab_engine_calls_seconds_count{operation=\"POST /containers/create\"}"), text);
    assertTrue(text.contains("jvm_memory_used_bytes"), text);

    // The sample dashboard shows only what the server serves.
    Matcher used = Pattern.compile("twlab_[a-z_]+")
        .matcher(Files.readString(Path.of("..", "examples", "grafana-dashboard.json")));
    while (used.find()) {
      assertTrue(text.contains(used.group()), "examples/grafana-dashboard.json uses " + used.group());
    }

    String scrapeToken = Files.readString(twlab.dataDir().resolve("metrics.token")).trim();
    assertEquals(200, metrics(Optional.of(scrapeToken)).statusCode());
    assertEquals(401, twlab.send(Optional.of(scrapeToken), HttpRequest.newBuilder(
        URI.create(twlab.httpBase() + "/api/v1/labs")).GET()).statusCode(), "the scrape credential reads /metrics only");

    String instructor = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder()
        .setName("Grace").build()).getToken();
    HttpResponse<String> refused = metrics(Optional.of(instructor));
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertEquals(401, metrics(Optional.empty()).statusCode());
    assertEquals(401, metrics(Optional.of("twlab-scrape-not-it")).statusCode());
  }

  private static HttpResponse<String> metrics(Optional<String> token) throws Exception {
    return twlab.send(token, HttpRequest.newBuilder(URI.create(twlab.httpBase() + "/metrics")).GET());
  }

  private static double value(String text, String name) {
    return text.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
        .findFirst().orElseThrow(() -> new AssertionError(name + " missing: " + text));
  }
}
