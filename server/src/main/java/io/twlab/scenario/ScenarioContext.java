package io.twlab.scenario;

import io.twlab.lab.Lab;
import io.twlab.runtime.LabRuntime.ExecResult;
import java.time.Duration;
import java.util.List;

/** What a running scenario may do in its lab. */
public interface ScenarioContext {

  Lab lab();

  /** Runs a command on a node to completion, bounded by {@code timeout}. */
  ExecResult exec(String node, List<String> command, Duration timeout);

  /** Starts a long-running command on a node; the scenario must stop it before it returns. */
  void start(String node, List<String> command);

  /** Every socket change observed in the lab since this run started. */
  SocketRecorder sockets();

  void progress(String phase, String message);
}
