package io.twlab.runtime.docker;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Docker's exec output frames are not aligned to lines: this joins them and emits whole lines. */
final class LineSplitter {
  private final Consumer<String> lines;
  private final StringBuilder partial = new StringBuilder();

  LineSplitter(Consumer<String> lines) {
    this.lines = lines;
  }

  void accept(byte[] payload) {
    partial.append(new String(payload, StandardCharsets.UTF_8));
    // A frame holds hundreds of a flood's lines: what was emitted is cut off once, not per line.
    int start = 0;
    int newline;
    while ((newline = partial.indexOf("\n", start)) >= 0) {
      lines.accept(partial.substring(start, newline));
      start = newline + 1;
    }
    partial.delete(0, start);
  }
}
