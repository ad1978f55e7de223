package io.twlab.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
        writeRefused(refused, Errors.violations(refused));
      }
      throw refused;
    }
    return finish(server, job);
  }
}
