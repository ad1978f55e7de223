package io.twlab.server;

import io.twlab.api.ServerVersion;
import io.twlab.app.ServerLimits;
import io.twlab.app.ServerSettings;
import io.twlab.core.Bounded;
import io.twlab.identity.Credentials;
import io.twlab.runtime.Confinement;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Ports, owner, event retention, kernel tracer and run history of a control plane. Flags win over
 * environment variables ({@code --grpc-port} over {@code TWLAB_GRPC_PORT}), which win over the
 * defaults. Port 0 picks a free port. {@code tracerImage} empty: the lab images' own
 * (twlab/tracer:VERSION).
 */
public record ServerConfig(int grpcPort, int httpPort, String owner, int eventRetention, boolean tracer,
    String tracerImage, Path dataDir, int historyRuns, String bind, boolean auth, ServerLimits limits,
    Optional<Path> adminTokenFile, Confinement nodes, Optional<TlsFiles> tls, List<String> hosts) {
  public static final int DEFAULT_RETENTION = 100_000;
  public static final Path DEFAULT_DATA_DIR = Path.of(System.getProperty("user.home"), ".local", "share", "twlab");
  public static final int DEFAULT_HISTORY_RUNS = 10_000;
  private static final int MIN_RETENTION = 1_000;
  private static final int MAX_RETENTION = 10_000_000;
  private static final int MAX_HISTORY_RUNS = 1_000_000;
  private static final int MAX_LABS = 1_000;
  private static final int MIN_SHELL_IDLE = 5;
  private static final int MAX_SHELL_IDLE = 86_400;
  private static final int MAX_RUNS = 200;
  private static final int DEFAULT_NODE_MIB = 64;
  private static final int MIN_NODE_MIB = 16;
  private static final int MAX_NODE_MIB = 16_384;
  private static final int DEFAULT_NODE_PIDS = 256;
  private static final int MIN_NODE_PIDS = 32;
  private static final int MAX_NODE_PIDS = 32_768;
  private static final int MAX_NODE_CPUS = 64;

  public static final String LOOPBACK = "127.0.0.1";

  public ServerConfig {
    if (!auth && !isLoopback(bind)) {
      throw new IllegalArgumentException("--auth off is only allowed with --bind " + LOOPBACK + " (or ::1): a server "
          + "others can reach must check who calls it; keep --auth on, or bind to loopback");
    }
  }

  /** A developer's server: loopback only, without authentication. */
  public ServerConfig(int grpcPort, int httpPort, String owner) {
    this(grpcPort, httpPort, owner, DEFAULT_RETENTION, true, "", DEFAULT_DATA_DIR, DEFAULT_HISTORY_RUNS, LOOPBACK, false,
        ServerLimits.DEFAULT, Optional.empty(), ServerSettings.NODE, Optional.empty(), List.of());
  }

  public ServerConfig withTracer(boolean enabled, String image) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, enabled, image, dataDir, historyRuns, bind, auth,
        limits, adminTokenFile, nodes, tls, hosts);
  }

  public ServerConfig withDataDir(Path dir) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, tracer, tracerImage, dir, historyRuns, bind, auth,
        limits, adminTokenFile, nodes, tls, hosts);
  }

  /** Bound to {@code address}, checking callers' tokens or (loopback only) not. */
  public ServerConfig withAccess(String address, boolean authenticated) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, tracer, tracerImage, dataDir, historyRuns, address,
        authenticated, limits, adminTokenFile, nodes, tls, hosts);
  }

  /** With the server-wide limits on labs and runs. */
  public ServerConfig withLimits(ServerLimits newLimits) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, tracer, tracerImage, dataDir, historyRuns, bind,
        auth, newLimits, adminTokenFile, nodes, tls, hosts);
  }

  /** The admin's token read from {@code file} (a secret the deployment provides), not made at first start. */
  public ServerConfig withAdminTokenFile(Path file) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, tracer, tracerImage, dataDir, historyRuns, bind,
        auth, limits, Optional.of(file), nodes, tls, hosts);
  }

  /** Both APIs over TLS, with this certificate chain and key (PEM). */
  public ServerConfig withTls(TlsFiles files) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, tracer, tracerImage, dataDir, historyRuns, bind,
        auth, limits, adminTokenFile, nodes, Optional.of(files), hosts);
  }

  /**
   * The names (or addresses) HTTP clients reach this server by, beside the loopback ones: a request
   * for any other Host is refused, so that a site whose name was rebound to this server's address
   * cannot use it.
   */
  public List<String> allowedHosts() {
    Set<String> all = new LinkedHashSet<>(List.of("localhost", LOOPBACK, "[::1]"));
    if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
      all.add(bind.contains(":") ? "[" + bind + "]" : bind);
    }
    all.addAll(hosts);
    return List.copyOf(all);
  }

  private static boolean isLoopback(String address) {
    return address.equals(LOOPBACK) || address.equals("::1") || address.equals("localhost");
  }

  /** The configuration the flags and environment give; throws naming the flag or variable that is wrong. */
  public static ServerConfig from(String[] args, Map<String, String> env) {
    return parse(args, env, new PrintWriter(PrintWriter.nullWriter()))
        .orElseThrow(() -> new IllegalArgumentException("--help, --version and --new-token start no server"));
  }

  /**
   * Like {@link #from}, but prints the usage for --help (the version for --version, a new token for
   * --new-token) and returns empty.
   */
  public static Optional<ServerConfig> parse(String[] args, Map<String, String> env, PrintWriter out) {
    Options options = new Options();
    CommandLine cli = new CommandLine(options).setDefaultValueProvider(spec -> env.get(envName(spec)));
    CommandLine.ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + "; see --help");
    }
    if (cli.isUsageHelpRequested()) {
      cli.usage(out);
      return Optional.empty();
    }
    if (cli.isVersionHelpRequested()) {
      cli.printVersionHelp(out);
      return Optional.empty();
    }
    if (options.newToken) {
      out.println(Credentials.newToken());
      return Optional.empty();
    }
    return Optional.of(options.config(name -> parsed.hasMatchedOption(name) ? name
        : envName(cli.getCommandSpec().findOption(name))));
  }

  /** {@code --grpc-port} reads {@code TWLAB_GRPC_PORT} when it is not given. */
  private static String envName(ArgSpec spec) {
    return spec instanceof OptionSpec option
        ? "TWLAB_" + option.longestName().substring(2).replace('-', '_').toUpperCase(Locale.ROOT) : null;
  }

  @Command(name = "twlab-server", mixinStandardHelpOptions = true, versionProvider = Options.Version.class,
      description = "The twlab control plane: gRPC and HTTP APIs over Docker lab topologies. Every option "
          + "can also come from the environment: --grpc-port from TWLAB_GRPC_PORT, and so on.")
  static final class Options {
    @Option(names = "--grpc-port", paramLabel = "PORT", defaultValue = "9090", description = "gRPC port (0: any free one)")
    String grpcPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080", description = "HTTP port (0: any free one)")
    String httpPort;

    @Option(names = "--owner", paramLabel = "NAME", defaultValue = "twlab",
        description = "label on every Docker object this server makes; servers with other owners leave them alone")
    String owner;

    @Option(names = "--event-retention", paramLabel = "EVENTS", defaultValue = "" + DEFAULT_RETENTION,
        description = "events kept per lab for watchers that resume (" + MIN_RETENTION + "-" + MAX_RETENTION + ")")
    String eventRetention;

    @Option(names = "--tracer", paramLabel = "on|off", defaultValue = "on",
        description = "trace transitions with the kernel tracepoint (off: sample socket tables only)")
    String tracer;

    @Option(names = "--tracer-image", paramLabel = "IMAGE", defaultValue = "",
        description = "the tracer's image (default: the lab images' twlab/tracer)")
    String tracerImage;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where the run history lives (default: "
        + "~/.local/share/twlab)")
    String dataDir;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
        description = "the address both APIs listen on (127.0.0.1: this host only)")
    String bind;

    @Option(names = "--auth", paramLabel = "on|off", defaultValue = "on",
        description = "check every caller's bearer token (off: only with --bind 127.0.0.1, for a developer)")
    String auth;

    @Option(names = "--history-runs", paramLabel = "RUNS", defaultValue = "" + DEFAULT_HISTORY_RUNS,
        description = "how many of the newest runs the history keeps (1-" + MAX_HISTORY_RUNS + ")")
    String historyRuns;

    @Option(names = "--max-labs", paramLabel = "LABS", defaultValue = "" + 60,
        description = "labs this server holds at once, everyone's together (1-" + MAX_LABS + ")")
    String maxLabs;

    @Option(names = "--max-runs", paramLabel = "RUNS", defaultValue = "" + 16,
        description = "runs in progress at once, everyone's together; more wait in a queue (1-" + MAX_RUNS + ")")
    String maxRuns;

    @Option(names = "--grading-jobs", paramLabel = "JOBS", defaultValue = "",
        description = "submissions graded at once (1-" + ServerLimits.MAX_GRADING + "; default: one per core, at most 8); "
            + "more wait in the grading queue, fairly shared between students")
    String gradingJobs;

    @Option(names = "--shell-idle", paramLabel = "SECONDS", defaultValue = "" + 900,
        description = "a student's shell closes after this long without input or output (" + MIN_SHELL_IDLE + "-"
            + MAX_SHELL_IDLE + ")")
    String shellIdle;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "the admin's token, from a secret "
        + "(default: made at the first start and written to admin.token in the data directory)")
    String adminTokenFile;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "serve both APIs over TLS with this "
        + "certificate chain (PEM; with --tls-key)")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "the private key of --tls-cert (PEM, PKCS#8)")
    String tlsKey;

    @Option(names = "--public-host", paramLabel = "NAME", split = ",", description = "a name or address browsers "
        + "and HTTP clients reach this server by (repeat, or comma-separated); localhost and 127.0.0.1 always work, "
        + "any other Host is refused")
    List<String> publicHosts = List.of();

    @Option(names = "--node-memory", paramLabel = "MIB", defaultValue = "" + DEFAULT_NODE_MIB,
        description = "memory of each lab node, in MiB (" + MIN_NODE_MIB + "-" + MAX_NODE_MIB + ")")
    String nodeMemory;

    @Option(names = "--node-pids", paramLabel = "PROCESSES", defaultValue = "" + DEFAULT_NODE_PIDS,
        description = "processes and threads of each lab node (" + MIN_NODE_PIDS + "-" + MAX_NODE_PIDS + ")")
    String nodePids;

    @Option(names = "--node-cpus", paramLabel = "CPUS", defaultValue = "1",
        description = "CPUs each lab node may use at once (a quota, 1-" + MAX_NODE_CPUS + ")")
    String nodeCpus;

    @Option(names = "--new-token", description = "print a new random token for --admin-token-file, and exit")
    boolean newToken;

    /** {@code source} names where an option's value came from: its flag, or its environment variable. */
    ServerConfig config(java.util.function.UnaryOperator<String> source) {
      return new ServerConfig(
          port(source.apply("--grpc-port"), grpcPort),
          port(source.apply("--http-port"), httpPort),
          owner,
          within(source.apply("--event-retention"), eventRetention, MIN_RETENTION, MAX_RETENTION,
              "a number of events per lab"),
          onOff(source.apply("--tracer"), tracer),
          tracerImage,
          dataDir == null || dataDir.isBlank() ? DEFAULT_DATA_DIR : Path.of(dataDir),
          within(source.apply("--history-runs"), historyRuns, 1, MAX_HISTORY_RUNS, "a number of runs to keep"),
          bind.trim(),
          onOff(source.apply("--auth"), auth),
          ServerLimits.DEFAULT.withLabs(within(source.apply("--max-labs"), maxLabs, 1, MAX_LABS, "a number of labs"))
              .withRuns(within(source.apply("--max-runs"), maxRuns, 1, MAX_RUNS, "a number of runs"))
              .withGrading(gradingJobs.isBlank() ? ServerLimits.gradingFittedToHost() : within(source.apply(
                  "--grading-jobs"), gradingJobs, 1, ServerLimits.MAX_GRADING, "a number of submissions graded at once"))
              .withShellIdle(java.time.Duration.ofSeconds(within(source.apply("--shell-idle"), shellIdle,
                  MIN_SHELL_IDLE, MAX_SHELL_IDLE, "a number of seconds"))),
          adminTokenFile == null || adminTokenFile.isBlank() ? Optional.empty() : Optional.of(Path.of(adminTokenFile)),
          new Confinement(Confinement.MIB * within(source.apply("--node-memory"), nodeMemory, MIN_NODE_MIB, MAX_NODE_MIB,
              "a memory size in MiB"),
              within(source.apply("--node-pids"), nodePids, MIN_NODE_PIDS, MAX_NODE_PIDS, "a number of processes"),
              within(source.apply("--node-cpus"), nodeCpus, 1, MAX_NODE_CPUS, "a number of CPUs"), Set.of(), false),
          TlsFiles.of(tlsCert, tlsKey),
          publicHosts.stream().map(String::trim).filter(h -> !h.isEmpty()).toList());
    }

    private static int port(String name, String value) {
      return within(name, value, 0, 65535, "a port number");
    }

    private static int within(String name, String value, int min, int max, String what) {
      try {
        int n = Integer.parseInt(value.trim());
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(name + " must be " + what + " (" + min + "-" + max + "), got " + Bounded.quote(value));
    }

    private static boolean onOff(String name, String value) {
      return switch (value.trim()) {
        case "on" -> true;
        case "off" -> false;
        default -> throw new IllegalArgumentException(name + " must be on or off, got " + Bounded.quote(value));
      };
    }

    static final class Version implements CommandLine.IVersionProvider {
      @Override
      public String[] getVersion() {
        return new String[] {"twlab-server " + ServerVersion.CURRENT};
      }
    }
  }
}
