package io.twlab.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What one bounded connection loop did, as its generator reported it. */
public record LoadReport(
    String node,
    String generator,
    long attempted,
    long succeeded,
    long failed,
    double elapsedSeconds,
    Map<String, Long> errors,
    Map<String, String> errorMessages,
    long firstFailure,
    Latency connectMs,
    Map<String, Long> connectHistogram,
    Optional<Double> recoveredAfterSeconds,
    Map<String, Integer> socketsAtFirstFailure) {

  /** Connect-latency buckets, in order: under 1 ms, 10 ms, 100 ms, 1 s, 3 s, and 3 s or more. */
  public static final List<String> BUCKETS = List.of("lt1ms", "lt10ms", "lt100ms", "lt1s", "lt3s", "ge3s");
  private static final ObjectMapper JSON = new ObjectMapper();

  public LoadReport {
    errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    errorMessages = Collections.unmodifiableMap(new LinkedHashMap<>(errorMessages));
    connectHistogram = inBucketOrder(connectHistogram);
    socketsAtFirstFailure = Collections.unmodifiableMap(new LinkedHashMap<>(socketsAtFirstFailure));
  }

  /** Connect latency in milliseconds over the successful connections. */
  public record Latency(double min, double p50, double p90, double p99, double max) {
    public static final Latency NONE = new Latency(0, 0, 0, 0, 0);
  }

  public double connectionsPerSecond() {
    return elapsedSeconds > 0 ? attempted / elapsedSeconds : 0;
  }

  /** The histogram with every bucket, in {@link #BUCKETS} order. */
  public static Map<String, Long> inBucketOrder(Map<String, Long> histogram) {
    Map<String, Long> ordered = new LinkedHashMap<>();
    if (!histogram.isEmpty()) {
      BUCKETS.forEach(b -> ordered.put(b, histogram.getOrDefault(b, 0L)));
    }
    return Collections.unmodifiableMap(ordered);
  }

  public LoadReport generatedBy(String program) {
    return new LoadReport(node, program, attempted, succeeded, failed, elapsedSeconds, errors, errorMessages,
        firstFailure, connectMs, connectHistogram, recoveredAfterSeconds, socketsAtFirstFailure);
  }

  public long errors(String errno) {
    return errors.getOrDefault(errno, 0L);
  }

  /** Reads the {@code R {json}} report of {@code twlab-conn load}. */
  public static LoadReport parse(String node, String json) {
    try {
      JsonNode r = JSON.readTree(json);
      JsonNode ms = r.path("connect_ms");
      Latency latency = ms.isEmpty() ? Latency.NONE : new Latency(ms.path("min").asDouble(), ms.path("p50").asDouble(),
          ms.path("p90").asDouble(), ms.path("p99").asDouble(), ms.path("max").asDouble());
      return new LoadReport(node, "twlab-conn", r.path("attempted").asLong(), r.path("ok").asLong(),
          r.path("failed").asLong(), r.path("elapsed_s").asDouble(), longs(r.path("errors")), texts(r.path("messages")),
          r.path("first_failure").asLong(0), latency, longs(r.path("connect_histogram")),
          r.path("recovered_at_s").isNumber() ? Optional.of(r.path("recovered_at_s").asDouble()) : Optional.empty(),
          ints(r.path("sockets_at_first_failure")));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("unreadable twlab-conn report: " + json, e);
    }
  }

  private static Map<String, Long> longs(JsonNode object) {
    Map<String, Long> values = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asLong()));
    return values;
  }

  private static Map<String, Integer> ints(JsonNode object) {
    Map<String, Integer> values = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asInt()));
    return values;
  }

  private static Map<String, String> texts(JsonNode object) {
    Map<String, String> values = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
    return values;
  }
}
