package io.twlab.cli;

import io.twlab.proto.v1.V1.IssuedCredential;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.ListScenariosRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "login", description = {
    "Save a token for --server (readable by you only), so that later commands send it:",
    "  a student joins a workshop: twlab login --join CODE --name NAME",
    "  anyone else checks a token given by --token-file FILE or TWLAB_TOKEN (the admin's is in the server's "
        + "data directory, admin.token; an instructor's comes from `twlab admin instructors add`)."})
final class LoginCommand implements Callable<Integer> {
  private static final long DEADLINE_SECONDS = 10;

  @Spec
  CommandSpec spec;

  @Option(names = "--join", paramLabel = "CODE", description = "the workshop's join code, from your instructor")
  String joinCode;

  @Option(names = "--name", paramLabel = "NAME", description = "with --join: how your instructor sees you")
  String name;

  @Override
  public Integer call() {
    Twlab root = (Twlab) spec.root().userObject();
    String token = joinCode != null ? join(root) : check(root);
    CredentialsFile saved = new CredentialsFile(root.configDir);
    saved.save(root.server, token);
    spec.commandLine().getOut().println("logged in to " + root.server + "; the token is saved in " + saved.path());
    return 0;
  }

  private String join(Twlab root) {
    if (name == null || name.isBlank()) {
      throw new CliException("--join needs --name NAME: how your instructor sees you", Twlab.INVALID_INPUT);
    }
    ServerConnection.requirePrivate(root.endpoint(), "receive a token");
    try (ServerConnection server = ServerConnection.open(root.endpoint(), Optional.empty())) {
      IssuedCredential issued = server.workshops().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .joinWorkshop(JoinWorkshopRequest.newBuilder().setJoinCode(joinCode).setName(name).build());
      spec.commandLine().getOut().println("joined workshop " + issued.getCaller().getWorkshopId() + " as "
          + issued.getCaller().getName() + " until " + Instant.ofEpochSecond(issued.getExpiresAt().getSeconds()));
      return issued.getToken();
    }
  }

  private String check(Twlab root) {
    if (System.getenv("TWLAB_TOKEN") == null && root.tokenFile == null) {
      throw new CliException("give the token to save: --token-file FILE (or TWLAB_TOKEN), or join a workshop "
          + "with --join CODE --name NAME", Twlab.INVALID_INPUT);
    }
    Optional<String> token = root.token();
    try (ServerConnection server = ServerConnection.open(root.endpoint(), token)) {
      server.blocking().withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .listScenarios(ListScenariosRequest.getDefaultInstance());
    }
    return token.orElseThrow();
  }
}
