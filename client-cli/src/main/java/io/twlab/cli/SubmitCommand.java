package io.twlab.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.proto.v1.V1.Job;
import io.twlab.proto.v1.V1.ProgramFile;
import io.twlab.proto.v1.V1.SubmitRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "submit", description = "Submit settings, predictions and programs for an assignment (`twlab "
    + "assignments show` says what it asks). The job is queued at once; --wait follows it until it is graded. Exit 0 graded (whatever "
    + "the score), 1 not graded, 2 refused submission (with --report, the platform's report says why), 4 a check "
    + "could not be judged (submit again).")
final class SubmitCommand extends JobCommand {
  private static final List<String> LANGUAGES = List.of("python", "shell", "binary");
  /** The largest program the server takes (a static binary); it says exactly what each slot takes. */
  private static final long MAX_PROGRAM_BYTES = 2 * 1024 * 1024;

  @Parameters(index = "0", paramLabel = "ASSIGNMENT")
  String assignment;
  @Parameters(index = "1..*", arity = "0..*", paramLabel = "FILE", description = "YAML with `settings:` and "
      + "`predictions:`; several files are read as one submission")
  List<Path> files = List.of();
  @Option(names = "--program", paramLabel = "NAME=[LANGUAGE:]FILE", description = "the program for the assignment's "
      + "program slot NAME: a Python 3 file, a shell script or a static x86-64 binary (LANGUAGE python, shell or "
      + "binary; told by the file's first bytes or name when left out)")
  List<String> programs = List.of();
  @Option(names = "--student", paramLabel = "ID", description = "the student it counts for: a grading platform's own "
      + "id for them (required with a platform credential)")
  String student = "";

  @Override
  int call(ServerConnection server) {
    format();
    if (files.isEmpty() && programs.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give the FILE of your settings and predictions, a --program, or both");
    }
    List<String> documents = new ArrayList<>();
    for (Path file : files) {
      documents.add(readFile(file));
    }
    SubmitRequest.Builder request = SubmitRequest.newBuilder().setAssignmentId(assignment)
        .setSubmission(String.join("\n---\n", documents)).setStudent(student);
    programs.forEach(p -> request.addPrograms(program(p)));
    Job job;
    try {
      job = server.courses().submit(request.build());
    } catch (StatusRuntimeException refused) {
      if (refused.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        writeRefused(refused, Errors.violations(refused));
      }
      throw refused;
    }
    return finish(server, job);
  }

  /** "server=fix.py", "server=python:fix" → the program file; the server checks its language and size. */
  private ProgramFile program(String option) {
    int eq = option.indexOf('=');
    if (eq < 1) {
      throw new ParameterException(spec.commandLine(), "--program " + option + ": write NAME=FILE or NAME=LANGUAGE:FILE, "
          + "e.g. --program server=server.py");
    }
    String value = option.substring(eq + 1);
    String language = "";
    int colon = value.indexOf(':');
    if (colon > 0 && LANGUAGES.contains(value.substring(0, colon))) {
      language = value.substring(0, colon);
      value = value.substring(colon + 1);
    }
    Path file = Path.of(value);
    try {
      if (Files.size(file) > MAX_PROGRAM_BYTES) {
        throw new ParameterException(spec.commandLine(), file + " has " + Files.size(file) + " bytes; a program has at "
            + "most " + MAX_PROGRAM_BYTES);
      }
      return ProgramFile.newBuilder().setName(option.substring(0, eq)).setLanguage(language)
          .setFileName(file.getFileName().toString()).setContent(ByteString.copyFrom(Files.readAllBytes(file))).build();
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
    }
  }
}
