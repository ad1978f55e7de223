package io.twlab.cli;

import com.google.protobuf.MessageOrBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that talks to the server over one connection and prints as a table or as JSON. */
abstract class ServerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public final Integer call() {
    Twlab root = twlab();
    try (ServerConnection server = ServerConnection.open(root.endpoint(), root.token())) {
      return call(server);
    }
  }

  abstract int call(ServerConnection server);

  Twlab twlab() {
    return (Twlab) spec.root().userObject();
  }

  boolean json() {
    return twlab().output == Twlab.Output.json;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  LiveView liveView() {
    return new LiveView(out(), spec.commandLine().getErr());
  }

  /** A file the user named, as text; one that cannot be read is an invalid argument. */
  String readFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Writes a report to {@code file}, or to standard output when there is none. */
  void writeReport(Path file, String text) {
    if (file == null) {
      out().print(text);
      out().flush();
      return;
    }
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot write " + file + ": " + e.getMessage());
    }
  }

  /** Prints {@code message} as JSON, or as {@code table} renders it for a person. */
  void print(MessageOrBuilder message, Consumer<PrintWriter> table) {
    if (json()) {
      Render.json(out(), message);
    } else {
      table.accept(out());
      out().flush();
    }
  }
}
