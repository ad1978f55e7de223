package io.twlab.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code twlab} command: labs, scenarios, runs and live connection states from a twlab server. */
@Command(name = "twlab", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
    description = "Watch TCP connection teardown (TIME_WAIT, CLOSE_WAIT, ...) happen on a real Linux kernel.",
    subcommands = {LabsCommand.class, ScenariosCommand.class, RunCommand.class, WatchCommand.class, GradeCommand.class,
        SweepCommand.class, RunsCommand.class, LoginCommand.class, LogoutCommand.class,
        WorkshopsCommand.class, StudentsCommand.class, AuditCommand.class, AdminCommand.class, WhoAmICommand.class,
        RotateCommand.class, AssignmentsCommand.class, SubmitCommand.class, JobsCommand.class, CaptureCommand.class,
        ShellCommand.class, VersionCommand.class,
        CommandLine.HelpCommand.class})
public final class Twlab {

  /** Exit codes: 0 success, 1 a run failed, 2 invalid input, 3 server unreachable or failing. */
  static final int RUN_FAILED = 1;
  static final int INVALID_INPUT = 2;
  static final int SERVER_ERROR = 3;

  @Option(names = "--server", scope = ScopeType.INHERIT, defaultValue = "${env:TWLAB_SERVER:-localhost:9090}",
      description = "twlab server as host:port (env TWLAB_SERVER, default ${DEFAULT-VALUE})")
  String server;

  @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
      defaultValue = "${env:TWLAB_TOKEN_FILE}",
      description = "read the bearer token from FILE (env TWLAB_TOKEN_FILE; TWLAB_TOKEN holds a token itself; "
          + "otherwise the one `twlab login` saved for --server)")
  Path tokenFile;

  @Option(names = "--insecure", scope = ScopeType.INHERIT, defaultValue = "${env:TWLAB_INSECURE:-false}",
      description = "send the token in plaintext to a server that is not on this host (only on a network you trust)")
  boolean insecure;

  @Option(names = "--tls", scope = ScopeType.INHERIT, defaultValue = "${env:TWLAB_TLS:-false}",
      description = "reach the server over TLS, trusting the system's CAs (env TWLAB_TLS)")
  boolean tls;

  @Option(names = "--ca", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:TWLAB_CA}",
      description = "reach the server over TLS, trusting only this CA certificate (PEM; env TWLAB_CA)")
  Path ca;

  @Option(names = "--config-dir", scope = ScopeType.INHERIT, hidden = true, paramLabel = "DIR",
      defaultValue = "${env:XDG_CONFIG_HOME:-${sys:user.home}/.config}/twlab",
      description = "where `twlab login` keeps tokens")
  Path configDir;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "table",
      description = "table (human, live) or json (machine-readable); default ${DEFAULT-VALUE}")
  Output output;

  enum Output { table, json }

  /** The token to send: TWLAB_TOKEN, else --token-file, else the one saved for --server; empty without any. */
  Optional<String> token() {
    String fromEnv = System.getenv("TWLAB_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(fromEnv.trim());
    }
    if (tokenFile != null) {
      try {
        return Optional.of(Files.readString(tokenFile, StandardCharsets.US_ASCII).trim());
      } catch (IOException e) {
        throw new CliException("cannot read the token file " + tokenFile + ": " + e.getMessage(), INVALID_INPUT);
      }
    }
    return new CredentialsFile(configDir).token(server);
  }

  ServerConnection.Endpoint endpoint() {
    return new ServerConnection.Endpoint(server, tls, Optional.ofNullable(ca), insecure);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Twlab())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new Errors());
  }
}
