package io.twlab.runtime.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import io.twlab.runtime.RuntimeFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's HTTP client that bounds every call the engine answers at once: one without a
 * response within the bound fails, naming the operation. Streams (an exec's or an attached
 * container's output, a wait for a container's exit) may stay silent as long as their program does,
 * so they are not bounded.
 *
 * <p>The engine's socket is a {@link java.nio.channels.SocketChannel}, whose streams ignore read
 * timeouts: a call is bounded by interrupting its thread, which closes the channel under the read.
 */
final class BoundedHttpClient implements DockerHttpClient {
  private static final Set<String> STREAMS = Set.of("POST /exec/{id}/start", "POST /containers/{id}/attach",
      "POST /containers/{id}/wait", "GET /containers/{id}/logs", "GET /events");
  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int TIMED_OUT = 2;

  private final DockerHttpClient client;
  private final Duration bound;
  private final ScheduledExecutorService alarms = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "twlab-engine-alarm");
    thread.setDaemon(true);
    return thread;
  });

  BoundedHttpClient(DockerHttpClient client, Duration bound) {
    this.client = client;
    this.bound = bound;
  }

  @Override
  public Response execute(Request request) {
    String operation = TimedHttpClient.operation(request.method(), request.path());
    if (STREAMS.contains(operation)) {
      return client.execute(request);
    }
    Thread caller = Thread.currentThread();
    AtomicInteger state = new AtomicInteger(RUNNING);
    ScheduledFuture<?> alarm = alarms.schedule(() -> {
      if (state.compareAndSet(RUNNING, TIMED_OUT)) {
        caller.interrupt();
      }
    }, bound.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return client.execute(request);
    } catch (RuntimeException e) {
      if (state.get() == TIMED_OUT) {
        throw unanswered("answer " + operation, bound, e);
      }
      throw e;
    } finally {
      alarm.cancel(false);
      if (!state.compareAndSet(RUNNING, DONE)) {
        // The interrupt was the alarm's, not the caller's: it must not outlive this call.
        Thread.interrupted();
      }
    }
  }

  /** The engine did not {@code what} (answer a call, start a command) within {@code bound}. */
  static RuntimeFailure unanswered(String what, Duration bound, Throwable cause) {
    return new RuntimeFailure("the Docker engine did not " + what + " within " + bound.toSeconds()
        + " s: check that dockerd runs and is not overloaded (`docker info`), then retry", cause);
  }

  @Override
  public void close() throws IOException {
    alarms.shutdownNow();
    client.close();
  }
}
