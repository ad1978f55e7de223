package io.twlab.api.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.twlab.api.ProtoMapper;
import io.twlab.app.Shells;
import io.twlab.core.InvalidArgumentException;
import io.twlab.proto.v1.V1.ShellClosed;
import io.twlab.proto.v1.V1.ShellInput;
import io.twlab.proto.v1.V1.ShellOpened;
import io.twlab.proto.v1.V1.ShellOutput;
import io.twlab.proto.v1.V1.ShellStart;

/**
 * One OpenShell call: its first message opens the shell, the next ones are its input; the shell's
 * output goes back as it comes, held back while the client reads more slowly (so that a flood of
 * output waits in the shell's terminal, not in the server's memory), then why it ended.
 */
final class GrpcShellCall implements StreamObserver<ShellInput> {
  private static final long READY_WAIT_MILLIS = 50;

  private final Shells shells;
  private final ServerCallStreamObserver<ShellOutput> response;
  private final io.twlab.identity.Principal principal = AuthInterceptor.PRINCIPAL.get();
  private final io.twlab.core.Caller caller = AuthInterceptor.CALLER.get();
  private final String address = AuthInterceptor.REMOTE.get();
  private final Object readiness = new Object();
  private volatile boolean done;
  private Shells.Shell shell;

  GrpcShellCall(Shells shells, StreamObserver<ShellOutput> response) {
    this.shells = shells;
    this.response = (ServerCallStreamObserver<ShellOutput>) response;
    this.response.setOnReadyHandler(() -> {
      synchronized (readiness) {
        readiness.notifyAll();
      }
    });
    this.response.setOnCancelHandler(() -> {
      done = true;
      synchronized (readiness) {
        readiness.notifyAll();
      }
      Shells.Shell open = shell;
      if (open != null) {
        open.close();
      }
    });
  }

  @Override
  public void onNext(ShellInput message) {
    if (done) {
      return;
    }
    try {
      if (shell == null) {
        open(message);
      } else if (message.hasStart()) {
        throw new InvalidArgumentException("start", "the shell is open already: send input or resize");
      } else if (message.hasResize()) {
        shell.resize(message.getResize().getColumns(), message.getResize().getRows());
      } else if (message.getEndOfInput()) {
        shell.endInput();
      } else {
        shell.input(message.getInput().toByteArray());
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void open(ShellInput message) {
    if (!message.hasStart()) {
      throw new InvalidArgumentException("start", "the first message starts the shell: lab_id, node, tty, size");
    }
    ShellStart start = message.getStart();
    shell = shells.open(principal, caller, address, new Shells.Request(start.getLabId().trim(), start.getNode().trim(),
        start.getTty(), start.getSize().getColumns(), start.getSize().getRows()), new Shells.Client() {
          @Override
          public void output(byte[] bytes) {
            send(ShellOutput.newBuilder().setOutput(ByteString.copyFrom(bytes)).build());
          }

          @Override
          public void ended(Shells.Ended end) {
            send(ShellOutput.newBuilder().setClosed(ShellClosed.newBuilder().setReason(end.reason().id())
                .setExitCode(end.exitCode()).setMessage(end.message())).build());
            complete();
          }
        });
    send(ShellOutput.newBuilder().setOpened(ShellOpened.newBuilder().setShellId(shell.id()).setLabId(shell.labId())
        .setNode(shell.node()).setUser(Shells.USER).setIdleTimeout(ProtoMapper.duration(shells.idleTimeout())))
        .build());
  }

  /** Sends once the client can take it; a client gone meanwhile gets nothing more. */
  private void send(ShellOutput output) {
    synchronized (readiness) {
      while (!done && !response.isReady()) {
        try {
          readiness.wait(READY_WAIT_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (!done) {
        response.onNext(output);
      }
    }
  }

  private void complete() {
    synchronized (readiness) {
      if (!done) {
        done = true;
        response.onCompleted();
      }
    }
  }

  private void fail(RuntimeException e) {
    synchronized (readiness) {
      if (!done) {
        done = true;
        response.onError(GrpcLabService.toStatus(e));
      }
    }
    Shells.Shell open = shell;
    if (open != null) {
      open.close();
    }
  }

  @Override
  public void onError(Throwable t) {
    done = true;
    Shells.Shell open = shell;
    if (open != null) {
      open.close();
    }
  }

  @Override
  public void onCompleted() {
    Shells.Shell open = shell;
    if (open != null) {
      open.endInput();
    }
  }
}
