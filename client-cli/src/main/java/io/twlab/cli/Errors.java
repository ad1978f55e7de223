package io.twlab.cli;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Turns a failed call into a message that says what to do, and the exit code. */
final class Errors implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (e instanceof StatusRuntimeException status) {
      return report(cmd, status);
    }
    if (e instanceof CliException refused) {
      cmd.getErr().println("twlab: " + refused.getMessage());
      return refused.exitCode;
    }
    cmd.getErr().println("twlab: " + e.getMessage());
    return Twlab.SERVER_ERROR;
  }

  static int report(CommandLine cmd, StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    var err = cmd.getErr();
    if (code == Status.Code.UNAVAILABLE) {
      Throwable cause = e.getStatus().getCause();
      err.println("twlab: cannot reach the twlab server: " + (cause != null ? cause.getMessage()
          : e.getStatus().getDescription()) + ". Start it (see README) or point --server / TWLAB_SERVER at it; "
          + "a server with TLS needs --ca FILE (its CA) or --tls, a plaintext one neither.");
      return Twlab.SERVER_ERROR;
    }
    err.println("twlab: " + e.getStatus().getDescription());
    if (code == Status.Code.UNAUTHENTICATED) {
      err.println("  log in first: twlab login --token-file FILE (or set TWLAB_TOKEN)");
    }
    violations(e).forEach(v -> err.println("  " + v));
    return switch (code) {
      case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED ->
          Twlab.INVALID_INPUT;
      default -> Twlab.SERVER_ERROR;
    };
  }

  /** Each bad field a refusal names, as "field: reason"; none when it names none. */
  static List<String> violations(StatusRuntimeException e) {
    List<String> violations = new ArrayList<>();
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        if (any.is(BadRequest.class)) {
          try {
            any.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> violations.add(v.getField() + ": "
                + v.getDescription()));
          } catch (InvalidProtocolBufferException ignored) {
            // the status' description says it
          }
        }
      }
    }
    return violations;
  }
}
