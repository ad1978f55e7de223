package io.twlab.store;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.twlab.event.EventPayload;
import io.twlab.grading.Expectation;
import io.twlab.scenario.ScenarioOutcome;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of the domain's records in the history database. The domain carries no
 * annotations: the sealed types get a {@code type} property here, named after each record.
 */
final class StoreJson {
  private static final List<Class<?>> SEALED = List.of(EventPayload.class, Expectation.class);

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  private interface Typed {}

  private final ObjectMapper mapper = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .registerModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      // Records of a newer server may carry fields this one does not know.
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * {@code outcomeTypes}: the outcome record of every scenario whose results are stored, each
   * named by its scenario's class ({@code LingerRst}), as records were named before they moved
   * into their scenarios.
   */
  StoreJson(List<Class<? extends ScenarioOutcome>> outcomeTypes) {
    // Records of an older server lack the maps and lists added since: they read as empty.
    for (Class<?> container : List.of(Map.class, List.class)) {
      mapper.configOverride(container).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY));
    }
    for (Class<?> sealed : SEALED) {
      mapper.addMixIn(sealed, Typed.class);
      mapper.registerSubtypes(Arrays.stream(sealed.getPermittedSubclasses())
          .map(c -> new NamedType(c, c.getSimpleName())).toArray(NamedType[]::new));
    }
    mapper.addMixIn(ScenarioOutcome.class, Typed.class);
    outcomeTypes.forEach(type -> mapper.registerSubtypes(new NamedType(type,
        (type.getEnclosingClass() != null ? type.getEnclosingClass() : type).getSimpleName())));
  }

  String write(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  <T> T read(String json, Class<T> type) {
    return read(json, mapper.constructType(type));
  }

  <T> T read(String json, JavaType type) {
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An event's payload stored at {@code at}. Timelines written before transitions carried a
   * {@code SocketChange} hold its fields flat, without time or socket: they read as the new form.
   */
  EventPayload readPayload(String json, Instant at) {
    try {
      JsonNode tree = mapper.readTree(json);
      if (tree instanceof ObjectNode flat && "ConnectionTransition".equals(flat.path("type").asText())
          && !flat.has("change")) {
        ObjectNode change = flat.deepCopy();
        change.remove("type");
        change.put("time", at.toString());
        change.putObject("socket").put("local", flat.path("local").asText()).put("remote", flat.path("remote").asText());
        change.remove(List.of("local", "remote"));
        flat.removeAll().put("type", "ConnectionTransition").set("change", change);
      }
      return mapper.treeToValue(tree, EventPayload.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  JavaType listOf(Class<?> element) {
    return mapper.getTypeFactory().constructCollectionType(List.class, element);
  }

  JavaType sysctlsType() {
    var factory = mapper.getTypeFactory();
    return factory.constructMapType(Map.class, factory.constructType(String.class),
        factory.constructMapType(Map.class, String.class, String.class));
  }
}
