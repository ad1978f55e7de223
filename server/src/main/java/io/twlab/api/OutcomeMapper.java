package io.twlab.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.scenario.ScenarioOutcome;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a scenario's outcome record onto its result message by name, so that adding a scenario
 * needs no mapping code: the outcome nested in {@code FooBar} fills the {@code detail} field of
 * type {@code FooBarResult}, and every field of a message takes the source's public no-argument
 * method of the same name, case and underscores aside ({@code fin_wait2_on_clients} from {@code
 * finWait2OnClients()}). Nested records fill nested messages; lists, maps and enums (by constant
 * name) map element by element; an empty Optional leaves its field unset; a {@link Duration} fills
 * {@code google.protobuf.Duration}. A field with no source is a programming error, caught by the
 * mapper's test over every built-in scenario.
 */
final class OutcomeMapper {
  private static final String DURATION = "google.protobuf.Duration";

  private OutcomeMapper() {}

  static void fill(ScenarioResult.Builder result, ScenarioOutcome outcome) {
    FieldDescriptor field = detailField(outcome.getClass());
    Message.Builder detail = result.newBuilderForField(field);
    fillMessage(detail, outcome);
    result.setField(field, detail.build());
  }

  /** The {@code detail} field that takes outcomes of this type. */
  static FieldDescriptor detailField(Class<?> outcomeType) {
    Class<?> scenario = outcomeType.getEnclosingClass() != null ? outcomeType.getEnclosingClass() : outcomeType;
    String messageName = scenario.getSimpleName() + "Result";
    return ScenarioResult.getDescriptor().getOneofs().stream()
        .filter(o -> o.getName().equals("detail")).flatMap(o -> o.getFields().stream())
        .filter(f -> f.getMessageType().getName().equals(messageName)).findFirst()
        .orElseThrow(() -> new IllegalStateException("twlab.v1.ScenarioResult.detail has no field of type "
            + messageName + " for " + outcomeType.getName() + "; add one to lab_service.proto"));
  }

  /** The public no-argument method of {@code type} that gives {@code field}'s value. */
  static Method source(Class<?> type, FieldDescriptor field) {
    String wanted = normal(field.getName());
    for (Method m : type.getMethods()) {
      if (m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()) && normal(m.getName()).equals(wanted)
          && m.getDeclaringClass() != Object.class) {
        return m;
      }
    }
    throw new IllegalStateException(type.getName() + " has no method for " + field.getFullName()
        + "; add a component or a method named " + field.getJsonName() + "()");
  }

  private static void fillMessage(Message.Builder target, Object source) {
    Descriptor type = target.getDescriptorForType();
    for (FieldDescriptor field : type.getFields()) {
      Object value = read(source(source.getClass(), field), source);
      if (value instanceof Optional<?> optional) {
        if (optional.isEmpty()) {
          continue;
        }
        value = optional.get();
      }
      if (field.isMapField()) {
        putAll(target, field, (Map<?, ?>) value);
      } else if (field.isRepeated()) {
        for (Object element : (Collection<?>) value) {
          target.addRepeatedField(field, convert(target, field, element));
        }
      } else {
        target.setField(field, convert(target, field, value));
      }
    }
  }

  private static void putAll(Message.Builder target, FieldDescriptor field, Map<?, ?> map) {
    FieldDescriptor key = field.getMessageType().findFieldByName("key");
    FieldDescriptor value = field.getMessageType().findFieldByName("value");
    map.forEach((k, v) -> {
      Message.Builder entry = target.newBuilderForField(field);
      entry.setField(key, convert(entry, key, k));
      entry.setField(value, convert(entry, value, v));
      target.addRepeatedField(field, entry.build());
    });
  }

  private static Object convert(Message.Builder parent, FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case INT -> ((Number) value).intValue();
      case LONG -> ((Number) value).longValue();
      case DOUBLE -> ((Number) value).doubleValue();
      case FLOAT -> ((Number) value).floatValue();
      case BOOLEAN -> (Boolean) value;
      case STRING -> (String) value;
      case ENUM -> enumValue(field.getEnumType(), (Enum<?>) value);
      case MESSAGE -> field.getMessageType().getFullName().equals(DURATION) ? duration((Duration) value)
          : nested(parent.newBuilderForField(field), value);
      case BYTE_STRING -> throw new IllegalStateException(field.getFullName() + ": bytes are not mapped");
    };
  }

  private static Message nested(Message.Builder builder, Object value) {
    fillMessage(builder, value);
    return builder.build();
  }

  /** {@code TcpState.TIME_WAIT} is {@code TCP_STATE_TIME_WAIT}: proto constants carry their type's prefix. */
  private static Object enumValue(EnumDescriptor type, Enum<?> value) {
    String prefix = type.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
    return Optional.ofNullable(type.findValueByName(prefix + value.name()))
        .orElseThrow(() -> new IllegalStateException(type.getFullName() + " has no " + prefix + value.name()));
  }

  private static Message duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

  private static Object read(Method method, Object source) {
    try {
      return method.invoke(source);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + method + " of " + source.getClass().getName(), e);
    }
  }

  private static String normal(String name) {
    return name.replace("_", "").toLowerCase(Locale.ROOT);
  }
}
