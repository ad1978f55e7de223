package io.twlab.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.twlab.app.EventStreams;
import io.twlab.app.GradingQueue;
import io.twlab.app.Labs;
import io.twlab.app.Runs;
import io.twlab.lab.LabStatus;
import io.twlab.runtime.EngineCall;
import io.twlab.runtime.LabRuntime;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The server's metrics in Prometheus' text format (Micrometer's Prometheus registry), read from
 * the services' own figures when scraped: labs by status, runs by scenario and state with their
 * duration, events appended and delivered, watchers and their lag, the host observer's drops and
 * CPU, queue depths, the container engine's calls, and the JVM. docs/scaling.md lists them.
 */
final class ServerMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final LabRuntime runtime;
  private final Set<String> engineOperations = ConcurrentHashMap.newKeySet();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  ServerMetrics(LabRuntime runtime, Labs labs, Runs runs, EventStreams events, GradingQueue grading) {
    this.runtime = runtime;
    for (LabStatus status : LabStatus.values()) {
      Gauge.builder("twlab.labs", labs, l -> l.countByStatus().getOrDefault(status, 0L))
          .description("labs held, by status").tag("status", status.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    runs.onFinished(run -> Timer.builder("twlab.runs")
        .description("finished runs and their duration, by scenario and end state")
        .tag("scenario", run.scenario()).tag("state", run.state().name().toLowerCase(Locale.ROOT))
        .register(registry)
        .record(Duration.between(run.startedAt(), run.finishedAt().orElse(run.startedAt()))));
    Gauge.builder("twlab.runs.running", runs, Runs::running).description("runs executing now").register(registry);
    Gauge.builder("twlab.runs.queued", runs, Runs::queued).description("runs waiting for a slot").register(registry);
    Gauge.builder("twlab.grading.queued", grading, GradingQueue::queued).description("grading jobs waiting")
        .register(registry);
    FunctionCounter.builder("twlab.events.appended", labs, Labs::eventsAppended)
        .description("events appended to the labs' logs").register(registry);
    FunctionCounter.builder("twlab.events.delivered", events, EventStreams::eventsDelivered)
        .description("events sent to watchers").register(registry);
    Gauge.builder("twlab.watchers", events, EventStreams::watching).description("lab watchers (live and replays) streaming now")
        .register(registry);
    Gauge.builder("twlab.watchers.lag.max", events, EventStreams::maxLag)
        .description("the most events any watcher is behind its lab's log").register(registry);
    Gauge.builder("twlab.watchers.waiting", events, EventStreams::waitingForObservation)
        .description("watchers in line while observation is behind: one batch each, one every 20 ms").register(registry);
    FunctionCounter.builder("twlab.tracer.lost", labs, l -> l.observerUsage().lostEvents())
        .description("state changes the kernel dropped (trace buffer overrun)").register(registry);
    FunctionCounter.builder("twlab.observer.cpu", labs, l -> l.observerUsage().observerCpuSeconds())
        .description("CPU time of the host observer's sampling process").baseUnit("seconds").register(registry);
    FunctionCounter.builder("twlab.tracer.cpu", labs, l -> l.observerUsage().tracerCpuSeconds())
        .description("CPU time of the host observer's tracer (twlab-trace)").baseUnit("seconds").register(registry);
    Gauge.builder("twlab.observer.namespaces", labs, l -> l.observerUsage().namespaces())
        .description("network namespaces the host observer watches").register(registry);
    Gauge.builder("twlab.observer.behind", labs, l -> l.observationBehind().toNanos() / 1e9)
        .description("how far traced changes reach the labs after the kernel made them; watchers go in line above 0.25 s")
        .baseUnit("seconds").register(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Every meter, in Prometheus' text format. */
  String scrape() {
    for (EngineCall call : runtime.engineCalls()) {
      if (engineOperations.add(call.operation())) {
        FunctionTimer.builder("twlab.engine.calls", runtime, r -> count(r, call.operation()),
                r -> nanos(r, call.operation()), TimeUnit.NANOSECONDS)
            .description("calls to the container engine until their response began, by operation")
            .tag("operation", call.operation()).register(registry);
      }
    }
    return registry.scrape();
  }

  private static long count(LabRuntime runtime, String operation) {
    return runtime.engineCalls().stream().filter(c -> c.operation().equals(operation)).mapToLong(EngineCall::count)
        .sum();
  }

  private static double nanos(LabRuntime runtime, String operation) {
    return runtime.engineCalls().stream().filter(c -> c.operation().equals(operation))
        .mapToLong(EngineCall::totalNanos).sum();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
