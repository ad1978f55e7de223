package io.twlab.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

@Command(name = "version", description = "This client's version and the version of the server --server names (its "
    + "health check says it; no token is sent).")
final class VersionCommand implements Callable<Integer> {
  /** This client's version, as its jar's manifest says (the build's); "dev" when it runs from classes. */
  static final String CLIENT = Optional.ofNullable(VersionCommand.class.getPackage().getImplementationVersion())
      .orElse("dev");

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Twlab root = (Twlab) spec.root().userObject();
    PrintWriter out = spec.commandLine().getOut();
    boolean json = root.output == Twlab.Output.json;
    if (!json) {
      out.println("client  twlab " + CLIENT);
      out.flush();
    }
    String server;
    try (ServerConnection connection = ServerConnection.open(root.endpoint(), Optional.empty())) {
      server = connection.serverVersion();
    }
    if (json) {
      Render.json(out, Struct.newBuilder().putFields("client", text(CLIENT)).putFields("server", text(server))
          .putFields("serverAddress", text(root.endpoint().target())));
    } else {
      out.println("server  twlab-server " + server + " at " + root.endpoint().target());
      out.flush();
    }
    return 0;
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** {@code twlab --version}: this client's. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"twlab " + CLIENT};
    }
  }
}
