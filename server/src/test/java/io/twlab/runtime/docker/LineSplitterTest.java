package io.twlab.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
  @Test
  void framesCutAnywhereGiveTheWholeLinesInOrder() {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    for (String frame : List.of("T 1 a", "\nT 2 b\nT 3", " c\n\nH 4 ", "0\n", "W 5")) {
      splitter.accept(frame.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(List.of("T 1 a", "T 2 b", "T 3 c", "", "H 4 0"), lines);
    splitter.accept("\n".getBytes(StandardCharsets.UTF_8));
    assertEquals("W 5", lines.get(lines.size() - 1));
  }
}
