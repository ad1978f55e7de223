package io.twlab.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The twlab command run in this JVM, as a user would run it: its exit code and what it printed. */
record CommandRun(int exitCode, String out, String err) {

  static CommandRun twlab(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Twlab.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new CommandRun(code, out.toString(), err.toString());
  }
}
