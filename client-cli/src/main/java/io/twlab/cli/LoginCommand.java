package io.twlab.cli;

import io.twlab.proto.v1.V1.ListScenariosRequest;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "login", description = {
    "Check a token against --server and save it for that server (readable by you only), so that later "
        + "commands send it. The token comes from --token-file FILE or TWLAB_TOKEN; an admin's is in the "
        + "server's data directory, admin.token."})
final class LoginCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Twlab root = (Twlab) spec.root().userObject();
    if (System.getenv("TWLAB_TOKEN") == null && root.tokenFile == null) {
      throw new CliException("give the token to save: --token-file FILE (or TWLAB_TOKEN)", Twlab.INVALID_INPUT);
    }
    Optional<String> token = root.token();
    try (ServerConnection server = ServerConnection.open(root.server, token, root.insecure)) {
      server.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).listScenarios(ListScenariosRequest.getDefaultInstance());
    }
    CredentialsFile saved = new CredentialsFile(root.configDir);
    saved.save(root.server, token.orElseThrow());
    spec.commandLine().getOut().println("logged in to " + root.server + "; the token is saved in " + saved.path());
    return 0;
  }
}
