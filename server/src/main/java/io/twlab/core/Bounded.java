package io.twlab.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Input quoted back to its sender, bounded: an error answer stays small whatever the request held
 * (a value reused by a thousand YAML aliases, a line of control characters), fits gRPC's header
 * limit, and is safe in a log line or an XML report.
 */
public final class Bounded {
  /** Violations listed in one answer; the rest are counted. */
  public static final int VIOLATIONS = 20;
  /** Bytes (UTF-8) of a quoted value, a field's name, a reason, and of all violations together. */
  public static final int QUOTE = 60;
  public static final int FIELD = 120;
  public static final int REASON = 300;
  public static final int VIOLATION_BYTES = 3000;

  private Bounded() {}

  /** {@code 'value'}, cut to {@link #QUOTE} characters, control characters escaped. */
  public static String quote(String value) {
    return value == null ? "nothing" : "'" + text(value, QUOTE) + "'";
  }

  /**
   * {@code text} cut to {@code max} bytes of UTF-8 (marked with …), each control character written
   * as a \\u escape.
   */
  public static String text(String text, int max) {
    StringBuilder out = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
      int point = text.codePointAt(i);
      String piece = Character.isISOControl(point) ? String.format("\\u%04x", point) : Character.toString(point);
      bytes += piece.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > max) {
        return out.append('…').toString();
      }
      out.append(piece);
    }
    return out.toString();
  }

  /**
   * At most {@link #VIOLATIONS}, each cut to its bounds; when some were left out, a last one says
   * how many.
   */
  public static List<FieldViolation> violations(List<FieldViolation> all) {
    List<FieldViolation> kept = new ArrayList<>();
    int bytes = 0;
    for (FieldViolation v : all) {
      FieldViolation cut = new FieldViolation(text(v.field(), FIELD), text(v.reason(), REASON));
      bytes += (cut.field() + cut.reason()).getBytes(StandardCharsets.UTF_8).length;
      if (kept.size() == VIOLATIONS || bytes > VIOLATION_BYTES) {
        break;
      }
      kept.add(cut);
    }
    if (kept.size() < all.size()) {
      kept.add(new FieldViolation("(more)", (all.size() - kept.size()) + " more fields are invalid; mend the ones "
          + "above and send it again to see them"));
    }
    return kept;
  }
}
