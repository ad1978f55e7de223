package io.twlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BoundedTest {

  @Test
  void aQuotedValueIsCutAndItsControlCharactersEscaped() {
    assertEquals("'40000-40100'", Bounded.quote("40000-40100"));
    assertEquals("'a\\u000ab\\u0000'", Bounded.quote("a\nb\u0000"));
    String cut = Bounded.quote("x".repeat(10_000));
    assertEquals("'" + "x".repeat(Bounded.QUOTE) + "…'", cut);
    String chinese = Bounded.quote("时".repeat(1_000));
    assertTrue(chinese.getBytes(StandardCharsets.UTF_8).length <= Bounded.QUOTE + 8, chinese);
    assertEquals("nothing", Bounded.quote(null));
  }

  @Test
  void atMostTwentyViolationsAndALastOneCountingTheRest() {
    List<FieldViolation> all = IntStream.range(0, 300)
        .mapToObj(i -> new FieldViolation("nodes[client].sysctls[key" + i + "]", "unknown; " + "y".repeat(1_000)))
        .toList();
    List<FieldViolation> kept = Bounded.violations(all);
    assertTrue(kept.size() <= Bounded.VIOLATIONS + 1, kept.size() + " kept");
    FieldViolation more = kept.get(kept.size() - 1);
    assertEquals("(more)", more.field());
    assertTrue(more.reason().startsWith((300 - kept.size() + 1) + " more fields are invalid"), more.reason());
    int bytes = kept.stream().mapToInt(v -> (v.field() + v.reason()).getBytes(StandardCharsets.UTF_8).length).sum();
    assertTrue(bytes <= Bounded.VIOLATION_BYTES + 200, bytes + " bytes");
    assertEquals(List.of(new FieldViolation("a", "b")), Bounded.violations(List.of(new FieldViolation("a", "b"))));
  }
}
