package io.twlab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "logout", description = "Forget the token saved for --server.")
final class LogoutCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Twlab root = (Twlab) spec.root().userObject();
    boolean had = new CredentialsFile(root.configDir).remove(root.server);
    spec.commandLine().getOut().println(had ? "logged out of " + root.server : "no token was saved for " + root.server);
    return 0;
  }
}
