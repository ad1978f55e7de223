package io.twlab.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient.Request;
import com.github.dockerjava.transport.DockerHttpClient.Response;
import io.twlab.runtime.RuntimeFailure;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedHttpClientTest {
  private static final Response ANSWER = new Response() {
    @Override
    public int getStatusCode() {
      return 200;
    }

    @Override
    public Map<String, List<String>> getHeaders() {
      return Map.of();
    }

    @Override
    public InputStream getBody() {
      return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public void close() {}
  };

  /** An engine that answers after {@code delay}; a read it is waiting in ends when its thread is interrupted. */
  private static DockerHttpClient answeringAfter(Duration delay) {
    return new DockerHttpClient() {
      @Override
      public Response execute(Request request) {
        try {
          Thread.sleep(delay.toMillis());
          return ANSWER;
        } catch (InterruptedException e) {
          throw new UncheckedIOException(new ClosedByInterruptException());
        }
      }

      @Override
      public void close() {}
    };
  }

  private static Request request(String path) {
    return Request.builder().method(Request.Method.POST).path(path).build();
  }

  @Test
  void aCallWithoutAnAnswerFailsAtTheBoundNamingItsOperationAndLeavesNoInterrupt() throws Exception {
    try (BoundedHttpClient client = new BoundedHttpClient(answeringAfter(Duration.ofSeconds(30)),
        Duration.ofMillis(200))) {
      RuntimeFailure failure = assertThrows(RuntimeFailure.class,
          () -> client.execute(request("/v1.41/networks/create")));
      assertTrue(failure.getMessage().startsWith("the Docker engine did not answer POST /networks/create within"),
          failure.getMessage());
      assertFalse(Thread.currentThread().isInterrupted(), "the alarm's interrupt is not the caller's");
    }
  }

  @Test
  void aStreamIsNotBoundedAndAQuickCallIsNotInterruptedLater() throws Exception {
    try (BoundedHttpClient client = new BoundedHttpClient(answeringAfter(Duration.ofMillis(400)),
        Duration.ofMillis(200))) {
      assertSame(ANSWER, client.execute(request("/v1.41/exec/0f3c/start")));
    }
    try (BoundedHttpClient client = new BoundedHttpClient(answeringAfter(Duration.ZERO), Duration.ofMillis(100))) {
      assertSame(ANSWER, client.execute(request("/v1.41/containers/0f3c/start")));
      Thread.sleep(300);
      assertFalse(Thread.currentThread().isInterrupted());
    }
  }
}
