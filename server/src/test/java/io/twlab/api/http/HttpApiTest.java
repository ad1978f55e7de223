package io.twlab.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twlab.testing.InProcessTwlab;
import io.twlab.testing.SampleRuns;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP adapter on a fake engine: proto3 JSON bodies, RFC 9457 problems naming the bad field or
 * the missing resource, paging, and the SSE replay of a recorded run. No Docker.
 */
class HttpApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  private static final String PROBLEM = "application/problem+json";

  /** Each test's own server; its history starts as the test seeds it. */
  @RegisterExtension
  final InProcessTwlab.Fixture servers = new InProcessTwlab.Fixture();

  @Test
  void aLabIsMadeReadAndDeletedThenItIsA404Problem() throws Exception {
    var http = servers.start(history -> { });

    HttpResponse<String> created = http.post("/api/v1/labs", "application/json",
        "{\"spec\":{\"topology\":\"direct\",\"clients\":1}}");
    String id = JSON.readTree(created.body()).path("id").asText();
    HttpResponse<String> read = http.get("/api/v1/labs/" + id);
    HttpResponse<String> deleted = http.delete("/api/v1/labs/" + id);
    HttpResponse<String> gone = http.get("/api/v1/labs/" + id);

    assertEquals(201, created.statusCode(), created.body());
    assertEquals("LAB_STATUS_READY", JSON.readTree(read.body()).path("status").asText());
    assertEquals(200, deleted.statusCode());
    assertEquals(404, gone.statusCode());
    assertEquals(PROBLEM, gone.headers().firstValue("Content-Type").orElse(""));
    JsonNode problem = JSON.readTree(gone.body());
    assertEquals("urn:twlab:problem:not-found", problem.path("type").asText());
    assertEquals("lab", problem.path("resource").path("type").asText());
    assertEquals(id, problem.path("resource").path("name").asText());
    assertEquals("/api/v1/labs/" + id, problem.path("instance").asText());
  }

  @Test
  void badInputIsA400ProblemNamingEachField() throws Exception {
    var http = servers.start(history -> { });

    HttpResponse<String> badSpec = http.post("/api/v1/labs", "application/json",
        "{\"spec\":{\"topology\":\"direct\",\"clients\":3,\"nodes\":{\"client\":{\"sysctls\":"
            + "{\"net.ipv4.tcp_tw_recycle\":\"1\"}}}}}");
    HttpResponse<String> notJson = http.post("/api/v1/labs", "application/json", "{\"spec\":");
    HttpResponse<String> badPage = http.get("/api/v1/runs?page_size=many");

    assertEquals(400, badSpec.statusCode(), badSpec.body());
    assertEquals(List.of("spec.clients", "spec.nodes[client].sysctls[net.ipv4.tcp_tw_recycle]"), fields(badSpec));
    assertEquals(400, notJson.statusCode(), notJson.body());
    assertEquals(PROBLEM, notJson.headers().firstValue("Content-Type").orElse(""));
    assertEquals(List.of("page_size"), fields(badPage));
    assertEquals(0, JSON.readTree(http.get("/api/v1/labs").body()).path("labs").size(), "nothing was made");
  }

  @Test
  void runsArePagedAndTheirTimelineReplaysOverSse() throws Exception {
    var http = servers.start(history -> {
      for (int i = 1; i <= 3; i++) {
        var run = SampleRuns.finished("run-" + i, "lab-a", "port-exhaustion", T0.plusSeconds(i));
        history.save(run, Map.of(), SampleRuns.timeline(run));
      }
    });

    JsonNode first = JSON.readTree(http.get("/api/v1/runs?page_size=2").body());
    JsonNode second = JSON.readTree(http.get("/api/v1/runs?page_size=2&page_token="
        + first.path("nextPageToken").asText()).body());
    HttpResponse<String> replay = http.events("/api/v1/runs/run-2/events?after=8");
    HttpResponse<String> unknownRun = http.events("/api/v1/runs/run-404/events");

    assertEquals(List.of("run-3", "run-2"), ids(first));
    assertEquals(List.of("run-1"), ids(second));
    assertTrue(second.path("nextPageToken").asText().isEmpty());
    assertEquals(200, replay.statusCode());
    List<String> eventIds = replay.body().lines().filter(l -> l.startsWith("id:"))
        .map(l -> l.substring(3).trim()).toList();
    assertEquals(List.of("9", "10", "11"), eventIds, "resumes after the sequence it was given");
    assertEquals(404, unknownRun.statusCode(), "an unknown run is a problem before any stream opens");
  }

  private static List<String> fields(HttpResponse<String> response) throws Exception {
    List<String> fields = new ArrayList<>();
    JSON.readTree(response.body()).path("errors").forEach(e -> fields.add(e.path("field").asText()));
    return fields.stream().sorted().toList();
  }

  private static List<String> ids(JsonNode runs) {
    List<String> ids = new ArrayList<>();
    runs.path("runs").forEach(r -> ids.add(r.path("id").asText()));
    return ids;
  }
}
