package io.twlab.testing;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Duration;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that every figure a run's summary states is one of the result's own: a field, a map or
 * counter value, a list's length, a sum of one field over a list (e.g. connected over a case's clients), a number
 * inside a string field (a port range), or a parameter. A summary that computes or types a number
 * of its own fails, with the number named.
 */
public final class SummaryFigures {
  // A number standing alone: not part of a name (FIN_WAIT2, nat-ts1-c1, lt1ms) or an address.
  private static final Pattern FIGURE = Pattern.compile("(?<![\\w.:-])(\\d+(?:\\.\\d+)?)(?![\\w:]|\\.\\d|-\\w)");
  private static final Pattern ANY_NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
  /** Figures the prose states as facts of TCP or Linux, not of the run. */
  private static final Set<String> PROSE_CONSTANTS = Set.of("2", "60", "4.12");

  private SummaryFigures() {
  }

  /** The figures of {@code summary} that {@code result} and {@code params} do not hold; empty when all are. */
  public static List<String> unfounded(String summary, Message result, Map<String, String> params) {
    List<BigDecimal> facts = new ArrayList<>();
    collect(result, facts);
    params.values().forEach(v -> numbersIn(v, facts));
    List<String> unfounded = new ArrayList<>();
    Matcher m = FIGURE.matcher(summary);
    while (m.find()) {
      String figure = m.group(1);
      if (!PROSE_CONSTANTS.contains(figure) && facts.stream().noneMatch(f -> states(figure, f))) {
        unfounded.add(figure + " (at \"" + context(summary, m.start()) + "\")");
      }
    }
    return unfounded;
  }

  /** {@code figure} as written with its decimals is {@code fact} rounded the same way. */
  private static boolean states(String figure, BigDecimal fact) {
    BigDecimal stated = new BigDecimal(figure);
    return fact.setScale(stated.scale(), RoundingMode.HALF_UP).compareTo(stated) == 0
        || fact.setScale(stated.scale(), RoundingMode.HALF_EVEN).compareTo(stated) == 0;
  }

  private static void collect(Message message, List<BigDecimal> facts) {
    if (message instanceof Duration d) {
      facts.add(BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNanos(), 9)));
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (field.isMapField()) {
        List<Object> values = new ArrayList<>();
        for (Object entry : (Collection<?>) e.getValue()) {
          values.add(entry instanceof MapEntry<?, ?> me ? me.getValue() : ((Message) entry).getField(
              field.getMessageType().findFieldByName("value")));
        }
        values.forEach(v -> add(v, facts));
        facts.add(values.stream().filter(Number.class::isInstance).map(v -> decimal((Number) v))
            .reduce(BigDecimal.ZERO, BigDecimal::add));
      } else if (field.isRepeated()) {
        Collection<?> elements = (Collection<?>) e.getValue();
        facts.add(BigDecimal.valueOf(elements.size()));
        elements.forEach(v -> add(v, facts));
        Map<String, BigDecimal> sums = new LinkedHashMap<>();
        for (Object element : elements) {
          if (element instanceof Number n) {
            sums.merge("", decimal(n), BigDecimal::add);
          } else if (element instanceof Message m && !(m instanceof Duration)) {
            leaves(m, "", sums);
          }
        }
        facts.addAll(sums.values());
      } else {
        add(e.getValue(), facts);
      }
    }
  }

  /** Sums, into {@code sums}, the numeric fields of {@code message} reached through single fields. */
  private static void leaves(Message message, String path, Map<String, BigDecimal> sums) {
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (field.isRepeated()) {
        continue;
      }
      if (field.getJavaType() == JavaType.MESSAGE) {
        leaves((Message) e.getValue(), path + field.getName() + ".", sums);
      } else if (e.getValue() instanceof Number n) {
        sums.merge(path + field.getName(), decimal(n), BigDecimal::add);
      }
    }
  }

  private static void add(Object value, List<BigDecimal> facts) {
    if (value instanceof Number n) {
      facts.add(decimal(n));
    } else if (value instanceof String s) {
      numbersIn(s, facts);
    } else if (value instanceof Message m) {
      collect(m, facts);
    }
  }

  private static void numbersIn(String text, List<BigDecimal> facts) {
    Matcher m = ANY_NUMBER.matcher(text);
    while (m.find()) {
      facts.add(new BigDecimal(m.group()));
    }
  }

  private static BigDecimal decimal(Number n) {
    return n instanceof Double || n instanceof Float ? BigDecimal.valueOf(n.doubleValue()) : BigDecimal.valueOf(n.longValue());
  }

  private static String context(String summary, int at) {
    return summary.substring(Math.max(0, at - 40), Math.min(summary.length(), at + 20));
  }
}
