package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.SweepReport;
import io.twlab.proto.v1.V1.TableRow;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sweeps on the real kernel: every cell in a fresh lab, and the table that compares them. */
class SweepIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  @Test
  void twReuseTimesTimestampsGivesTheTableOfDesignSection4() throws Exception {
    String file = Files.readString(Path.of("..", "examples", "tw-reuse-sweep.yaml"));
    SweepReport report = twlab.grpc().withDeadlineAfter(10, TimeUnit.MINUTES)
        .sweepExperiment(GradeExperimentRequest.newBuilder().setExperiment(file).build());

    assertTrue(report.getPassed(), report.getTable().toString());
    assertEquals(List.of("client.net.ipv4.tcp_tw_reuse", "client.net.ipv4.tcp_timestamps"), report.getDimensionsList());
    List<String> columns = report.getTable().getColumnsList();
    assertEquals(List.of("tcp_tw_reuse", "tcp_timestamps", "connected"), columns.subList(0, 3));
    // 100 ports, 300 connections paced at 60/s: only tcp_tw_reuse=1 with timestamps reuses TIME_WAIT ports.
    assertEquals(List.of(
            List.of("0", "0", "100/300"),
            List.of("0", "1", "100/300"),
            List.of("1", "0", "100/300"),
            List.of("1", "1", "300/300")),
        report.getTable().getRowsList().stream().map(r -> r.getCellsList().subList(0, 3)).toList());
    TableRow reused = report.getTable().getRows(3);
    assertTrue(reused.getCells(columns.indexOf("narrow-client TcpExtTWRecycled >= 150"))
        .matches("✓ narrow-client TcpExtTWRecycled moved by \\d+"), reused.toString());
    assertEquals("", reused.getCells(columns.indexOf("EADDRNOTAVAIL errors == 200")), "does not apply in this cell");
    assertEquals(4, report.getCellsCount());
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + twlab.owner), "every cell's lab is removed");
  }

  @Test
  void aSweepIsNotGradedAsOneExperimentAndABadSweepStartsNothing() throws Exception {
    String file = Files.readString(Path.of("..", "examples", "tw-reuse-sweep.yaml"));
    StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> twlab.grpc().gradeExperiment(GradeExperimentRequest.newBuilder().setExperiment(file).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("sweep: line 8: this experiment sweeps 4 cells"),
        refused.getStatus().getDescription());

    HttpResponse<String> bad = twlab.post("/api/v1/sweeps", file.replace("sweep:\n", "sweep:\n  params:\n    colour: [red]\n")
        .replace("connections: 300", "connections: 0"));
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("sweep.params[colour]"), bad.body());
    assertTrue(bad.body().contains("runs[0].params[connections]"), bad.body());
    assertEquals(List.of(), TwlabFixture.dockerObjects("io.twlab.owner=" + twlab.owner), "nothing was started");
  }
}
