package io.twlab.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twlab.testing.InProcessTwlab;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The REST API's OpenAPI document describes exactly the routes the server answers; its explorer loads. */
class OpenApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

  @RegisterExtension
  final InProcessTwlab.Fixture servers = new InProcessTwlab.Fixture();

  private static JsonNode document() throws IOException {
    try (InputStream in = OpenApiTest.class.getResourceAsStream("/io/twlab/api/openapi.json")) {
      return JSON.readTree(in);
    }
  }

  @Test
  void everyDocumentedRouteExistsAndEveryRouteIsDocumented() throws IOException {
    InProcessTwlab http = servers.start(history -> { });
    Set<String> documented = new TreeSet<>();
    Set<String> operationIds = new HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document().path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        assertTrue(METHODS.contains(op.getKey()), path.getKey() + ": " + op.getKey());
        documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
        assertTrue(operationIds.add(op.getValue().path("operationId").asText()), "operationId once: " + path.getKey());
        assertTrue(op.getValue().path("responses").size() > 0, path.getKey() + " says what it answers");
        op.getValue().path("parameters").forEach(p -> assertTrue(!p.path("in").asText().equals("path")
            || path.getKey().contains("{" + p.path("name").asText() + "}"), path.getKey() + ": " + p));
      }
    }
    Set<String> served = new TreeSet<>();
    http.httpRoutes().stream().filter(r -> r.contains(" /api/") || r.endsWith(" /healthz")).forEach(served::add);
    assertEquals(served, documented);
    JsonNode doc = document();
    doc.path("paths").findValuesAsText("$ref").forEach(ref -> assertTrue(
        !doc.at("/components/schemas/" + ref.substring(ref.lastIndexOf('/') + 1)).isMissingNode(), ref));
  }

  @Test
  void theDocumentAndTheExplorerAreServedWithoutAToken() throws IOException {
    InProcessTwlab http = servers.start(history -> { });
    HttpResponse<String> openApi = http.get("/api/v1/openapi.json");
    assertEquals(200, openApi.statusCode(), openApi.body());
    assertEquals(document(), JSON.readTree(openApi.body()));
    HttpResponse<String> explorer = http.get("/explorer");
    assertEquals(200, explorer.statusCode());
    for (String asset : List.of("/webjars/swagger-ui/5.35.0/swagger-ui-bundle.js", "/webjars/swagger-ui/5.35.0/swagger-ui.css",
        "/explorer/explorer.js")) {
      assertTrue(explorer.body().contains(asset), asset);
      assertEquals(200, http.get(asset).statusCode(), asset);
    }
    assertTrue(http.get("/explorer/explorer.js").body().contains("/api/v1/openapi.json"));
  }
}
