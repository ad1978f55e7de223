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
    int newline;
    while ((newline = partial.indexOf("\n")) >= 0) {
      String line = partial.substring(0, newline);
      partial.delete(0, newline + 1);
      lines.accept(line);
    }
  }
}
