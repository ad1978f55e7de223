package io.twlab.api.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.QuotaFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.twlab.api.ApiError;
import io.twlab.api.ApiError.Kind;
import io.twlab.api.ProtoMapper;
import io.twlab.app.Captures;
import io.twlab.app.EventStreams;
import io.twlab.app.ExperimentService;
import io.twlab.app.Labs;
import io.twlab.app.Runs;
import io.twlab.app.Shells;
import io.twlab.app.TwlabServices;
import io.twlab.core.Caller;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.event.EventFilter;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.V1.CaptureChunk;
import io.twlab.proto.v1.V1.CaptureRequest;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.DeleteLabResponse;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.GetRunCaptureRequest;
import io.twlab.proto.v1.V1.GetRunLaddersRequest;
import io.twlab.proto.v1.V1.GetRunRequest;
import io.twlab.proto.v1.V1.GradeExperimentRequest;
import io.twlab.proto.v1.V1.GradeReport;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabEventBatch;
import io.twlab.proto.v1.V1.ListLabsRequest;
import io.twlab.proto.v1.V1.ListLabsResponse;
import io.twlab.proto.v1.V1.ListRunsRequest;
import io.twlab.proto.v1.V1.ListRunsResponse;
import io.twlab.proto.v1.V1.ListScenariosRequest;
import io.twlab.proto.v1.V1.ListScenariosResponse;
import io.twlab.proto.v1.V1.ListSysctlsRequest;
import io.twlab.proto.v1.V1.ListSysctlsResponse;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunLadders;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.ShellInput;
import io.twlab.proto.v1.V1.ShellOutput;
import io.twlab.proto.v1.V1.SweepReport;
import io.twlab.proto.v1.V1.WatchLabRequest;
import io.twlab.store.RunQuery;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** twlab.v1.LabService over gRPC: translation only. */
public final class GrpcLabService extends LabServiceGrpc.LabServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcLabService.class);
  /** A pcap goes out in chunks well under gRPC's 4 MiB message limit. */
  private static final int CHUNK = 256 * 1024;
  static final int DEFAULT_LADDERS = 10;

  private final Labs labs;
  private final Runs runs;
  private final EventStreams events;
  private final ExperimentService experiments;
  private final Captures captures;
  private final Shells shells;
  private final ExecutorService watchers;
  private final MappedEvents mapped = new MappedEvents();

  /** {@code watchers} runs each WatchLab stream, so that gRPC's own threads are never blocked. */
  public GrpcLabService(TwlabServices services, ExecutorService watchers) {
    this.labs = services.labs();
    this.runs = services.runs();
    this.events = services.events();
    this.experiments = services.experiments();
    this.captures = services.captures();
    this.shells = services.shells();
    this.watchers = watchers;
  }

  @Override
  public StreamObserver<ShellInput> openShell(StreamObserver<ShellOutput> response) {
    return new GrpcShellCall(shells, response);
  }

  @Override
  public void getRunCapture(GetRunCaptureRequest request, StreamObserver<CaptureChunk> response) {
    Caller caller = caller();
    stream(response, watchers, (open, send) -> {
      byte[] pcap = runs.capture(caller, request.getRunId(), request.getNode());
      for (int at = 0; at < pcap.length && open.getAsBoolean(); at += CHUNK) {
        send.accept(CaptureChunk.newBuilder().setData(ByteString.copyFrom(pcap, at, Math.min(CHUNK, pcap.length - at)))
            .build());
      }
    });
  }

  @Override
  public void getRunLadders(GetRunLaddersRequest request, StreamObserver<RunLadders> response) {
    unary(response, () -> ProtoMapper.ladders(runs.ladders(caller(), request.getRunId(), request.getNode(),
        request.getMax() == 0 ? DEFAULT_LADDERS : request.getMax())));
  }

  @Override
  public void capture(CaptureRequest request, StreamObserver<CaptureChunk> response) {
    Caller caller = caller();
    stream(response, watchers, (open, send) -> captures.capture(caller, request.getLabId(), new Captures.Request(
        request.getNode(), request.getFilter(), request.getSeconds() == 0 ? Captures.DEFAULT_SECONDS : request.getSeconds(),
        request.getMaxBytes() == 0 ? Captures.DEFAULT_BYTES : request.getMaxBytes()), new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] bytes, int offset, int length) throws IOException {
            if (!open.getAsBoolean()) {
              throw new IOException("the client cancelled the capture");
            }
            send.accept(CaptureChunk.newBuilder().setData(ByteString.copyFrom(bytes, offset, length)).build());
          }
        }));
  }

  @Override
  public void createLab(CreateLabRequest request, StreamObserver<Lab> response) {
    unary(response, () -> ProtoMapper.lab(ProtoMapper.createLab(labs, caller(), request.getSpec())));
  }

  @Override
  public void getLab(GetLabRequest request, StreamObserver<Lab> response) {
    unary(response, () -> ProtoMapper.lab(labs.get(caller(), request.getLabId())));
  }

  @Override
  public void listLabs(ListLabsRequest request, StreamObserver<ListLabsResponse> response) {
    unary(response, () -> ListLabsResponse.newBuilder()
        .addAllLabs(labs.list(caller()).stream().map(ProtoMapper::lab).toList()).build());
  }

  @Override
  public void deleteLab(DeleteLabRequest request, StreamObserver<DeleteLabResponse> response) {
    unary(response, () -> {
      labs.delete(caller(), request.getLabId());
      return DeleteLabResponse.newBuilder().setLabId(request.getLabId()).build();
    });
  }

  @Override
  public void listSysctls(ListSysctlsRequest request, StreamObserver<ListSysctlsResponse> response) {
    unary(response, () -> ProtoMapper.sysctls(labs.sysctlRules()));
  }

  @Override
  public void listScenarios(ListScenariosRequest request, StreamObserver<ListScenariosResponse> response) {
    unary(response, () -> ListScenariosResponse.newBuilder()
        .addAllScenarios(runs.scenarios(caller()).stream().map(ProtoMapper::scenario).toList()).build());
  }

  @Override
  public void runScenario(RunScenarioRequest request, StreamObserver<Run> response) {
    unary(response, () -> ProtoMapper.run(runs.start(caller(), request.getLabId(), request.getScenario(),
        request.getParamsMap(), request.getWait())));
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<Run> response) {
    unary(response, () -> ProtoMapper.run(runs.get(caller(), request.getRunId())));
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
    unary(response, () -> {
      RunQuery query = ProtoMapper.runQuery(request.getLabId(), request.getScenario(), request.getExperiment(),
          request.getPageSize(), request.getPageToken());
      return ProtoMapper.runs(runs.list(caller(), query), query);
    });
  }

  @Override
  public void sweepExperiment(GradeExperimentRequest request, StreamObserver<SweepReport> response) {
    unary(response, () -> ProtoMapper.sweep(experiments.sweep(caller(), request.getExperiment())));
  }

  @Override
  public void gradeExperiment(GradeExperimentRequest request, StreamObserver<GradeReport> response) {
    unary(response, () -> ProtoMapper.grade(experiments.grade(caller(), request.getExperiment())));
  }

  /**
   * What a server adds: the generated binding, but WatchLabBatched writes its batches from the
   * events' shared encodings.
   */
  public ServerServiceDefinition definition() {
    ServerServiceDefinition generated = bindService();
    String batched = LabServiceGrpc.getWatchLabBatchedMethod().getFullMethodName();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(generated.getServiceDescriptor().getName())
        .setSchemaDescriptor(generated.getServiceDescriptor().getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
      methods.add(method.getMethodDescriptor().getFullMethodName().equals(batched)
          ? sharedEncodings(LabServiceGrpc.getWatchLabBatchedMethod(), method) : method);
    }
    methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(definition::addMethod);
    return definition.build();
  }

  @SuppressWarnings("unchecked")
  private ServerMethodDefinition<WatchLabRequest, LabEventBatch> sharedEncodings(
      MethodDescriptor<WatchLabRequest, LabEventBatch> generated, ServerMethodDefinition<?, ?> method) {
    MethodDescriptor<WatchLabRequest, LabEventBatch> descriptor = generated.toBuilder()
        .setResponseMarshaller(new SharedBatchMarshaller(generated.getResponseMarshaller(), mapped)).build();
    return ServerMethodDefinition.create(descriptor,
        ((ServerMethodDefinition<WatchLabRequest, LabEventBatch>) method).getServerCallHandler());
  }

  @Override
  public void watchLab(WatchLabRequest request, StreamObserver<LabEvent> response) {
    ServerCallStreamObserver<LabEvent> stream = (ServerCallStreamObserver<LabEvent>) response;
    watch(request, stream, GrpcEventSink.single(stream, mapped));
  }

  @Override
  public void watchLabBatched(WatchLabRequest request, StreamObserver<LabEventBatch> response) {
    ServerCallStreamObserver<LabEventBatch> stream = (ServerCallStreamObserver<LabEventBatch>) response;
    watch(request, stream, GrpcEventSink.batches(stream, mapped));
  }

  private void watch(WatchLabRequest request, ServerCallStreamObserver<?> stream, GrpcEventSink<?> sink) {
    try {
      EventFilter filter = ProtoMapper.filter(request);
      if (request.getAfterSequence() < EventStreams.FROM_NOW) {
        throw new InvalidArgumentException("after_sequence", "must be a sequence number, 0 (every retained event) "
            + "or -1 (from now on), got " + request.getAfterSequence());
      }
      EventStreams.Stream source = request.getRunId().isEmpty() ? events.lab(caller(), request.getLabId())
          : events.replay(caller(), request.getRunId(), request.getReplaySpeed());
      source.start(request.getAfterSequence(), filter, ProtoMapper.detail(request.getDetail()), sink);
    } catch (RuntimeException e) {
      stream.onError(toStatus(e));
    }
  }

  /** Who calls, as {@link AuthInterceptor} found them. */
  private static Caller caller() {
    return AuthInterceptor.CALLER.get();
  }

  interface Call<T> {
    T get() throws Exception;
  }

  /** A server stream's body: it sends while {@code open} says the client still listens. */
  interface Streamed<T> {
    void run(BooleanSupplier open, Consumer<T> send) throws Exception;
  }

  /**
   * Runs a server stream on {@code watchers}, so that gRPC's own threads are never blocked: {@code
   * body} sends until it is done or the client cancels; the stream then completes, or fails with the
   * error's status.
   */
  static <T> void stream(StreamObserver<T> response, ExecutorService watchers, Streamed<T> body) {
    ServerCallStreamObserver<T> stream = (ServerCallStreamObserver<T>) response;
    AtomicBoolean cancelled = new AtomicBoolean();
    stream.setOnCancelHandler(() -> cancelled.set(true));
    watchers.execute(() -> {
      try {
        body.run(() -> !cancelled.get(), stream::onNext);
        if (!cancelled.get()) {
          stream.onCompleted();
        }
      } catch (Exception e) {
        if (!cancelled.get()) {
          stream.onError(toStatus(e));
        }
      }
    });
  }

  static <T> void unary(StreamObserver<T> response, Call<T> call) {
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
    if (error.retryAfterSeconds() > 0) {
      status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
          com.google.protobuf.Duration.newBuilder().setSeconds(error.retryAfterSeconds())).build()));
    }
    error.quota().ifPresent(q -> status.addDetails(Any.pack(QuotaFailure.newBuilder().addViolations(
        QuotaFailure.Violation.newBuilder().setSubject(q.limit())
            .setDescription(q.used() + " of " + q.max() + " in use")).build())));
    if (!error.resourceType().isEmpty()) {
      status.addDetails(Any.pack(ResourceInfo.newBuilder().setResourceType(error.resourceType())
          .setResourceName(error.resourceName()).setDescription(error.detail()).build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  private static Code code(ApiError.Kind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
      case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
      case RESOURCE_EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
      case NOT_FOUND -> Code.NOT_FOUND;
      case CONFLICT -> Code.FAILED_PRECONDITION;
      case UNAVAILABLE -> Code.UNAVAILABLE;
      case INTERNAL -> Code.INTERNAL;
    };
  }
}
