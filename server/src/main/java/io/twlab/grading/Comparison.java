package io.twlab.grading;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How an observed number is judged: {@code >= 8000}, or {@code 60 ± 2} (within the tolerance). */
public record Comparison(Op op, double value, double tolerance) {

  public enum Op {
    LESS("<"), AT_MOST("<="), EQUAL("=="), AT_LEAST(">="), MORE(">"), ABOUT("±");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public static Optional<Op> of(String symbol) {
      return Arrays.stream(values()).filter(o -> o.symbol.equals(symbol.trim())).findFirst();
    }

    static String symbols() {
      return String.join(" ", Arrays.stream(values()).map(Op::symbol).toList());
    }
  }

  public boolean holds(double observed) {
    return switch (op) {
      case LESS -> observed < value;
      case AT_MOST -> observed <= value;
      case EQUAL -> observed == value;
      case AT_LEAST -> observed >= value;
      case MORE -> observed > value;
      case ABOUT -> Math.abs(observed - value) <= tolerance;
    };
  }

  public String describe() {
    return op == Op.ABOUT ? number(value) + " ± " + number(tolerance) : op.symbol() + " " + number(value);
  }

  static String number(double n) {
    return n == Math.rint(n) ? String.valueOf((long) n) : String.format(Locale.ROOT, "%.3f", n).replaceAll("0+$", "");
  }
}
