package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.twlab.server.ServerConfig;
import io.twlab.server.TwlabServer;
import io.twlab.testing.FakeEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a server with authentication on (a fake engine: no lab is made). */
class LoginTest {
  @TempDir
  Path dataDir;
  @TempDir
  Path configDir;

  private record Result(int exitCode, String out, String err) {}

  private Result twlab(String server, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Twlab.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("--server", server, "--config-dir", configDir.toString()));
    all.addAll(List.of(args));
    return new Result(cli.execute(all.toArray(String[]::new)), out.toString(), err.toString());
  }

  @Test
  void aSavedTokenIsSentUntilLogoutAndNeverInPlaintextToAnotherHost() throws Exception {
    try (TwlabServer server = TwlabServer.start(new ServerConfig(0, 0, "twlab-login-test").withTracer(false, "")
        .withDataDir(dataDir).withAccess(ServerConfig.LOOPBACK, true), new FakeEngine())) {
      String target = "127.0.0.1:" + server.grpcPort();

      Result anonymous = twlab(target, "labs", "list");
      assertEquals(2, anonymous.exitCode(), anonymous.err());
      assertTrue(anonymous.err().contains("no valid bearer token") && anonymous.err().contains("twlab login"),
          anonymous.err());

      Path tokenFile = dataDir.resolve("admin.token");
      Result forged = twlab(target, "login", "--token-file", write("twlab_forged"));
      assertEquals(2, forged.exitCode(), forged.err());
      assertTrue(Files.notExists(configDir.resolve("credentials.properties")), "a token the server refuses is not saved");

      Result login = twlab(target, "login", "--token-file", tokenFile.toString());
      assertEquals(0, login.exitCode(), login.err());
      Path saved = configDir.resolve("credentials.properties");
      assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(saved));
      assertEquals(0, twlab(target, "labs", "list").exitCode(), "the saved token is sent");
      assertEquals(0, twlab(target, "scenarios", "--token-file", tokenFile.toString()).exitCode());

      Result elsewhere = twlab("10.255.255.1:9090", "labs", "list", "--token-file", tokenFile.toString());
      assertEquals(2, elsewhere.exitCode());
      assertTrue(elsewhere.err().contains("refusing to send your token in plaintext to 10.255.255.1:9090"),
          elsewhere.err());

      assertEquals(0, twlab(target, "logout").exitCode());
      assertEquals(2, twlab(target, "labs", "list").exitCode(), "logged out");
    }
  }

  @Test
  void anInstructorOpensAWorkshopAndAStudentJoinsItFromTheCli() throws Exception {
    try (TwlabServer server = TwlabServer.start(new ServerConfig(0, 0, "twlab-login-test").withTracer(false, "")
        .withDataDir(dataDir).withAccess(ServerConfig.LOOPBACK, true), new FakeEngine())) {
      String target = "127.0.0.1:" + server.grpcPort();
      String admin = dataDir.resolve("admin.token").toString();

      Result added = twlab(target, "admin", "instructors", "add", "Ada", "--token-file", admin, "-o", "json");
      assertEquals(0, added.exitCode(), added.err());
      String instructorToken = added.out().replaceAll("(?s).*\"token\":\\s*\"([^\"]+)\".*", "$1");
      Result opened = twlab(target, "workshops", "create", "TCP teardown", "--seats", "30", "--token-file",
          write(instructorToken));
      assertEquals(0, opened.exitCode(), opened.err());
      String code = opened.out().replaceAll("(?s).*join code: (\\S+).*", "$1");

      Result joined = twlab(target, "login", "--join", code, "--name", "Alice");
      assertEquals(0, joined.exitCode(), joined.err());
      Result whoami = twlab(target, "whoami");
      assertTrue(whoami.out().startsWith("Alice (student, "), whoami.out());
      Result denied = twlab(target, "admin", "instructors", "add", "Eve");
      assertEquals(2, denied.exitCode());
      assertTrue(denied.err().contains("a student may not add instructors"), denied.err());

      Result listed = twlab(target, "workshops", "list", "--token-file", write(instructorToken));
      assertTrue(listed.out().contains("1/30") && listed.out().contains("Alice (student-"), listed.out());
      Result wrong = twlab(target, "login", "--join", "NOTACODE99", "--name", "Mallory");
      assertEquals(2, wrong.exitCode());
      assertTrue(wrong.err().contains("join_code: no open workshop has this code"), wrong.err());
      Result remote = twlab("10.255.255.1:9090", "login", "--join", code, "--name", "Bob");
      assertEquals(2, remote.exitCode());
      assertTrue(remote.err().contains("refusing to receive a token in plaintext"), remote.err());
    }
  }

  private String write(String token) throws Exception {
    Path file = Files.createTempFile(dataDir, "token", "");
    Files.writeString(file, token);
    return file.toString();
  }
}
