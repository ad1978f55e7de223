package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.twlab.proto.v1.V1;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.ListRunsResponse;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.WatchDetail;
import io.twlab.proto.v1.V1.WatchLabRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The run history on a real server: a run, its timeline and an experiment's verdicts are still
 * there after the server restarts, and the timeline replays through WatchLab as it was streamed live.
 */
class RunHistoryIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();

  private static final String EXPERIMENT = """
      name: history check
      lab:
        topology: direct
      runs:
        - scenario: port-exhaustion
          params: {ports: 10, connections: 20}
          expect:
            - errors: {errno: EADDRNOTAVAIL, op: "==", value: 10}
            - count: narrow-client TIME_WAIT >= 10 at peak
      """;

  @Test
  void runsTimelinesAndVerdictsSurviveARestartAndReplayAsTheyWereStreamed() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct")
        .putNodes("client", V1.NodeConfig.newBuilder().putSysctls("net.ipv4.tcp_fin_timeout", "7").build())
        .build());
    Run run = twlab.grpc().runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId())
        .setScenario("port-exhaustion").putParams("ports", "10").putParams("connections", "20").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.getState(), run.getError());
    List<LabEvent> live = events(WatchLabRequest.newBuilder().setLabId(lab.getId())
        .setAfterSequence(run.getStartSequence()).setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), run.getId());
    assertTrue(live.stream().filter(LabEvent::hasTransition).count() >= 40, "client and server ends of 10 connections");

    GradeReport graded = twlab.grpc().gradeExperiment(GradeExperimentRequest.newBuilder().setExperiment(EXPERIMENT)
        .build());
    assertTrue(graded.getPassed(), graded.toString());
    String gradedRun = graded.getRuns(0).getRun().getId();

    twlab.stopServer();
    twlab.start();

    Run recorded = twlab.grpc().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, recorded.getState());
    assertEquals(run.getResult(), recorded.getResult());
    assertEquals(run.getParamsMap(), recorded.getParamsMap());
    assertEquals("7", recorded.getEffectiveSysctlsOrThrow("client").getSysctlsOrThrow("net.ipv4.tcp_fin_timeout"));
    List<LabEvent> replayed = events(WatchLabRequest.newBuilder().setRunId(run.getId())
        .setDetail(WatchDetail.WATCH_DETAIL_CONNECTIONS).build(), run.getId());
    assertEquals(live, replayed, "the replay is the live stream, event for event");

    Run gradedRecord = twlab.grpc().getRun(GetRunRequest.newBuilder().setRunId(gradedRun).build());
    assertEquals("history check", gradedRecord.getExperiment());
    assertEquals(List.of("EADDRNOTAVAIL errors == 10", "narrow-client TIME_WAIT >= 10 at its peak"),
        gradedRecord.getVerdictsList().stream().map(v -> v.getExpectation()).toList());
    assertTrue(gradedRecord.getVerdictsList().stream().allMatch(v -> v.getPassed()));

    ListRunsResponse all = twlab.grpc().listRuns(ListRunsRequest.getDefaultInstance());
    assertEquals(List.of(gradedRun, run.getId()), all.getRunsList().stream().map(Run::getId).toList());
    ListRunsResponse byExperiment = twlab.grpc().listRuns(ListRunsRequest.newBuilder().setExperiment("history check")
        .build());
    assertEquals(List.of(gradedRun), byExperiment.getRunsList().stream().map(Run::getId).toList());
    ListRunsResponse firstPage = twlab.grpc().listRuns(ListRunsRequest.newBuilder().setPageSize(1).build());
    assertEquals("1", firstPage.getNextPageToken());
    assertEquals(List.of(run.getId()), twlab.grpc().listRuns(ListRunsRequest.newBuilder().setPageSize(1)
        .setPageToken(firstPage.getNextPageToken()).build()).getRunsList().stream().map(Run::getId).toList());

    HttpResponse<String> http = twlab.get("/api/v1/runs?lab_id=" + lab.getId());
    assertEquals(200, http.statusCode(), http.body());
    ListRunsResponse.Builder overHttp = ListRunsResponse.newBuilder();
    JsonFormat.parser().merge(http.body(), overHttp);
    assertEquals(List.of(run.getId()), overHttp.getRunsList().stream().map(Run::getId).toList());
    HttpResponse<String> sse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(twlab.httpBase() + "/api/v1/runs/" + run.getId() + "/events?states=TIME_WAIT"))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, sse.statusCode(), sse.body());
    assertEquals(10, sse.body().lines().filter(l -> l.equals("event: transition")).count(), sse.body());
    assertTrue(sse.body().contains("event: run_finished"), sse.body());
  }

  @Test
  void unknownRunsAndBadPagesAreRefusedByField() throws Exception {
    StatusRuntimeException missing = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> twlab.grpc().getRun(GetRunRequest.newBuilder().setRunId("run-nope").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    StatusRuntimeException replay = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> events(WatchLabRequest.newBuilder().setRunId("run-nope").build(), "run-nope"));
    assertEquals(Status.Code.NOT_FOUND, replay.getStatus().getCode());
    StatusRuntimeException token = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> twlab.grpc().listRuns(ListRunsRequest.newBuilder().setPageToken("x").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, token.getStatus().getCode());
    assertTrue(token.getStatus().getDescription().contains("page_token"), token.getStatus().getDescription());

    HttpResponse<String> size = twlab.get("/api/v1/runs?page_size=5000");
    assertEquals(400, size.statusCode());
    assertEquals("application/problem+json", size.headers().firstValue("Content-Type").orElse(""));
    assertTrue(size.body().contains("page_size"), size.body());
    HttpResponse<String> unknown = twlab.get("/api/v1/runs/run-nope/events");
    assertEquals(404, unknown.statusCode());
    assertFalse(unknown.body().isEmpty());
  }

  /** The stream's events up to the run's run_finished. */
  private static List<LabEvent> events(WatchLabRequest request, String runId) {
    List<LabEvent> events = new ArrayList<>();
    Iterator<LabEvent> stream = twlab.grpc().watchLab(request);
    while (stream.hasNext()) {
      LabEvent event = stream.next();
      events.add(event);
      if (event.hasRunFinished() && event.getRunFinished().getRun().getId().equals(runId)) {
        break;
      }
    }
    return events;
  }
}
