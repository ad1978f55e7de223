package io.twlab.it;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver. Both paths are given, so that
 * Selenium Manager never tries to download a browser; as root (CI) the sandbox must be off; the
 * background services that would call Google are off (the machine has no route there).
 */
final class Browser implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target", "console");
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  final ChromeDriver driver;

  Browser() throws IOException {
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory("twlab-chromium"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    Files.createDirectories(SCREENSHOTS);
  }

  void open(String url) {
    driver.get(url);
  }

  WebElement find(String css) {
    return until(d -> d.findElement(By.cssSelector(css)), Duration.ofSeconds(20));
  }

  /** The text of {@code css}'s first element, read again if the page redrew it meanwhile. */
  String text(String css) {
    return until(d -> d.findElement(By.cssSelector(css)).getText(), Duration.ofSeconds(20));
  }

  /** Clicks {@code css}'s first element, found again if the page redrew it meanwhile. */
  void click(String css) {
    until(d -> {
      d.findElement(By.cssSelector(css)).click();
      return true;
    }, Duration.ofSeconds(20));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits up to {@code timeout} for {@code condition} to be true or non-null; fails with the page's console. */
  <T> T until(Function<WebDriver, T> condition, Duration timeout) {
    try {
      // The console redraws what it shows (a classroom's tiles at each message): an element found
      // a moment ago may be gone, and is looked for again.
      return new WebDriverWait(driver, timeout, Duration.ofMillis(200))
          .ignoring(StaleElementReferenceException.class).until(condition);
    } catch (RuntimeException e) {
      throw new AssertionError("the console did not get there; its log:\n" + log() + "\n" + e.getMessage(), e);
    }
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** Runs {@code js}, which ends by calling its last argument with its result (a fetch's, say). */
  Object asyncScript(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
  }

  /** What the page wrote to its console: errors a test failure should show. */
  String log() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(Object::toString)
        .collect(Collectors.joining("\n"));
  }

  /** The window as it is now, scrolled so that {@code css}'s first element starts at its top. */
  Path screenshot(String name, String css) throws IOException {
    script("document.querySelector(arguments[0]).scrollIntoView({block: 'start'})", css);
    return screenshot(name);
  }

  Path screenshot(String name) throws IOException {
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /**
   * The axe-core rules of WCAG 2 A and AA that failed on the page as it is now, each with the
   * elements that broke it: labels, names, contrast, ARIA use.
   */
  String accessibilityViolations() {
    Results results = new AxeBuilder().withTags(List.of("wcag2a", "wcag2aa")).analyze(driver);
    return results.getViolations().stream().map(Browser::describe).collect(Collectors.joining("\n"));
  }

  private static String describe(Rule rule) {
    return rule.getId() + " (" + rule.getImpact() + "): " + rule.getHelp() + " at " + rule.getNodes().stream()
        .map(n -> n.getTarget() + " " + n.getFailureSummary()).limit(5).collect(Collectors.joining("; "));
  }

  @Override
  public void close() {
    driver.quit();
  }
}
