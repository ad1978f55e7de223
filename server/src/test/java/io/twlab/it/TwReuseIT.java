package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ScenarioResult;
import io.twlab.proto.v1.V1.TwReuseCell;
import java.time.Duration;
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

    // 200 connections per cell on 100 ports (the default is 300) keep the 21 cells, 15 of them paced,
    // near a minute and a half, and every cell still needs a port twice over.
    ScenarioResult result = twlab.run(lab, "tw-reuse", Map.of("connections", "200"), Duration.ofMinutes(4));
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
      assertEquals(200, cell.getAttempted(), name);
      if (reuses(cell)) {
        assertEquals(200, cell.getSucceeded(), name);
        assertTrue(cell.getTwRecycled() >= 100, name);
      } else {
        assertEquals(100, cell.getSucceeded(), "no reuse: one connection per port: " + name);
        assertEquals(0, cell.getTwRecycled(), name);
      }
    }
  }

  /**
   * Reuse needs tcp_tw_reuse for the path (1: any, 2: loopback only), timestamps, and a TIME_WAIT
   * older than tcp_tw_reuse_delay: a fast loop of 200 is done within 1 s, a paced one (60/s) is not.
   */
  private static boolean reuses(TwReuseCell c) {
    boolean allowed = c.getTwReuse() == 1 || (c.getTwReuse() == 2 && c.getPath().equals("loopback"));
    boolean oldEnough = c.getReuseDelayMs() <= 10 || c.getPace().equals("paced");
    return allowed && c.getTimestamps() == 1 && oldEnough;
  }
}
