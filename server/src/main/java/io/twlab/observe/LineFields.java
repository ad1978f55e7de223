package io.twlab.observe;

/**
 * A line's fields, separated by single spaces, read one after the other where they are: no array
 * and no substring but for the fields read as text.
 */
final class LineFields {
  private final String line;
  private final int start;
  private final int end;
  private int at;

  LineFields(String line) {
    int from = 0;
    int to = line.length();
    while (from < to && line.charAt(from) <= ' ') {
      from++;
    }
    while (to > from && line.charAt(to - 1) <= ' ') {
      to--;
    }
    this.line = line;
    this.start = from;
    this.at = from;
    this.end = to;
  }

  /** How many fields the line has, all told. */
  int count() {
    if (start == end) {
      return 0;
    }
    int fields = 1;
    for (int space = line.indexOf(' ', start); space >= 0 && space < end; space = line.indexOf(' ', space + 1)) {
      fields++;
    }
    return fields;
  }

  /** Whether the next field is {@code word}; moves past it if so. */
  boolean is(String word) {
    int e = fieldEnd();
    if (e - at != word.length() || !line.startsWith(word, at)) {
      return false;
    }
    next(e);
    return true;
  }

  long unsigned(int radix) {
    int e = fieldEnd();
    long value = Long.parseUnsignedLong(line, at, e, radix);
    next(e);
    return value;
  }

  long signed() {
    int e = fieldEnd();
    long value = Long.parseLong(line, at, e, 10);
    next(e);
    return value;
  }

  int integer() {
    int e = fieldEnd();
    int value = Integer.parseInt(line, at, e, 10);
    next(e);
    return value;
  }

  /** The next field as it is; an empty one is refused. */
  String text() {
    int e = fieldEnd();
    if (e == at) {
      throw new IllegalArgumentException("an empty field at " + at);
    }
    String value = line.substring(at, e);
    next(e);
    return value;
  }

  private int fieldEnd() {
    int e = line.indexOf(' ', at);
    return e < 0 || e > end ? end : e;
  }

  private void next(int fieldEnd) {
    at = Math.min(end, fieldEnd + 1);
  }
}
