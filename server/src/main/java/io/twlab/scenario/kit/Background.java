package io.twlab.scenario.kit;

import io.twlab.scenario.ScenarioFailure;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for work a scenario runs beside its main thread (clients in parallel, a held connection). */
public final class Background {
  private Background() {}

  /** The task's result; its failure is rethrown as it was thrown. */
  public static <T> T await(Future<T> task) throws InterruptedException {
    try {
      return task.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new ScenarioFailure(e.getCause().toString());
    }
  }
}
