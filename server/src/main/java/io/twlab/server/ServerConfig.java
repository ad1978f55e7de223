package io.twlab.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * Ports, owner, event retention, kernel tracer and run history of a control plane. Flags win over
 * environment variables, which win over the defaults (gRPC 9090, HTTP 8080, owner "twlab", 100 000
 * events kept per lab, tracer on with the lab images' tracer, history in ~/.local/share/twlab,
 * newest 10 000 runs kept). Port 0 picks a free port.
 * {@code tracerImage} empty: the lab images' own (twlab/tracer:VERSION).
 */
public record ServerConfig(int grpcPort, int httpPort, String owner, int eventRetention, boolean tracer,
    String tracerImage, Path dataDir, int historyRuns) {
  public static final int DEFAULT_RETENTION = 100_000;
  public static final Path DEFAULT_DATA_DIR = Path.of(System.getProperty("user.home"), ".local", "share", "twlab");
  public static final int DEFAULT_HISTORY_RUNS = 10_000;
  private static final int MIN_RETENTION = 1_000;
  private static final int MAX_RETENTION = 10_000_000;
  private static final int MAX_HISTORY_RUNS = 1_000_000;

  public ServerConfig(int grpcPort, int httpPort, String owner) {
    this(grpcPort, httpPort, owner, DEFAULT_RETENTION, true, "", DEFAULT_DATA_DIR, DEFAULT_HISTORY_RUNS);
  }

  public ServerConfig withTracer(boolean enabled, String image) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, enabled, image, dataDir, historyRuns);
  }

  public ServerConfig withDataDir(Path dir) {
    return new ServerConfig(grpcPort, httpPort, owner, eventRetention, tracer, tracerImage, dir, historyRuns);
  }

  public static ServerConfig from(String[] args, Map<String, String> env) {
    int grpc = intOf("TWLAB_GRPC_PORT", env.getOrDefault("TWLAB_GRPC_PORT", "9090"));
    int http = intOf("TWLAB_HTTP_PORT", env.getOrDefault("TWLAB_HTTP_PORT", "8080"));
    String owner = env.getOrDefault("TWLAB_OWNER", "twlab");
    int retention = retentionOf("TWLAB_EVENT_RETENTION",
        env.getOrDefault("TWLAB_EVENT_RETENTION", String.valueOf(DEFAULT_RETENTION)));
    boolean tracer = switchOf("TWLAB_TRACER", env.getOrDefault("TWLAB_TRACER", "on"));
    String tracerImage = env.getOrDefault("TWLAB_TRACER_IMAGE", "");
    Path dataDir = env.containsKey("TWLAB_DATA_DIR") ? Path.of(env.get("TWLAB_DATA_DIR")) : DEFAULT_DATA_DIR;
    int historyRuns = historyOf("TWLAB_HISTORY_RUNS",
        env.getOrDefault("TWLAB_HISTORY_RUNS", String.valueOf(DEFAULT_HISTORY_RUNS)));
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      String value = flag.contains("=") ? flag.substring(flag.indexOf('=') + 1) : (i + 1 < args.length ? args[++i] : "");
      switch (flag.contains("=") ? flag.substring(0, flag.indexOf('=')) : flag) {
        case "--grpc-port" -> grpc = intOf("--grpc-port", value);
        case "--http-port" -> http = intOf("--http-port", value);
        case "--owner" -> owner = value;
        case "--event-retention" -> retention = retentionOf("--event-retention", value);
        case "--tracer" -> tracer = switchOf("--tracer", value);
        case "--tracer-image" -> tracerImage = value;
        case "--data-dir" -> dataDir = Path.of(value);
        case "--history-runs" -> historyRuns = historyOf("--history-runs", value);
        default -> throw new IllegalArgumentException("unknown option " + flag + "; options: --grpc-port N, "
            + "--http-port N, --owner NAME, --event-retention EVENTS, --tracer on|off, --tracer-image IMAGE, "
            + "--data-dir DIR, --history-runs RUNS");
      }
    }
    return new ServerConfig(grpc, http, owner, retention, tracer, tracerImage, dataDir, historyRuns);
  }

  private static int historyOf(String name, String value) {
    try {
      int runs = Integer.parseInt(value.trim());
      if (runs >= 1 && runs <= MAX_HISTORY_RUNS) {
        return runs;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a number of runs to keep (1-" + MAX_HISTORY_RUNS + "), got '"
        + value + "'");
  }

  private static boolean switchOf(String name, String value) {
    return switch (value.trim()) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException(name + " must be on or off, got '" + value + "'");
    };
  }

  private static int retentionOf(String name, String value) {
    try {
      int events = Integer.parseInt(value.trim());
      if (events >= MIN_RETENTION && events <= MAX_RETENTION) {
        return events;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a number of events per lab (" + MIN_RETENTION + "-"
        + MAX_RETENTION + "), got '" + value + "'");
  }

  private static int intOf(String name, String value) {
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a port number (0-65535), got '" + value + "'");
  }
}
