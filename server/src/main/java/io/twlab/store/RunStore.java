package io.twlab.store;

import io.twlab.core.Caller;
import io.twlab.event.LabEvent;
import io.twlab.grading.Verdict;
import io.twlab.scenario.Run;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The history of runs: each from the moment it is accepted, then what it did, what it showed over
 * time, how it was graded.
 */
public interface RunStore extends AutoCloseable {

  /** Records a run the server has just accepted (RUNNING), so that its id is known even if the server dies. */
  void accepted(Run run, Map<String, Map<String, String>> sysctls);

  /**
   * Marks every run still RUNNING as INTERRUPTED: a server starting on this history finds the runs
   * an earlier one was in when it stopped. Returns them.
   */
  List<Run> interruptUnfinished(String why, Instant now);

  /** Records a finished run with its lab's sysctls and its events (run_finished last). */
  void save(Run run, Map<String, Map<String, String>> sysctls, List<LabEvent> timeline);

  /** Attaches an experiment's verdicts to a recorded run. */
  void grade(String runId, String experiment, List<Verdict> verdicts);

  Optional<RecordedRun> find(String runId);

  /** The runs {@code caller} sees, newest first. */
  List<RecordedRun> list(Caller caller, RunQuery query);

  /** Keeps a recorded run's packets on one node (a pcap file). */
  void saveCapture(String runId, String node, byte[] pcap);

  /** The pcap a run kept of one node, if it kept one. */
  Optional<byte[]> capture(String runId, String node);

  /** The nodes whose packets a run kept. */
  List<String> capturedNodes(String runId);

  /** The run's events in order; empty when the run is not recorded. */
  List<LabEvent> timeline(String runId);

  @Override
  void close();
}
