package io.twlab.cli;

import io.twlab.proto.v1.V1.Ladder;
import io.twlab.proto.v1.V1.Rung;
import io.twlab.proto.v1.V1.TcpState;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A connection's ladder as the seeds draw the four-way close: end a on the left, end b on the
 * right, each packet an arrow between them, and each end's new state beside the packet it went
 * with.
 */
final class LadderDiagram {
  private static final int STATE = 16;
  private static final int ARROW = 40;

  private LadderDiagram() {}

  static void print(PrintWriter out, Ladder ladder) {
    out.printf("%s  <->  %s   (as %s captured it)%n", ladder.getA(), ladder.getB(), ladder.getNode());
    out.printf("%9s  %-" + STATE + "s %-" + ARROW + "s %s%n", "seconds", "a", "", "b");
    for (Rung rung : ladder.getRungsList()) {
      out.printf(Locale.ROOT, "%9.6f  %-" + STATE + "s %s %s%n", rung.getAtSeconds(), states(rung.getAEnteredList()),
          arrow(rung), states(rung.getBEnteredList()));
    }
    out.flush();
  }

  /** "----- F. seq 1 ack 1 ----->" from a to b, "<---- ... -----" back. */
  static String arrow(Rung rung) {
    String label = " " + rung.getFlags() + " seq " + rung.getSeq() + (rung.getFlags().contains(".") ? " ack "
        + rung.getAck() : "") + (rung.getLength() > 0 ? " len " + rung.getLength() : "") + " ";
    int dashes = Math.max(2, ARROW - label.length() - 1);
    String left = "-".repeat(dashes / 2);
    String right = "-".repeat(dashes - dashes / 2);
    return rung.getFromA() ? left + label + right + ">" : "<" + left + label + right;
  }

  private static String states(List<TcpState> states) {
    return states.stream().map(s -> s.name().replace("TCP_STATE_", "")).collect(Collectors.joining(","));
  }
}
