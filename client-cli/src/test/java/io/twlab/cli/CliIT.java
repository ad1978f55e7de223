package io.twlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.twlab.it.TwlabFixture;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The twlab command against a real server, as a user types it. */
class CliIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();
  /** The output of {@code -o json}, the Run message it prints. */
  private static Run run(CommandRun result) throws InvalidProtocolBufferException {
    Run.Builder run = Run.newBuilder();
    JsonFormat.parser().merge(result.out(), run);
    return run.build();
  }

  private static CommandRun twlab(String... args) {
    List<String> all = new ArrayList<>(List.of("--server", twlab.grpcTarget()));
    all.addAll(List.of(args));
    return CommandRun.twlab(all.toArray(String[]::new));
  }

  @Test
  void runWithWatchStreamsTheStatesIntoATableAndRemovesItsTemporaryLab() throws Exception {
    CommandRun result = twlab("run", "nc-timewait", "--watch");

    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().contains("FROM → TO"), result.out());
    // The client's timewait socket leaves FIN_WAIT2 for TIME_WAIT when the server's FIN comes.
    assertTrue(result.out().matches("(?s).*client\\s+\\S+:\\d+\\s+\\S+:5000\\s+FIN_WAIT2\\s+→ TIME_WAIT.*"), result.out());
    assertTrue(result.out().contains("▸ close: client: SIGINT"), result.out());
    assertTrue(result.out().contains("result: client closed first and holds TIME_WAIT"), result.out());
    assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.owner=" + twlab.owner),
        "the temporary lab was not removed");
  }

  @Test
  void versionNamesTheClientAndTheServerItReaches() {
    CommandRun result = twlab("version");

    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().matches("(?s)client\\s+twlab \\S+\\s+server\\s+twlab-server \\S+ at "
        + Pattern.quote(twlab.grpcTarget()) + "\\s*"), result.out());
  }

  @Test
  void typedResultsArePrintedAsTables() throws Exception {
    CommandRun result = twlab("run", "tw-buckets", "-p", "connections=100");

    assertEquals(0, result.exitCode(), result.err());
    assertTrue(result.out().matches("(?s).*tcp_max_tw_buckets\\s+TIME_WAIT PEAK\\s+TCPTimeWaitOverflow\\s+10\\s+10\\s+90\\b.*"),
        result.out());
    assertTrue(result.out().contains("TcpExtTCPTimeWaitOverflow=90"), "counters of the run's node: " + result.out());
  }

  @Test
  void gradeExitsByTheVerdictsAndWritesJunitXml(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("report.xml");
    CommandRun passed = twlab("grade", "../examples/tw-buckets.yaml", "--report", "junit", "--out", report.toString());
    assertEquals(0, passed.exitCode(), passed.err() + passed.out());
    assertTrue(passed.out().contains("tw-buckets caps TIME_WAIT: PASSED"), passed.out());
    String xml = Files.readString(report);
    assertTrue(xml.contains("<testsuites name=\"tw-buckets caps TIME_WAIT\" tests=\"3\" failures=\"0\""), xml);
    Path html = dir.resolve("report.html");
    CommandRun withChart = twlab("grade", "../examples/tw-buckets.yaml", "--report", "html", "--out", html.toString());
    assertEquals(0, withChart.exitCode(), withChart.err());
    String page = Files.readString(html);
    assertTrue(page.contains("<svg") && page.contains(">bucket-client TIME_WAIT (peak 10)</text>"), page);

    Path wrong = dir.resolve("wrong.yaml");
    Files.writeString(wrong, Files.readString(Path.of("..", "examples", "tw-buckets.yaml")).replace("value: 290", "value: 1"));
    CommandRun failed = twlab("grade", wrong.toString());
    assertEquals(1, failed.exitCode(), failed.err() + failed.out());
    assertTrue(failed.out().matches("(?s).*FAIL\\s+bucket-client TcpExtTCPTimeWaitOverflow moved by 290\\s+expected == 1.*"),
        failed.out());

    Files.writeString(wrong, "name: x\nlab: {topology: star}\nruns: []\n");
    CommandRun invalid = twlab("grade", wrong.toString());
    assertEquals(2, invalid.exitCode(), invalid.err());
    assertTrue(invalid.err().contains("runs: line 3: needs 1 to 20 runs, got 0"), invalid.err());
  }

  @Test
  void runsListAndShowReadTheHistoryAndReplayARunsEvents() throws Exception {
    CommandRun ran = twlab("run", "port-exhaustion", "-p", "ports=10", "-p", "connections=20", "-o", "json");
    assertEquals(0, ran.exitCode(), ran.err());
    Run run = run(ran);

    CommandRun list = twlab("runs", "list", "--scenario", "port-exhaustion");
    assertEquals(0, list.exitCode(), list.err());
    assertTrue(list.out().matches("(?s)RUN\\s+SCENARIO\\s+STATE.*" + run.getId() + "\\s+port-exhaustion\\s+SUCCEEDED.*"),
        list.out());
    CommandRun show = twlab("runs", "show", run.getId());
    assertEquals(0, show.exitCode(), show.err());
    assertTrue(show.out().contains("result: with 10 local ports (40000-40009)"), show.out());
    assertTrue(show.out().matches("(?s).*  client: .*net\\.ipv4\\.tcp_tw_reuse=2.*"), show.out());
    CommandRun events = twlab("runs", "show", run.getId(), "--events");
    assertEquals(0, events.exitCode(), events.err());
    assertEquals(10, events.out().lines().filter(l -> l.matches("\\S+\\s+narrow-client .*FIN_WAIT2\\s+→ TIME_WAIT.*")).count(),
        events.out());

    CommandRun fewer = twlab("run", "port-exhaustion", "-p", "ports=10", "-p", "connections=5", "-o", "json");
    Run other = run(fewer);
    CommandRun diff = twlab("runs", "diff", run.getId(), other.getId());
    assertEquals(0, diff.exitCode(), diff.err());
    assertTrue(diff.out().matches("(?s)METRIC\\s+A run-\\S+\\s+B run-\\S+\\s+B − A.*"
        + "narrow-client FIN_WAIT2 → TIME_WAIT\\s+10\\s+5\\s+-5.*"), diff.out());
  }

  @Test
  void aRunsPacketsAreDrawnAsALadderAndWrittenAsPcapAndALabIsCapturedOnDemand(@TempDir Path dir) throws Exception {
    Run run = run(twlab("run", "nc-timewait", "-p", "capture=true", "-o", "json"));
    CommandRun ladder = twlab("runs", "ladder", run.getId(), "--node", "client");
    assertEquals(0, ladder.exitCode(), ladder.err());
    assertTrue(ladder.out().matches("(?s).*FIN_WAIT1\\s+-+ F\\. seq \\d+ ack \\d+ -+>\\s+CLOSE_WAIT.*"), ladder.out());
    assertTrue(ladder.out().contains("TIME_WAIT") && ladder.out().contains("LAST_ACK"), ladder.out());
    Path pcap = dir.resolve("client.pcap");
    CommandRun written = twlab("runs", "show", run.getId(), "--pcap", pcap.toString(), "--node", "client");
    assertEquals(0, written.exitCode(), written.err());
    assertPcap(Files.readAllBytes(pcap));

    CommandRun lab = twlab("labs", "create", "-o", "json");
    assertEquals(0, lab.exitCode(), lab.err());
    String labId = lab.out().replaceAll("(?s).*\"id\": ?\"(lab-[^\"]+)\".*", "$1");
    Path live = dir.resolve("live.pcap");
    CommandRun captured = twlab("capture", labId, "--node", "server", "--seconds", "1", "-w", live.toString());
    assertEquals(0, captured.exitCode(), captured.err());
    assertPcap(Files.readAllBytes(live));
    CommandRun hostile = twlab("capture", labId, "--node", "server", "--filter", "port 5000; id", "-w", live.toString());
    assertEquals(Twlab.INVALID_INPUT, hostile.exitCode());
    assertTrue(hostile.err().contains("filter"), hostile.err());
    assertEquals(0, twlab("labs", "delete", labId).exitCode());
  }

  @Test
  void aShellRunsAScriptInALabNodeAndExitsWithItsStatus() throws Exception {
    CommandRun lab = twlab("labs", "create", "-o", "json");
    assertEquals(0, lab.exitCode(), lab.err());
    String labId = lab.out().replaceAll("(?s).*\"id\": ?\"(lab-[^\"]+)\".*", "$1");
    assertEquals(0, twlab("run", "nc-timewait", "--lab", labId).exitCode());
    java.io.InputStream stdin = System.in;
    java.io.PrintStream stdout = System.out;
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    CommandRun shell;
    try {
      System.setIn(new java.io.ByteArrayInputStream("id -un\nss -tan\nexit 7\n".getBytes(StandardCharsets.UTF_8)));
      System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
      shell = twlab("shell", labId, "client");
    } finally {
      System.setIn(stdin);
      System.setOut(stdout);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    assertEquals(7, shell.exitCode(), shell.err() + out);
    assertTrue(out.startsWith("student\n") && out.lines().anyMatch(l -> l.startsWith("TIME-WAIT")), out);
    CommandRun nowhere = twlab("shell", labId, "router");
    assertEquals(Twlab.INVALID_INPUT, nowhere.exitCode(), nowhere.err());
    assertTrue(nowhere.err().contains("node"), nowhere.err());
    assertEquals(0, twlab("labs", "delete", labId).exitCode());
  }

  @Test
  void theRoomsLabsAndGradesFromTheCommandLine() {
    CommandRun opened = twlab("-o", "json", "workshops", "create", "room", "--seats", "2", "--shells", "1");
    assertEquals(0, opened.exitCode(), opened.err());
    String workshop = opened.out().replaceAll("(?s).*\"id\": ?\"(workshop-[^\"]+)\".*", "$1");
    assertTrue(opened.out().contains("\"shells\": 1"), opened.out());
    CommandRun grades = twlab("workshops", "grades", workshop);
    assertEquals(0, grades.exitCode(), grades.err());
    assertTrue(grades.out().startsWith("student_id,student_name,experiment,run_id,graded_at"), grades.out());
    assertEquals(0, twlab("workshops", "extend-labs", workshop, "--minutes", "30").exitCode());
    CommandRun ended = twlab("workshops", "end-labs", workshop);
    assertEquals(0, ended.exitCode(), ended.err());
    assertTrue(ended.out().contains("0 lab(s) ended"), ended.out());
    CommandRun spreadsheet = twlab("workshops", "grades", workshop, "--format", "xls");
    assertEquals(Twlab.INVALID_INPUT, spreadsheet.exitCode(), spreadsheet.err());
    assertTrue(spreadsheet.err().contains("format"), spreadsheet.err());
  }

  /** A pcap file's magic number, as tcpdump writes it on x86 (little-endian, microseconds). */
  private static void assertPcap(byte[] file) {
    assertTrue(file.length >= 24 && (file[0] & 0xff) == 0xd4 && (file[1] & 0xff) == 0xc3 && (file[2] & 0xff) == 0xb2
        && (file[3] & 0xff) == 0xa1, "a pcap file of " + file.length + " bytes");
  }

  @Test
  void jsonOutputIsTheRunMessage() throws Exception {
    CommandRun result = twlab("run", "nc-timewait", "--topology", "nat", "-p", "closer=server", "-o", "json");

    assertEquals(0, result.exitCode(), result.err());
    Run run = run(result);
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState());
    assertEquals("server", run.getResult().getNcTimeWait().getTimeWaitNode());
  }

  @Test
  void withoutATopologyTheTemporaryLabIsOneTheScenarioRunsOn() throws Exception {
    CommandRun result = twlab("run", "nat-collision", "-p", "clients=1", "-p", "connections=2", "-p", "timestamps=1",
        "-o", "json");

    assertEquals(0, result.exitCode(), result.err());
    assertEquals(2, run(result).getResult().getNatCollision().getCases(0).getLoads(0).getSucceeded());
  }

  @Test
  void invalidInputExitsTwoNamingTheField() {
    CommandRun refused = twlab("labs", "create", "--set", "client.net.ipv4.tcp_tw_recycle=1");
    assertEquals(2, refused.exitCode());
    assertTrue(refused.err().contains("spec.nodes[client].sysctls[net.ipv4.tcp_tw_recycle]: was removed in Linux 4.12"),
        refused.err());

    CommandRun badParam = twlab("run", "nc-timewait", "-p", "closer=nobody");
    assertEquals(2, badParam.exitCode());
    assertTrue(badParam.err().contains("params[closer]"), badParam.err());

    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    CommandRun badFilter = twlab("watch", lab.getId(), "--state", "TIME_WAITING", "--port", "0");
    assertEquals(2, badFilter.exitCode());
    assertTrue(badFilter.err().contains("states") && badFilter.err().contains("ports"), badFilter.err());
  }

  @Test
  void anUnreachableServerExitsThreeAndSaysWhatToDo() {
    StringWriter err = new StringWriter();
    CommandLine cli = Twlab.commandLine();
    cli.setErr(new PrintWriter(err, true));
    assertEquals(3, cli.execute("--server", "localhost:1", "scenarios"));
    assertTrue(err.toString().contains("cannot reach the twlab server"), err.toString());
  }
}
