package io.twlab.cli;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.twlab.proto.v1.V1.ShellClosed;
import io.twlab.proto.v1.V1.ShellInput;
import io.twlab.proto.v1.V1.ShellOutput;
import io.twlab.proto.v1.V1.ShellStart;
import io.twlab.proto.v1.V1.TerminalSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "shell", description = "A shell in a node of one of your labs, as an unprivileged user in the node's "
    + "network namespace: `twlab shell LAB client`, then ss -tan, nstat -az, nc. It sees the node's sockets and "
    + "counters (not its processes) and reaches only the lab's nodes; it closes after the server's idle time. With "
    + "standard input from a pipe or a file the commands run as a script: `echo 'ss -tan' | twlab shell LAB client`.")
final class ShellCommand extends ServerCommand {
  private static final int CHUNK = 4096;

  @Parameters(index = "0", paramLabel = "LAB")
  String labId;
  @Parameters(index = "1", paramLabel = "NODE", description = "client, server, gateway, redis, client1...")
  String node;

  @Override
  int call(ServerConnection server) {
    CompletableFuture<ShellClosed> ended = new CompletableFuture<>();
    boolean interactive = System.console() != null;
    try (Terminal terminal = interactive ? TerminalBuilder.builder().system(true).build() : null) {
      OutputStream out = interactive ? terminal.output() : System.out;
      StreamObserver<ShellInput> requests = server.async().openShell(new StreamObserver<>() {
        @Override
        public void onNext(ShellOutput message) {
          try {
            if (message.hasOutput()) {
              message.getOutput().writeTo(out);
              out.flush();
            } else if (message.hasClosed()) {
              ended.complete(message.getClosed());
            }
          } catch (IOException e) {
            ended.completeExceptionally(e);
          }
        }

        @Override
        public void onError(Throwable failure) {
          ended.completeExceptionally(failure);
        }

        @Override
        public void onCompleted() {
          ended.complete(ShellClosed.newBuilder().setReason("closed").setExitCode(-1).build());
        }
      });
      Input input = new Input(requests);
      Size size = interactive ? terminal.getSize() : new Size(80, 24);
      input.send(ShellInput.newBuilder().setStart(ShellStart.newBuilder().setLabId(labId).setNode(node)
          .setTty(interactive).setSize(size(size))).build());
      Attributes before = null;
      if (interactive) {
        before = terminal.enterRawMode();
        terminal.handle(Terminal.Signal.WINCH, signal -> input.send(ShellInput.newBuilder()
            .setResize(size(terminal.getSize())).build()));
      }
      Thread reader = new Thread(() -> input.copy(interactive ? terminal.input() : System.in, !interactive),
          "twlab-shell-input");
      reader.setDaemon(true);
      reader.start();
      try {
        ShellClosed closed = ended.get();
        if (!closed.getReason().equals("exited") && !closed.getReason().equals("closed")) {
          spec.commandLine().getErr().println();
          spec.commandLine().getErr().println("twlab: " + closed.getMessage());
        }
        return closed.getReason().equals("exited") ? closed.getExitCode() : Twlab.RUN_FAILED;
      } finally {
        if (before != null) {
          terminal.setAttributes(before);
        }
        input.close();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new CliException("the shell's connection failed: " + e.getCause().getMessage(), Twlab.SERVER_ERROR);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Twlab.RUN_FAILED;
    } catch (IOException e) {
      throw new CliException("cannot use this terminal: " + e.getMessage(), Twlab.SERVER_ERROR);
    }
  }

  private static TerminalSize size(Size size) {
    return TerminalSize.newBuilder().setColumns(Math.max(10, Math.min(500, size.getColumns())))
        .setRows(Math.max(2, Math.min(200, size.getRows()))).build();
  }

  /** The shell's input side: messages from the keyboard (or a script) and from resizes, one at a time. */
  private static final class Input {
    private final StreamObserver<ShellInput> requests;
    private boolean closed;

    Input(StreamObserver<ShellInput> requests) {
      this.requests = requests;
    }

    synchronized void send(ShellInput message) {
      if (closed) {
        return;
      }
      try {
        requests.onNext(message);
      } catch (RuntimeException e) {
        closed = true; // the call ended meanwhile: its end says why
      }
    }

    /** Sends what {@code in} gives until its end; a script's end is the shell's end of input. */
    void copy(InputStream in, boolean endsInput) {
      byte[] buffer = new byte[CHUNK];
      try {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          if (n > 0) {
            send(ShellInput.newBuilder().setInput(ByteString.copyFrom(Arrays.copyOf(buffer, n))).build());
          }
        }
      } catch (IOException e) {
        // The terminal went away: the shell ends with the call.
      }
      if (endsInput) {
        send(ShellInput.newBuilder().setEndOfInput(true).build());
      }
    }

    synchronized void close() {
      if (!closed) {
        closed = true;
        requests.onCompleted();
      }
    }
  }
}
