package io.twlab.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ResourceInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.LabStatus;
import io.twlab.proto.v1.V1.ListLabsRequest;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.ListRunsResponse;
import io.twlab.proto.v1.V1.ListScenariosRequest;
import io.twlab.proto.v1.V1.NodeConfig;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.Scenario;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.WatchLabRequest;
import io.twlab.testing.InProcessTwlab;
import io.twlab.testing.SampleRuns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gRPC adapter over the in-process transport, on a fake engine: how requests, results and
 * errors are translated (status codes with their details), paging, replay. No Docker: the kernel's
 * behaviour is the integration tests' to claim.
 */
class GrpcLabServiceTest {
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  /** Each test's own server; its history starts as the test seeds it. */
  @RegisterExtension
  final InProcessTwlab.Fixture servers = new InProcessTwlab.Fixture();

  @Test
  void aLabIsMadeReadListedAndDeletedThenNotFoundWithItsResource() {
    var grpc = servers.start(history -> { }).grpc();

    Lab lab = grpc.createLab(CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("direct")
        .setClients(1).putNodes("client", NodeConfig.newBuilder().putSysctls("net.ipv4.tcp_tw_reuse", "1").build()))
        .build());

    assertEquals(LabStatus.LAB_STATUS_READY, lab.getStatus());
    assertEquals(List.of("client", "server"), lab.getNodesList().stream().map(n -> n.getName()).sorted().toList());
    assertEquals("1", lab.getNodesList().stream().filter(n -> n.getName().equals("client")).findFirst().orElseThrow()
        .getEffectiveSysctlsOrThrow("net.ipv4.tcp_tw_reuse"), "the sysctls the node really has, read back");
    assertTrue(lab.getObservationMode().startsWith("sampling"), lab.getObservationMode());
    assertEquals(lab.getId(), grpc.getLab(GetLabRequest.newBuilder().setLabId(lab.getId()).build()).getId());
    assertEquals(List.of(lab.getId()), grpc.listLabs(ListLabsRequest.getDefaultInstance()).getLabsList().stream()
        .map(Lab::getId).toList());

    grpc.deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());

    StatusRuntimeException gone = assertThrows(StatusRuntimeException.class,
        () -> grpc.getLab(GetLabRequest.newBuilder().setLabId(lab.getId()).build()));
    assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    ResourceInfo resource = detail(gone, ResourceInfo.class);
    assertEquals("lab", resource.getResourceType());
    assertEquals(lab.getId(), resource.getResourceName());
  }

  @Test
  void aBadSpecIsRefusedWithEveryBadFieldNamed() {
    var grpc = servers.start(history -> { }).grpc();

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> grpc.createLab(
        CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("direct").setClients(2)
            .setSnatPortRange("61000-61009")).build()));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    List<String> fields = detail(e, BadRequest.class).getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).toList();
    assertEquals(List.of("spec.clients", "spec.snat_port_range"), fields.stream().sorted().toList());
    assertEquals(List.of(), grpc.listLabs(ListLabsRequest.getDefaultInstance()).getLabsList(), "nothing left behind");
  }

  @Test
  void aRunOfAnUnknownScenarioIsNotFoundAndBadParametersAreNamed() {
    var grpc = servers.start(history -> { }).grpc();
    Lab lab = grpc.createLab(CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("direct")
        .setClients(1)).build());

    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> grpc.runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("no-such").build()));
    StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> grpc.runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nc-timewait").putParams("port", "80")
            .putParams("closer", "both").build()));
    StatusRuntimeException wrongTopology = assertThrows(StatusRuntimeException.class, () -> grpc.runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nat-collision").build()));

    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    assertTrue(unknown.getStatus().getDescription().contains("nc-timewait"), "it lists the scenarios there are");
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertEquals(List.of("params[closer]", "params[port]"), detail(bad, BadRequest.class).getFieldViolationsList()
        .stream().map(BadRequest.FieldViolation::getField).sorted().toList());
    assertEquals("lab_id", detail(wrongTopology, BadRequest.class).getFieldViolations(0).getField());
  }

  @Test
  void everyScenarioIsListedWithItsParametersAndTheSysctlsOfItsRunNodes() {
    var grpc = servers.start(history -> { }).grpc();

    List<Scenario> scenarios = grpc.listScenarios(ListScenariosRequest.getDefaultInstance()).getScenariosList();

    assertEquals(11, scenarios.size());
    assertTrue(scenarios.stream().allMatch(s -> !s.getTitle().isEmpty() && !s.getDescription().isEmpty()
        && !s.getChecksClaim().isEmpty() && s.getParametersCount() > 0));
    Scenario twReuse = scenarios.stream().filter(s -> s.getName().equals("tw-reuse")).findFirst().orElseThrow();
    assertEquals(List.of("net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_timestamps", "net.ipv4.tcp_tw_reuse_delay",
        "net.ipv4.ip_local_port_range"), twReuse.getSysctlsList().stream().map(s -> s.getKey()).toList());
    assertEquals("reuse<r>-ts<t>-d<ms>-<pace>[-lo]", twReuse.getSysctls(0).getNode());
  }

  @Test
  void runsArePagedNewestFirstAndFiltered() {
    var grpc = servers.start(history -> {
      for (int i = 1; i <= 5; i++) {
        history.save(SampleRuns.finished("run-" + i, "lab-a", i % 2 == 0 ? "tw-buckets" : "port-exhaustion",
            T0.plusSeconds(i)), Map.of(), List.of());
      }
    }).grpc();

    List<String> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListRunsResponse page = grpc.listRuns(ListRunsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
      page.getRunsList().forEach(r -> seen.add(r.getId()));
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty() && pages < 10);

    assertEquals(List.of("run-5", "run-4", "run-3", "run-2", "run-1"), seen);
    assertEquals(3, pages);
    assertEquals(List.of("run-4", "run-2"), grpc.listRuns(ListRunsRequest.newBuilder().setScenario("tw-buckets")
        .build()).getRunsList().stream().map(Run::getId).toList());
    StatusRuntimeException badToken = assertThrows(StatusRuntimeException.class,
        () -> grpc.listRuns(ListRunsRequest.newBuilder().setPageToken("not-a-token").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, badToken.getStatus().getCode());
  }

  @Test
  void aRecordedRunComesBackWithItsTypedResultAndItsTimelineReplays() {
    var twlab = servers.start(history -> {
      var run = SampleRuns.finished("run-1", "lab-a", "port-exhaustion", T0);
      history.save(run, Map.of("narrow-client", Map.of("net.ipv4.ip_local_port_range", "40000 40099")),
          SampleRuns.timeline(run));
    });

    Run run = twlab.grpc().getRun(GetRunRequest.newBuilder().setRunId("run-1").build());
    Iterator<LabEvent> replay = twlab.grpc().watchLab(WatchLabRequest.newBuilder().setRunId("run-1").build());
    List<LabEvent> events = new ArrayList<>();
    replay.forEachRemaining(events::add);

    assertEquals(100, run.getResult().getPortExhaustion().getLoad().getSucceeded());
    assertTrue(run.getResult().getPortExhaustion().getRecoveryObserved());
    assertEquals("40000 40099", run.getEffectiveSysctlsOrThrow("narrow-client").getSysctlsOrThrow(
        "net.ipv4.ip_local_port_range"));
    assertEquals(List.of(7L, 8L, 9L, 10L, 11L), events.stream().map(LabEvent::getSequence).toList());
    assertEquals(TcpState.TCP_STATE_TIME_WAIT, events.get(1).getTransition().getTo());
    assertEquals("10.0.0.2:40000", events.get(1).getTransition().getLocal());
    assertEquals(59, events.get(1).getTransition().getTimeWaitRemaining().getSeconds());
    assertEquals("run-1", events.get(4).getRunFinished().getRun().getId());
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
        () -> twlab.grpc().getRun(GetRunRequest.newBuilder().setRunId("run-404").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
  }

  @Test
  void watchingAnUnknownLabFailsBeforeTheStreamOpens() {
    var grpc = servers.start(history -> { }).grpc();

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> grpc.watchLab(WatchLabRequest.newBuilder().setLabId("lab-404").build()).hasNext());

    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    try {
      for (var any : status.getDetailsList()) {
        if (any.is(type)) {
          return any.unpack(type);
        }
      }
    } catch (InvalidProtocolBufferException x) {
      throw new AssertionError(x);
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status);
  }
}
