package io.twlab.cli;

import io.twlab.proto.v1.V1.IssuedCredential;
import io.twlab.proto.v1.V1.RotateCredentialRequest;
import java.time.Instant;
import picocli.CommandLine.Command;

@Command(name = "rotate", description = {"The admin or an instructor: replace your token with a new one, saved for "
    + "--server as `twlab login` saves it; every other token of yours stops working at once."})
final class RotateCommand extends ServerCommand {
  @Override
  int call(ServerConnection server) {
    IssuedCredential issued = server.workshops().rotateCredential(RotateCredentialRequest.getDefaultInstance());
    CredentialsFile saved = new CredentialsFile(twlab().configDir);
    saved.save(twlab().server, issued.getToken());
    out().println("new token for " + issued.getCaller().getName() + " until "
        + Instant.ofEpochSecond(issued.getExpiresAt().getSeconds()) + ", saved in " + saved.path()
        + "; the old one no longer works");
    out().flush();
    return 0;
  }
}
