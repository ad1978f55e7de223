package io.twlab.bench;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.EndWorkshopRequest;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabEvent;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.TcpState;
import io.twlab.proto.v1.V1.WatchLabRequest;
import io.twlab.proto.v1.V1.Workshop;
import io.twlab.proto.v1.WorkshopServiceGrpc;
import io.twlab.server.ServerConfig;
import io.twlab.server.TwlabServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Issue 14: a workshop of {@value #CLASS} students on this host, each joining, making a lab and
 * running S1 at once; the figure is the time from a student's join to S1's TIME_WAIT on their own
 * event stream, median and worst. The baseline, measured in the same run: one student doing the
 * same alone. Run with {@code bench/run.sh workshop}.
 */
public final class WorkshopBench {
  private static final int CLASS = 30;
  private static final int SOLO_RUNS = 3;
  private static final LabSpec DIRECT = LabSpec.newBuilder().setTopology("direct").build();

  private final ManagedChannel channel;
  private final Workshop workshop;
  private final String instructor;
  private final List<String> labs = java.util.Collections.synchronizedList(new ArrayList<>());

  private WorkshopBench(ManagedChannel channel, Workshop workshop, String instructor) {
    this.channel = channel;
    this.workshop = workshop;
    this.instructor = instructor;
  }

  public static void main(String[] args) throws Exception {
    String owner = "twlab-bench-" + UUID.randomUUID().toString().substring(0, 8);
    Path data = Files.createTempDirectory(owner);
    try (TwlabServer server = TwlabServer.start(new ServerConfig(0, 0, owner).withDataDir(data)
        .withAccess(ServerConfig.LOOPBACK, true))) {
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.grpcPort(),
          InsecureChannelCredentials.create()).build();
      try {
        String admin = Files.readString(data.resolve("admin.token")).trim();
        String instructor = workshops(channel, admin).addInstructor(AddInstructorRequest.newBuilder()
            .setName("bench").build()).getToken();
        Workshop workshop = workshops(channel, instructor).createWorkshop(CreateWorkshopRequest.newBuilder()
            .setName("bench").setSeats(CLASS + SOLO_RUNS)
            .setDuration(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build());
        new WorkshopBench(channel, workshop, instructor).measure();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private void measure() throws Exception {
    try {
      List<Long> solo = new ArrayList<>();
      for (int i = 0; i < SOLO_RUNS; i++) {
        solo.add(joinToTimeWait("solo-" + i));
        deleteLabs();
      }
      ExecutorService students = Executors.newFixedThreadPool(CLASS);
      List<Future<Long>> times = new ArrayList<>();
      long started = System.nanoTime();
      try {
        for (int i = 0; i < CLASS; i++) {
          String name = "student-" + i;
          times.add(students.submit(() -> joinToTimeWait(name)));
        }
        List<Long> taken = new ArrayList<>();
        for (Future<Long> t : times) {
          taken.add(t.get(10, TimeUnit.MINUTES));
        }
        long all = (System.nanoTime() - started) / 1_000_000;
        long soloMedian = median(solo);
        long classMedian = median(taken);
        System.out.printf(Locale.ROOT, "%n## Workshop: %d students join, make a lab and run S1 at once%n", CLASS);
        System.out.printf(Locale.ROOT, "twlab, join -> S1's TIME_WAIT on the student's own stream: median %d ms, "
            + "worst %d ms; the whole class done in %d ms; every student saw only their own lab%n", classMedian,
            taken.stream().mapToLong(Long::longValue).max().orElseThrow(), all);
        System.out.printf(Locale.ROOT, "baseline, one student alone (median of %d): %d ms%n", SOLO_RUNS, soloMedian);
        System.out.printf(Locale.ROOT, "ratio class median / alone: %.2f%n", classMedian / (double) soloMedian);
      } finally {
        students.shutdownNow();
      }
    } finally {
      deleteLabs();
      workshops(channel, instructor).endWorkshop(EndWorkshopRequest.newBuilder().setWorkshopId(workshop.getId())
          .build());
    }
  }

  /** One student: joins, makes a lab, runs S1; milliseconds from the join to TIME_WAIT on their stream. */
  private long joinToTimeWait(String name) {
    long start = System.nanoTime();
    String token = workshops(channel, "").joinWorkshop(JoinWorkshopRequest.newBuilder()
        .setJoinCode(workshop.getJoinCode()).setName(name).build()).getToken();
    LabServiceGrpc.LabServiceBlockingStub lab = labs(token);
    Lab made = lab.createLab(CreateLabRequest.newBuilder().setSpec(DIRECT).build());
    labs.add(made.getId());
    Run run = lab.runScenario(RunScenarioRequest.newBuilder().setLabId(made.getId()).setScenario("nc-timewait")
        .build());
    Iterator<LabEvent> events = lab.withDeadlineAfter(5, TimeUnit.MINUTES).watchLab(WatchLabRequest.newBuilder()
        .setLabId(made.getId()).setAfterSequence(run.getStartSequence()).build());
    while (events.hasNext()) {
      LabEvent event = events.next();
      if (!event.getLabId().equals(made.getId())) {
        throw new IllegalStateException(name + " saw an event of lab " + event.getLabId());
      }
      if (event.hasTransition() && event.getTransition().getTo() == TcpState.TCP_STATE_TIME_WAIT) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        drain(events, run.getId());
        return ms;
      }
      if (event.hasRunFinished()) {
        throw new IllegalStateException(name + "'s run ended without a TIME_WAIT: " + event.getRunFinished());
      }
    }
    throw new IllegalStateException(name + "'s stream ended without a TIME_WAIT");
  }

  /** Reads on to the run's end, so that the next student's run does not overlap this one's. */
  private static void drain(Iterator<LabEvent> events, String runId) {
    while (events.hasNext()) {
      LabEvent event = events.next();
      if (event.hasRunFinished() && event.getRunFinished().getRun().getId().equals(runId)) {
        return;
      }
    }
  }

  private void deleteLabs() {
    for (String id : List.copyOf(labs)) {
      labs(instructor).deleteLab(DeleteLabRequest.newBuilder().setLabId(id).build());
      labs.remove(id);
    }
  }

  private LabServiceGrpc.LabServiceBlockingStub labs(String token) {
    return LabServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer(token))
        .withDeadlineAfter(10, TimeUnit.MINUTES);
  }

  private static WorkshopServiceGrpc.WorkshopServiceBlockingStub workshops(ManagedChannel channel, String token) {
    WorkshopServiceGrpc.WorkshopServiceBlockingStub stub = WorkshopServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(1, TimeUnit.MINUTES);
    return token.isEmpty() ? stub : stub.withCallCredentials(bearer(token));
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        applier.apply(headers);
      }
    };
  }
}
