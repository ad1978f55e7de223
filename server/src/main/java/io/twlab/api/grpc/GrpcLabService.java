package io.twlab.api.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ResourceInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.twlab.api.ApiError;
import io.twlab.api.ProtoMapper;
import io.twlab.app.ExperimentService;
import io.twlab.app.LabService;
import io.twlab.event.Detail;
import io.twlab.event.EventFilter;
import io.twlab.store.RunQuery;
import io.twlab.core.FieldViolation;
import io.twlab.proto.v1.CreateLabRequest;
import io.twlab.proto.v1.DeleteLabRequest;
import io.twlab.proto.v1.DeleteLabResponse;
import io.twlab.proto.v1.GetLabRequest;
import io.twlab.proto.v1.GetRunRequest;
import io.twlab.proto.v1.GradeExperimentRequest;
import io.twlab.proto.v1.GradeReport;
import io.twlab.proto.v1.Lab;
import io.twlab.proto.v1.LabEvent;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.ListLabsRequest;
import io.twlab.proto.v1.ListLabsResponse;
import io.twlab.proto.v1.ListScenariosRequest;
import io.twlab.proto.v1.ListScenariosResponse;
import io.twlab.proto.v1.ListRunsRequest;
import io.twlab.proto.v1.ListRunsResponse;
import io.twlab.proto.v1.Run;
import io.twlab.proto.v1.RunScenarioRequest;
import io.twlab.proto.v1.SweepReport;
import io.twlab.proto.v1.WatchLabRequest;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** twlab.v1.LabService over gRPC: translation only. */
public final class GrpcLabService extends LabServiceGrpc.LabServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcLabService.class);

  private final LabService service;
  private final ExperimentService experiments;
  private final ExecutorService watchers;

  /** {@code watchers} runs each WatchLab stream, so that gRPC's own threads are never blocked. */
  public GrpcLabService(LabService service, ExperimentService experiments, ExecutorService watchers) {
    this.service = service;
    this.experiments = experiments;
    this.watchers = watchers;
  }

  @Override
  public void createLab(CreateLabRequest request, StreamObserver<Lab> response) {
    unary(response, () -> ProtoMapper.lab(service.createLab(ProtoMapper.request(request.getSpec()))));
  }

  @Override
  public void getLab(GetLabRequest request, StreamObserver<Lab> response) {
    unary(response, () -> ProtoMapper.lab(service.getLab(request.getLabId())));
  }

  @Override
  public void listLabs(ListLabsRequest request, StreamObserver<ListLabsResponse> response) {
    unary(response, () -> ListLabsResponse.newBuilder()
        .addAllLabs(service.listLabs().stream().map(ProtoMapper::lab).toList()).build());
  }

  @Override
  public void deleteLab(DeleteLabRequest request, StreamObserver<DeleteLabResponse> response) {
    unary(response, () -> {
      service.deleteLab(request.getLabId());
      return DeleteLabResponse.newBuilder().setLabId(request.getLabId()).build();
    });
  }

  @Override
  public void listScenarios(ListScenariosRequest request, StreamObserver<ListScenariosResponse> response) {
    unary(response, () -> ListScenariosResponse.newBuilder()
        .addAllScenarios(service.scenarios().stream().map(ProtoMapper::scenario).toList()).build());
  }

  @Override
  public void runScenario(RunScenarioRequest request, StreamObserver<Run> response) {
    unary(response, () -> ProtoMapper.run(service.runScenario(request.getLabId(), request.getScenario(),
        request.getParamsMap(), request.getWait())));
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<Run> response) {
    unary(response, () -> ProtoMapper.run(service.getRun(request.getRunId())));
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
    unary(response, () -> {
      RunQuery query = ProtoMapper.runQuery(request.getLabId(), request.getScenario(), request.getExperiment(),
          request.getPageSize(), request.getPageToken());
      return ProtoMapper.runs(service.listRuns(query), query);
    });
  }

  @Override
  public void sweepExperiment(GradeExperimentRequest request, StreamObserver<SweepReport> response) {
    unary(response, () -> ProtoMapper.sweep(experiments.sweep(request.getExperiment())));
  }

  @Override
  public void gradeExperiment(GradeExperimentRequest request, StreamObserver<GradeReport> response) {
    unary(response, () -> ProtoMapper.grade(experiments.grade(request.getExperiment())));
  }

  @Override
  public void watchLab(WatchLabRequest request, StreamObserver<LabEvent> response) {
    ServerCallStreamObserver<LabEvent> stream = (ServerCallStreamObserver<LabEvent>) response;
    GrpcEventSink sink = new GrpcEventSink(stream);
    EventFilter filter;
    boolean replay = !request.getRunId().isEmpty();
    try {
      if (replay) {
        service.getRun(request.getRunId());
      } else {
        service.getLab(request.getLabId());
      }
      filter = ProtoMapper.filter(request);
    } catch (RuntimeException e) {
      response.onError(toStatus(e));
      return;
    }
    Detail detail = ProtoMapper.detail(request.getDetail());
    watchers.execute(() -> {
      try {
        if (replay) {
          service.replay(request.getRunId(), request.getAfterSequence(), filter, detail, request.getReplaySpeed(), sink);
        } else {
          service.watch(request.getLabId(), request.getAfterSequence(), filter, detail, sink);
        }
        if (sink.isOpen()) {
          stream.onCompleted();
        }
      } catch (Exception e) {
        if (sink.isOpen()) {
          stream.onError(toStatus(e));
        }
      }
    });
  }

  private interface Call<T> {
    T get() throws Exception;
  }

  private static <T> void unary(StreamObserver<T> response, Call<T> call) {
    T value;
    try {
      value = call.get();
    } catch (Exception e) {
      response.onError(toStatus(e));
      return;
    }
    response.onNext(value);
    response.onCompleted();
  }

  static StatusRuntimeException toStatus(Throwable e) {
    ApiError error = ApiError.of(e);
    if (error.kind() == ApiError.Kind.INTERNAL) {
      LOG.error("internal error", e);
    }
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code(error.kind()).getNumber())
        .setMessage(error.detail());
    if (!error.violations().isEmpty()) {
      BadRequest.Builder bad = BadRequest.newBuilder();
      for (FieldViolation v : error.violations()) {
        bad.addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.reason()));
      }
      status.addDetails(Any.pack(bad.build()));
    }
    if (!error.resourceType().isEmpty()) {
      status.addDetails(Any.pack(ResourceInfo.newBuilder().setResourceType(error.resourceType())
          .setResourceName(error.resourceName()).setDescription(error.detail()).build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  private static Code code(ApiError.Kind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Code.NOT_FOUND;
      case CONFLICT -> Code.FAILED_PRECONDITION;
      case UNAVAILABLE -> Code.UNAVAILABLE;
      case INTERNAL -> Code.INTERNAL;
    };
  }
}
