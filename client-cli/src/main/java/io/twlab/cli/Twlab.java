package io.twlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code twlab} command: labs, scenarios, runs and live connection states from a twlab server. */
@Command(name = "twlab", mixinStandardHelpOptions = true, version = "twlab 0.1.0",
    description = "Watch TCP connection teardown (TIME_WAIT, CLOSE_WAIT, ...) happen on a real Linux kernel.",
    subcommands = {LabsCommand.class, ScenariosCommand.class, RunCommand.class, WatchCommand.class, GradeCommand.class,
        SweepCommand.class, RunsCommand.class,
        CommandLine.HelpCommand.class})
public final class Twlab {

  /** Exit codes: 0 success, 1 a run failed, 2 invalid input, 3 server unreachable or failing. */
  static final int RUN_FAILED = 1;
  static final int INVALID_INPUT = 2;
  static final int SERVER_ERROR = 3;

  @Option(names = "--server", scope = ScopeType.INHERIT, defaultValue = "${env:TWLAB_SERVER:-localhost:9090}",
      description = "twlab server as host:port (env TWLAB_SERVER, default ${DEFAULT-VALUE})")
  String server;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "table",
      description = "table (human, live) or json (machine-readable); default ${DEFAULT-VALUE}")
  Output output;

  enum Output { table, json }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Twlab())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new Errors());
  }
}
