package io.twlab.scenario.builtin;

import io.twlab.scenario.ScenarioCatalog;
import java.util.List;

/** The scenarios twlab ships, in the order the articles tell the story. */
public final class BuiltInScenarios {
  private BuiltInScenarios() {}

  public static ScenarioCatalog catalog() {
    return new ScenarioCatalog(List.of(new NcTimeWait(), new RedisFlood(), new PortExhaustion(), new TwReuse(),
        new TwBuckets(), new LingerRst(), new CloseWaitLeak(), new ListenerRestart(), new NatCollision(),
        new LostFinalAck(), new FinTimeout()));
  }
}
