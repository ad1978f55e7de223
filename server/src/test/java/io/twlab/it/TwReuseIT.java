package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.V1.TwReuseCell;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** S4 (docs/kernel-facts.md §3): the whole default tcp_tw_reuse matrix, 100 ports and 300 connections per cell. */
class TwReuseIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void timeWaitPortsAreReusedOnlyWithReuseTimestampsAndAnOldEnoughTimeWait() {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());

    ScenarioResult result = twlab.run(lab, "tw-reuse", Map.of());
    // Per path: 4 cells where reuse is allowed (2 delays x 2 paces) for each allowing reuse value, and
    // one control per (reuse, timestamps) pair that does not allow it.
    assertEquals(21, result.getTwReuse().getCellsCount(), result.getSummary());
    for (String path : List.of("cross-host", "loopback")) {
      for (int reuse : List.of(0, 1, 2)) {
        for (int timestamps : List.of(0, 1)) {
          assertTrue(result.getTwReuse().getCellsList().stream().anyMatch(c -> c.getPath().equals(path)
              && c.getTwReuse() == reuse && c.getTimestamps() == timestamps), path + " reuse=" + reuse + " ts=" + timestamps);
        }
      }
    }
    for (TwReuseCell cell : result.getTwReuse().getCellsList()) {
      String name = cell.toString().replace('\n', ' ');
      assertEquals(300, cell.getAttempted(), name);
      if (reuses(cell)) {
        assertEquals(300, cell.getSucceeded(), name);
        assertTrue(cell.getTwRecycled() >= 200, name);
      } else {
        assertEquals(100, cell.getSucceeded(), "no reuse: one connection per port: " + name);
        assertEquals(0, cell.getTwRecycled(), name);
      }
    }
  }

  /**
   * Reuse needs tcp_tw_reuse for the path (1: any, 2: loopback only), timestamps, and a TIME_WAIT
   * older than tcp_tw_reuse_delay: a fast loop of 300 is done within 1 s, a paced one (60/s) is not.
   */
  private static boolean reuses(TwReuseCell c) {
    boolean allowed = c.getTwReuse() == 1 || (c.getTwReuse() == 2 && c.getPath().equals("loopback"));
    boolean oldEnough = c.getReuseDelayMs() <= 10 || c.getPace().equals("paced");
    return allowed && c.getTimestamps() == 1 && oldEnough;
  }
}
