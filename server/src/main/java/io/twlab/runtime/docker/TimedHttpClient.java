package io.twlab.runtime.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import io.twlab.runtime.EngineCall;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The engine's HTTP client, timing each call until its response's headers came (for a streamed
 * call, until it started), per operation: the method and the path with its ids left out.
 */
final class TimedHttpClient implements DockerHttpClient {
  private static final Pattern VERSION = Pattern.compile("^/v\\d+\\.\\d+");
  private static final Set<String> WORDS = Set.of("containers", "exec", "networks", "images", "create", "start", "json",
      "kill", "wait", "attach", "resize", "archive", "connect", "disconnect", "prune", "_ping", "version", "info",
      "events", "logs", "top", "stats", "stop", "restart", "pause", "unpause", "volumes", "system", "df");

  private final DockerHttpClient client;
  private final Map<String, Totals> calls = new ConcurrentHashMap<>();

  private record Totals(LongAdder count, LongAdder nanos) {}

  TimedHttpClient(DockerHttpClient client) {
    this.client = client;
  }

  @Override
  public Response execute(Request request) {
    long started = System.nanoTime();
    try {
      return client.execute(request);
    } finally {
      Totals totals = calls.computeIfAbsent(operation(request.method(), request.path()),
          k -> new Totals(new LongAdder(), new LongAdder()));
      totals.count().increment();
      totals.nanos().add(System.nanoTime() - started);
    }
  }

  List<EngineCall> calls() {
    return calls.entrySet().stream()
        .map(e -> new EngineCall(e.getKey(), e.getValue().count().sum(), e.getValue().nanos().sum()))
        .sorted(Comparator.comparing(EngineCall::operation)).toList();
  }

  /** {@code POST /v1.41/containers/3f2a…/start?x=y} is {@code POST /containers/{id}/start}. */
  static String operation(String method, String path) {
    String bare = VERSION.matcher(path.replaceFirst("\\?.*", "")).replaceFirst("");
    StringBuilder operation = new StringBuilder(method).append(' ');
    for (String segment : bare.split("/")) {
      if (!segment.isEmpty()) {
        operation.append('/').append(WORDS.contains(segment) ? segment : "{id}");
      }
    }
    return operation.toString();
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
