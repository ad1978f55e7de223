package io.twlab.scenario;

import io.twlab.core.TcpState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The typed figures of each scenario's result. */
public sealed interface ScenarioOutcome {

  /** The connection loads the run made, for the errors they met (none for scenarios without a load). */
  default List<LoadReport> loads() {
    return List.of();
  }

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

  /** TIME_WAIT and ESTABLISHED on a node, {@code atSeconds} after a load started. */
  record StateSample(double atSeconds, String node, int timeWait, int established) {}

  /** S2 redis-flood. */
  record RedisFlood(LoadReport load, Map<String, Integer> timeWaitPeak, List<StateSample> series)
      implements ScenarioOutcome {
    public RedisFlood {
      timeWaitPeak = Map.copyOf(timeWaitPeak);
      series = List.copyOf(series);
    }

    @Override
    public List<LoadReport> loads() {
      return List.of(load);
    }
  }

  /** S3 port-exhaustion. */
  record PortExhaustion(String portRange, int ports, LoadReport load, String firstError, String firstErrorMessage,
      int timeWaitAtFirstFailure, String ncMessage, String redisCliMessage, Optional<Double> recoveredAfterSeconds)
      implements ScenarioOutcome {
    @Override
    public List<LoadReport> loads() {
      return List.of(load);
    }
  }

  /** One cell of the S4 matrix: its sysctls, its client node and the load it ran. */
  record TwReuseCell(int twReuse, int timestamps, int reuseDelayMs, String pace, String path, LoadReport load,
      long twRecycled, String node) {}

  /** S4 tw-reuse. */
  record TwReuse(int ports, int connectionsPerCell, List<TwReuseCell> cells) implements ScenarioOutcome {
    public TwReuse {
      cells = List.copyOf(cells);
    }

    @Override
    public List<LoadReport> loads() {
      return cells.stream().map(TwReuseCell::load).toList();
    }
  }

  /** S5 tw-buckets. */
  record TwBuckets(int maxTwBuckets, LoadReport load, int timeWaitPeak, long timeWaitOverflow)
      implements ScenarioOutcome {
    @Override
    public List<LoadReport> loads() {
      return List.of(load);
    }
  }

  /** A packet seen by tcpdump on the capturing node. */
  record Packet(double atSeconds, boolean outgoing, String flags, String line) {}

  /** One close of S6. */
  record LingerCase(String close, boolean finSent, boolean rstSent, boolean timeWaitSeen, String peerEnd,
      String peerMessage, List<Packet> packets) {
    public LingerCase {
      packets = List.copyOf(packets);
    }
  }

  /** S6 linger-rst. */
  record LingerRst(List<LingerCase> cases) implements ScenarioOutcome {
    public LingerRst {
      cases = List.copyOf(cases);
    }
  }

  /** S7 close-wait-leak. */
  record CloseWaitLeak(int connections, int closeWaitOnServer, int finWait2OnClients, String clientClose,
      int finTimeoutSeconds, Optional<Double> finWait2Seconds, int closeWaitAtEnd, int nofile,
      Map<String, Long> acceptErrors, String acceptErrorMessage, int listenQueue) implements ScenarioOutcome {
    public CloseWaitLeak {
      acceptErrors = Map.copyOf(acceptErrors);
    }
  }

  /** One bind attempt of S8. */
  record BindAttempt(boolean oldReuseAddr, int timeWaitOnPort, String program, boolean reuseAddr, boolean bound,
      String error) {}

  /** S8 listener-restart. */
  record ListenerRestart(int port, List<BindAttempt> attempts) implements ScenarioOutcome {
    public ListenerRestart {
      attempts = List.copyOf(attempts);
    }
  }

  /** One timestamps setting of S9. */
  record NatCase(boolean timestamps, List<LoadReport> loads, long pawsTimewait, long insertFailed, long timeouts,
      Map<String, Long> connectHistogram) {
    public NatCase {
      loads = List.copyOf(loads);
    }
  }

  /** S9 nat-collision. */
  record NatCollision(String snatPorts, List<NatCase> cases, String explanation) implements ScenarioOutcome {
    public NatCollision {
      cases = List.copyOf(cases);
    }

    @Override
    public List<LoadReport> loads() {
      return cases.stream().flatMap(c -> c.loads().stream()).toList();
    }
  }

  /** One client setting of S10. */
  record LostAckCase(int clientMaxTwBuckets, double lastAckSeconds, List<Double> finRetransmits, int clientAcks,
      boolean clientRst, boolean clientTimeWait, double clientTimerAtEnd, double timerWithoutRestart,
      List<Packet> packets) {
    public LostAckCase {
      finRetransmits = List.copyOf(finRetransmits);
      packets = List.copyOf(packets);
    }
  }

  /** S10 lost-final-ack. */
  record LostFinalAck(List<LostAckCase> cases) implements ScenarioOutcome {
    public LostFinalAck {
      cases = List.copyOf(cases);
    }
  }

  /** S11 fin-timeout. */
  record FinTimeout(int finTimeoutSeconds, double finWait2Seconds, double timeWaitTimerAtEntry,
      Optional<Double> timeWaitSeconds) implements ScenarioOutcome {}
}
