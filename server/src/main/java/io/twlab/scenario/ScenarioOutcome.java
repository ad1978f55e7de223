package io.twlab.scenario;

import io.twlab.observe.TcpState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The typed figures of each scenario's result. */
public sealed interface ScenarioOutcome {

  /** One side of a connection and the states it went through. */
  record ConnectionOutcome(String node, String connection, List<TcpState> states, boolean timeWaitSeen) {
    public ConnectionOutcome {
      states = List.copyOf(states);
    }
  }

  /** S1 nc-timewait. */
  record NcTimeWait(
      String closer,
      String clientConnection,
      List<ConnectionOutcome> nodes,
      Optional<String> timeWaitNode,
      Optional<Duration> timeWaitTimerAtEntry,
      Optional<Duration> timeWaitLifetime) implements ScenarioOutcome {
    public NcTimeWait {
      nodes = List.copyOf(nodes);
    }
  }
}
