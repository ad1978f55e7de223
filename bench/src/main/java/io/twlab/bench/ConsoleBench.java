package io.twlab.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.twlab.proto.v1.LabServiceGrpc;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.DeleteLabRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.server.ServerConfig;
import io.twlab.server.TwlabServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 19: the web console's frame rate while a nat lab's {@value #CONNECTIONS}-connection
 * redis-flood streams into its live view (counts, lanes, log), in Debian's headless Chromium at
 * 1280x800. The baseline, measured in the same run: the same flood while the console shows its labs
 * list (no stream), so that the machine's load is the same and only the live view differs. Also:
 * the longest gap between frames, frames later than 50 ms, and whether the page received every
 * event. Run with {@code bench/run.sh console}; a screenshot goes to bench/target/.
 */
public final class ConsoleBench {
  private static final int CONNECTIONS = 10_000;
  /** Also sums the page's tasks longer than 50 ms (the main thread busy), as Chromium reports them. */
  private static final String RESET = "Object.assign(window.twlabFrames, {count: 0, slow: 0, worst: 0, busy: 0});"
      + "if (!window.twlabLongTasks) { window.twlabLongTasks = new PerformanceObserver(l => l.getEntries()"
      + ".forEach(e => { window.twlabFrames.busy += e.duration; })); window.twlabLongTasks.observe({type: 'longtask'}); }";
  private static final String READ = "const f = window.twlabFrames; return [f.count, f.slow, f.worst, f.busy];";

  public static void main(String[] args) throws Exception {
    String owner = "twlab-bench-" + UUID.randomUUID().toString().substring(0, 8);
    Path data = Files.createTempDirectory(owner);
    try (TwlabServer server = TwlabServer.start(new ServerConfig(0, 0, owner).withDataDir(data))) {
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.grpcPort(),
          InsecureChannelCredentials.create()).build();
      ChromeDriver browser = browser();
      LabServiceGrpc.LabServiceBlockingStub labs = LabServiceGrpc.newBlockingStub(channel);
      Lab lab = labs.createLab(CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("nat")).build());
      // The baseline's flood runs in a fresh lab of its own: a second flood in the first lab would
      // meet its 10 000 TIME_WAIT sockets and run slower, a lighter load.
      Lab other = labs.createLab(CreateLabRequest.newBuilder().setSpec(LabSpec.newBuilder().setTopology("nat")).build());
      try {
        browser.get("http://localhost:" + server.httpPort() + "/#/labs/" + lab.getId());
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElement(By.cssSelector(".charts canvas")));
        labs.runScenario(RunScenarioRequest.newBuilder().setLabId(lab.getId()).setScenario("nc-timewait")
            .setWait(true).build());
        Measure live = flood(browser, labs, lab);
        Thread.sleep(2000);
        String status = browser.findElement(By.cssSelector(".stream-status")).getText();
        Files.write(Path.of("bench", "target", "console-flood.png"), browser.getScreenshotAs(OutputType.BYTES));
        browser.get("http://localhost:" + server.httpPort() + "/#/labs");
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElement(By.cssSelector("#create-title")));
        Measure still = flood(browser, labs, other);
        System.out.printf(Locale.ROOT, "%n## Console: the live view during a %d-connection redis-flood, 1280x800%n",
            CONNECTIONS);
        System.out.println("twlab, the lab's live view: " + live);
        System.out.println("baseline, the same flood with the console on its labs list (no stream, same machine load): "
            + still);
        System.out.printf(Locale.ROOT, "ratio frames/s live view / labs list: %.2f%n", live.fps() / still.fps());
        System.out.printf(Locale.ROOT, "the live view's stream afterwards: %s%n", status);
      } finally {
        browser.quit();
        labs.deleteLab(DeleteLabRequest.newBuilder().setLabId(lab.getId()).build());
        labs.deleteLab(DeleteLabRequest.newBuilder().setLabId(other.getId()).build());
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** One flood while the page is as it is, and what its frames did meanwhile. */
  private static Measure flood(ChromeDriver browser, LabServiceGrpc.LabServiceBlockingStub labs, Lab lab) {
    browser.executeScript(RESET);
    long start = System.nanoTime();
    Run run = labs.withDeadlineAfter(5, TimeUnit.MINUTES).runScenario(RunScenarioRequest.newBuilder()
        .setLabId(lab.getId()).setScenario("redis-flood").putAllParams(Map.of("connections",
            String.valueOf(CONNECTIONS))).setWait(true).build());
    double seconds = (System.nanoTime() - start) / 1e9;
    List<?> frames = (List<?>) browser.executeScript(READ);
    return new Measure(run.getState().name(), seconds, number(frames.get(0)) / seconds, (long) number(frames.get(1)),
        number(frames.get(2)), number(frames.get(3)));
  }

  record Measure(String state, double seconds, double fps, long slowFrames, double longestGapMs, double busyMs) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1f frames/s over the flood's %.1f s (%s), %d frames later than 50 ms, "
          + "longest gap %.0f ms, main thread in long tasks %.0f ms", fps, seconds, state, slowFrames, longestGapMs,
          busyMs);
    }
  }

  private static double number(Object value) {
    return ((Number) value).doubleValue();
  }

  /** Debian's Chromium and chromedriver, by path (Selenium Manager would try to download them). */
  private static ChromeDriver browser() throws Exception {
    ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
        "--no-sandbox", "--disable-gpu", "--window-size=1280,800", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory("twlab-bench-chromium"));
    return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build(), options);
  }
}
