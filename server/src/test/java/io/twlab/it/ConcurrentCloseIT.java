package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.twlab.proto.v1.V1.ConnectionOutcome;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.NcTimeWaitResult;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * S1 many times at once, beside a 10 000-connection flood, on this 2-core machine: every run must
 * show the textbook close. Before the passive side paused before closing, about 1 close in 150
 * under load lost its TIME_WAIT (the lab's veth swapped the passive side's ACK and FIN), and a
 * correct grade failed. bench/run.sh teardown runs the big version and prints its failure rate.
 */
class ConcurrentCloseIT {
  private static final int LABS = 8;
  private static final int RUNS_PER_LAB = 13;
  private static final List<TcpState> ACTIVE_CLOSE = List.of(TcpState.TCP_STATE_CLOSED, TcpState.TCP_STATE_SYN_SENT,
      TcpState.TCP_STATE_ESTABLISHED, TcpState.TCP_STATE_FIN_WAIT1, TcpState.TCP_STATE_FIN_WAIT2,
      TcpState.TCP_STATE_TIME_WAIT);
  private static final List<TcpState> PASSIVE_CLOSE = List.of(TcpState.TCP_STATE_CLOSED, TcpState.TCP_STATE_SYN_RECV,
      TcpState.TCP_STATE_ESTABLISHED, TcpState.TCP_STATE_CLOSE_WAIT, TcpState.TCP_STATE_LAST_ACK,
      TcpState.TCP_STATE_CLOSED);

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void everyOneOfOverAHundredConcurrentClosesIsTheTextbookOneBesideAFlood() throws Exception {
    List<Lab> labs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(LABS + 1);
    try {
      List<Future<Lab>> made = new ArrayList<>();
      for (int i = 0; i <= LABS; i++) {
        made.add(pool.submit(() -> twlab.createLab(LabSpec.newBuilder().setTopology("direct").build())));
      }
      for (Future<Lab> lab : made) {
        labs.add(lab.get());
      }
      Lab floodLab = labs.remove(0);
      Future<Run> flood = pool.submit(() -> twlab.grpc().runScenario(RunScenarioRequest.newBuilder()
          .setLabId(floodLab.getId()).setScenario("redis-flood").putParams("connections", "10000").setWait(true).build()));
      List<Future<List<String>>> wrong = new ArrayList<>();
      for (Lab lab : labs) {
        wrong.add(pool.submit(() -> closes(lab)));
      }
      List<String> failures = new ArrayList<>();
      for (Future<List<String>> w : wrong) {
        failures.addAll(w.get());
      }
      assertEquals(RunState.RUN_STATE_SUCCEEDED, flood.get().getState(), flood.get().getError());
      assertEquals(List.of(), failures, (LABS * RUNS_PER_LAB) + " closes, these were not the textbook one");
    } finally {
      pool.shutdownNow();
    }
  }

  /** S1 {@link #RUNS_PER_LAB} times in one lab; what each run that was not the textbook close showed. */
  private static List<String> closes(Lab lab) {
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < RUNS_PER_LAB; i++) {
      Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
          .setScenario("nc-timewait").putParams("port", String.valueOf(5200 + i)).setWait(true).build());
      NcTimeWaitResult result = run.getResult().getNcTimeWait();
      boolean textbook = run.getState() == RunState.RUN_STATE_SUCCEEDED && result.getTimeWaitNode().equals("client")
          && states(result, "client").equals(ACTIVE_CLOSE) && states(result, "server").equals(PASSIVE_CLOSE);
      if (!textbook && !observationHadAHole(run)) {
        failures.add(run.getId() + " in " + lab.getId() + ": " + (run.getError().isEmpty()
            ? run.getResult().getSummary() + " " + result.getNodesList() : run.getError()));
      }
    }
    return failures;
  }

  /**
   * Whether the run's timeline says observation missed something (the kernel dropped traced changes
   * under the flood): such a run cannot be judged, which is not the same as a wrong close.
   */
  private static boolean observationHadAHole(Run run) {
    Iterator<LabEvent> timeline = twlab.grpc().watchLab(WatchLabRequest.newBuilder().setRunId(run.getId()).build());
    boolean hole = false;
    while (timeline.hasNext()) {
      LabEvent event = timeline.next();
      hole |= event.hasNotice();
    }
    return hole;
  }

  private static List<TcpState> states(NcTimeWaitResult result, String node) {
    return result.getNodesList().stream().filter(o -> o.getNode().equals(node)).findFirst()
        .map(ConnectionOutcome::getStatesList).orElse(List.of());
  }
}
