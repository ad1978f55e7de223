package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.ListScenariosRequest;
import io.twlab.proto.v1.V1.ListSysctlsRequest;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.Scenario;
import io.twlab.proto.v1.V1.SysctlKey;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What any gRPC or HTTP tool finds: health, reflection, the scenario catalogue, the sysctl allow-list,
 * parameter errors.
 */
class ApiDiscoveryIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture();
  @Test
  void grpcHealthAndReflectionDescribeTheService() throws Exception {
    ManagedChannel channel = Grpc.newChannelBuilder(twlab.grpcTarget(), InsecureChannelCredentials.create()).build();
    try {
      HealthCheckResponse health = HealthGrpc.newBlockingStub(channel)
          .check(HealthCheckRequest.newBuilder().setService("twlab.v1.LabService").build());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());

      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
          new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse value) {
              answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
          .map(s -> s.getName()).toList();
      requests.onCompleted();
      assertTrue(services.contains("twlab.v1.LabService"), services.toString());
      assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEquals(200, twlab.get("/healthz").statusCode());
  }

  @Test
  void scenariosDescribeThemselvesWithTypedBoundedParameters() throws Exception {
    List<Scenario> scenarios = twlab.grpc().listScenarios(ListScenariosRequest.getDefaultInstance()).getScenariosList();
    Scenario s1 = scenarios.stream().filter(s -> s.getName().equals("nc-timewait")).findFirst().orElseThrow();
    assertTrue(s1.getChecksClaim().contains("TIME_WAIT"));
    assertEquals(List.of("direct", "nat"), s1.getTopologiesList());
    var port = s1.getParametersList().stream().filter(p -> p.getName().equals("port")).findFirst().orElseThrow();
    assertEquals("int", port.getType());
    assertEquals("1024", port.getMin());
    assertEquals("65535", port.getMax());

    HttpResponse<String> http = twlab.get("/api/v1/scenarios");
    assertEquals(200, http.statusCode());
    assertTrue(http.body().contains("\"name\":\"nc-timewait\""), http.body());

    assertEquals(List.of("nc-timewait", "redis-flood", "port-exhaustion", "tw-reuse", "tw-buckets", "linger-rst",
        "close-wait-leak", "listener-restart", "nat-collision", "lost-final-ack", "fin-timeout"),
        scenarios.stream().map(Scenario::getName).toList());
    for (Scenario s : scenarios) {
      assertFalse(s.getTitle().isEmpty() || s.getDescription().isEmpty() || s.getChecksClaim().isEmpty(), s.getName());
      s.getParametersList().forEach(p -> assertFalse(p.getDefaultValue().isEmpty(), s.getName() + " " + p.getName()));
    }
    Scenario s3 = scenarios.get(2);
    assertEquals("net.ipv4.ip_local_port_range", s3.getSysctls(0).getKey());
    var connections = s3.getParametersList().stream().filter(p -> p.getName().equals("connections")).findFirst().orElseThrow();
    assertEquals("50000", connections.getMax());
    var reuse = scenarios.get(3).getParameters(0);
    assertEquals("list", reuse.getType());
    assertEquals(List.of("0", "1", "2"), reuse.getAllowedValuesList());
    assertEquals(List.of("nat"), scenarios.get(8).getTopologiesList());
  }

  @Test
  void theSysctlAllowListDescribesEachKeysBoundsAndHelpAndWhyOthersAreRefused() throws Exception {
    List<SysctlKey> keys = twlab.grpc().listSysctls(ListSysctlsRequest.getDefaultInstance()).getSysctlsList();
    SysctlKey finTimeout = keys.stream().filter(k -> k.getKey().equals("net.ipv4.tcp_fin_timeout")).findFirst()
        .orElseThrow();
    assertEquals(List.of("int", "1", "600"), List.of(finTimeout.getType(), String.valueOf(finTimeout.getMin()),
        String.valueOf(finTimeout.getMax())));
    assertTrue(finTimeout.getHelp().contains("never shortens TIME_WAIT"), finTimeout.getHelp());
    SysctlKey ports = keys.stream().filter(k -> k.getKey().equals("net.ipv4.ip_local_port_range")).findFirst()
        .orElseThrow();
    assertEquals("pair", ports.getType());
    SysctlKey recycle = keys.stream().filter(k -> k.getKey().equals("net.ipv4.tcp_tw_recycle")).findFirst()
        .orElseThrow();
    assertEquals("refused", recycle.getType());
    assertTrue(recycle.getHelp().contains("removed in Linux 4.12"), recycle.getHelp());
    keys.forEach(k -> assertFalse(k.getHelp().isEmpty(), k.getKey()));

    HttpResponse<String> http = twlab.get("/api/v1/sysctls");
    assertEquals(200, http.statusCode());
    assertTrue(http.body().contains("\"key\":\"net.ipv4.tcp_fin_timeout\",\"type\":\"int\",\"min\":\"1\",\"max\":\"600\""),
        http.body());
  }

  @Test
  void outOfBoundsLoadsAndScenariosOnTheWrongTopologyAreRefusedByField() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    StatusRuntimeException tooMany = assertThrows(StatusRuntimeException.class, () -> twlab.grpc().runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("redis-flood")
            .putParams("connections", "50001").putParams("max-seconds", "600").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, tooMany.getStatus().getCode());
    assertEquals(List.of("params[connections]", "params[max-seconds]"),
        LabLifecycleIT.violations(tooMany).stream().map(v -> v.getField()).sorted().toList());

    StatusRuntimeException badList = assertThrows(StatusRuntimeException.class, () -> twlab.grpc().runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("tw-reuse").putParams("reuse", "1,3").build()));
    assertTrue(LabLifecycleIT.violations(badList).get(0).getDescription().contains("'3' is not one of 0, 1, 2"),
        badList.getMessage());

    StatusRuntimeException wrongTopology = assertThrows(StatusRuntimeException.class, () -> twlab.grpc().runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nat-collision").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, wrongTopology.getStatus().getCode());
    assertEquals("lab_id", LabLifecycleIT.violations(wrongTopology).get(0).getField());
  }

  @Test
  void badScenarioParametersAndUnknownScenariosAreRefusedByName() throws Exception {
    Lab lab = twlab.createLab(LabSpec.newBuilder().setTopology("direct").build());
    StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> twlab.grpc().runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nc-timewait")
            .putParams("closer", "nobody").putParams("port", "70000").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    List<String> fields = LabLifecycleIT.violations(bad).stream().map(v -> v.getField()).sorted().toList();
    assertEquals(List.of("params[closer]", "params[port]"), fields);

    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> twlab.grpc().runScenario(
        RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("tcp-tw-recycle").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

    HttpResponse<String> http = twlab.post("/api/v1/labs/" + lab.getId() + "/runs",
        "{\"scenario\":\"nc-timewait\",\"params\":{\"wait-expiry\":\"perhaps\"}}");
    assertEquals(400, http.statusCode());
    assertTrue(http.body().contains("\"field\":\"params[wait-expiry]\""), http.body());
    assertEquals(404, twlab.post("/api/v1/labs/lab-nope/runs", "{\"scenario\":\"nc-timewait\"}").statusCode());
  }
}
