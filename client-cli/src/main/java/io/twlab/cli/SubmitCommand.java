package io.twlab.cli;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.twlab.proto.v1.V1.Job;
import io.twlab.proto.v1.V1.SubmitRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", description = "Submit settings and predictions for an assignment (`twlab assignments show` "
    + "says what it asks). The job is queued at once; --wait follows it until it is graded. Exit 0 graded (whatever "
    + "the score), 1 not graded, 2 refused submission (with --report, the platform's report says why), 4 a check "
    + "could not be judged (submit again).")
final class SubmitCommand extends JobCommand {
  @Parameters(index = "0", paramLabel = "ASSIGNMENT")
  String assignment;
  @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE", description = "YAML with `settings:` and "
      + "`predictions:`; several files are read as one submission")
  List<Path> files;
  @Option(names = "--student", paramLabel = "ID", description = "the student it counts for: a grading platform's own "
      + "id for them (required with a platform credential)")
  String student = "";

  @Override
  int call(ServerConnection server) {
    format();
    List<String> documents = new ArrayList<>();
    for (Path file : files) {
      documents.add(readFile(file));
    }
    Job job;
    try {
      job = server.courses().submit(SubmitRequest.newBuilder().setAssignmentId(assignment)
          .setSubmission(String.join("\n---\n", documents)).setStudent(student).build());
    } catch (StatusRuntimeException refused) {
      if (refused.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        writeRefused(refused, problems(refused));
      }
      throw refused;
    }
    return finish(server, job);
  }

  /** Each bad field of a refusal, as "field: reason". */
  private static List<String> problems(StatusRuntimeException refused) {
    List<String> problems = new ArrayList<>();
    com.google.rpc.Status details = StatusProto.fromThrowable(refused);
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        if (any.is(BadRequest.class)) {
          try {
            any.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> problems.add(v.getField() + ": "
                + v.getDescription()));
          } catch (InvalidProtocolBufferException ignored) {
            // the status' description says it
          }
        }
      }
    }
    return problems;
  }
}
