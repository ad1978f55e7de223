package io.twlab.cli;

/** A command that cannot go on, with what to do instead and the exit code to end with. */
final class CliException extends RuntimeException {
  final int exitCode;

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}
