package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.Workshop;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real browser against a real server, as a workshop student uses it: join
 * with the room's code, make a lab, run S1 and watch the client's lane reach TIME_WAIT with its
 * timer counting down, read the packet ladder, reload mid-run and lose nothing, replay and compare
 * runs, and grade an experiment whose failed verdict lands on the run's timeline. Each step leaves
 * a screenshot in target/console/ and passes axe-core's WCAG 2 A/AA rules.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated();

  private static Browser browser;
  private static Workshop workshop;

  @BeforeAll
  static void room() throws Exception {
    String instructor = twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder()
        .setName("Grace").build()).getToken();
    workshop = twlab.workshops(Optional.of(instructor)).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("teardown").setSeats(3).setDuration(Duration.newBuilder().setSeconds(7200)).build());
    browser = new Browser();
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  private static java.time.Duration seconds(int n) {
    return java.time.Duration.ofSeconds(n);
  }

  private static void accessible(String page) {
    String violations = browser.accessibilityViolations();
    assertEquals("", violations, page + " breaks WCAG 2 A/AA rules");
  }

  @Test
  @Order(0)
  void theConsoleRunsOnlyTheServersOwnScriptsCannotBeFramedAndServesNothingElseWithoutAToken() throws Exception {
    for (String page : List.of("/", "/js/app.js", "/style.css")) {
      HttpResponse<String> response = twlab.send(Optional.empty(), HttpRequest.newBuilder(
          URI.create(twlab.httpBase() + page)));
      assertEquals(200, response.statusCode(), page);
      String policy = response.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), page + ": " + policy);
      assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), page);
    }
    HttpResponse<String> api = twlab.send(Optional.empty(), HttpRequest.newBuilder(
        URI.create(twlab.httpBase() + "/api/v1/sysctls")));
    assertEquals(401, api.statusCode(), "the pages are public, the API behind them is not: " + api.body());
    for (String outside : List.of("/io/twlab/api/openapi.json", "/META-INF/MANIFEST.MF",
        "/js/%2e%2e/%2e%2e/io/twlab/lab-images/VERSION", "/js/..%2f..%2fio/twlab/api/openapi.json")) {
      int status = twlab.send(Optional.empty(), HttpRequest.newBuilder(URI.create(twlab.httpBase() + outside)))
          .statusCode();
      assertTrue(status == 400 || status == 404, outside + ": " + status);
    }
  }

  @Test
  @Order(1)
  void aStudentJoinsMakesALabWithASysctlAndRunsS1UntilTheClientsLaneCountsDownTimeWait() throws Exception {
    browser.open(twlab.httpBase() + "/");
    browser.find("#join-title");
    accessible("the sign-in page");
    browser.screenshot("01-join");
    browser.driver.findElement(By.xpath("//label[text()='Join code']/following-sibling::input"))
        .sendKeys(workshop.getJoinCode());
    browser.driver.findElement(By.xpath("//label[text()='Your name']/following-sibling::input")).sendKeys("Ada");
    browser.driver.findElement(By.xpath("//button[text()='Join']")).click();
    browser.find("#create-title");
    assertTrue(browser.find("#who").getText().contains("Ada (student)"), browser.find("#who").getText());
    browser.driver.findElement(By.xpath("//button[text()='Add a sysctl']")).click();
    WebElement row = browser.find(".sysctl-row");
    new Select(row.findElements(By.tagName("select")).get(0)).selectByValue("client");
    new Select(row.findElements(By.tagName("select")).get(1)).selectByValue("net.ipv4.tcp_fin_timeout");
    assertTrue(row.getText().contains("1 to 600"), "the form shows the key's bounds from the allow-list: " + row.getText());
    row.findElement(By.tagName("input")).sendKeys("30");
    accessible("the labs page");
    browser.screenshot("02-labs");
    browser.driver.findElement(By.xpath("//button[text()='Create lab']")).click();
    browser.until(d -> d.getCurrentUrl().contains("#/labs/lab-") ? true : null, seconds(90));
    browser.find(".topology svg g[data-node='client']");
    String sysctls = (String) browser.script("return document.querySelector('details table').textContent");
    assertTrue(sysctls.contains("net.ipv4.tcp_fin_timeout") && sysctls.contains("30"), sysctls);

    new Select(browser.find("form select")).selectByValue("nc-timewait");
    WebElement capture = browser.find("input[name='capture']");
    if (!capture.isSelected()) {
      capture.click();
    }
    browser.driver.findElement(By.xpath("//button[text()='Run']")).click();
    WebElement lane = browser.until(d -> d.findElements(By.cssSelector(".lane[data-node='client'][data-state='TIME_WAIT']"))
        .stream().findFirst().orElse(null), seconds(60));
    String now = lane.findElement(By.cssSelector(".lane-now")).getText();
    assertTrue(now.matches("TIME_WAIT \\d+ s left"), now);
    int first = Integer.parseInt(now.replaceAll("\\D", ""));
    browser.until(d -> Integer.parseInt(d.findElement(By.cssSelector(".lane[data-node='client'][data-state='TIME_WAIT'] .lane-now"))
        .getText().replaceAll("\\D", "")) < first ? true : null, seconds(5));
    List<String> states = segments(lane);
    assertTrue(states.containsAll(List.of("ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT")), states.toString());
    browser.find(".run-result table");
    accessible("the lab page during a run");
    browser.screenshot("03-lab-time-wait", "main");
  }

  /** The states of a lane's segments, read in one script: lanes are redrawn while the clock moves. */
  @SuppressWarnings("unchecked")
  private static List<String> segments(WebElement lane) {
    return (List<String>) browser.script("return [...arguments[0].querySelectorAll('.seg')].map(s => s.dataset.state)",
        lane);
  }

  @Test
  @Order(2)
  void theClientsLadderShowsFinAckFinAckInOrderWithTheStatesEachEndEntered() throws Exception {
    browser.find(".lane[data-node='client'][data-state='TIME_WAIT']").sendKeys(Keys.ENTER);
    browser.driver.findElement(By.xpath("//button[text()='Packet ladder']")).click();
    browser.find(".ladder svg g.rung");
    List<String> flags = browser.all(".ladder g.rung").stream().map(g -> g.getAttribute("data-flags")).toList();
    assertTrue(CaptureIT.inOrder(flags, List.of("F.", ".", "F.", ".")), flags.toString());
    String entered = browser.find(".ladder svg").getText();
    assertTrue(entered.contains("FIN_WAIT1") && entered.contains("TIME_WAIT"), entered);
    accessible("the lab page with a ladder");
    browser.screenshot("04-ladder", ".connection");
  }

  @Test
  @Order(3)
  void aReloadDuringARunLosesNoEvent() throws Exception {
    browser.driver.findElement(By.xpath("//button[text()='Run']")).click();
    browser.until(d -> d.findElement(By.cssSelector(".run-status")).getText().startsWith("Run ") ? true : null,
        seconds(20));
    browser.driver.navigate().refresh();
    browser.until(d -> d.findElements(By.cssSelector(".lane[data-node='client']")).size() >= 2 ? true : null,
        seconds(60));
    browser.until(d -> d.findElements(By.cssSelector(".lane[data-node='client'][data-state='TIME_WAIT']")).size() >= 2
        ? true : null, seconds(60));
    String status = browser.find(".stream-status").getText();
    assertTrue(status.matches("events 1–\\d+ received in \\d+ messages, none missing"), status);
    for (WebElement lane : browser.all(".lane[data-node='client'][data-state='TIME_WAIT']")) {
      assertTrue(segments(lane).containsAll(List.of("ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT")),
          segments(lane).toString());
    }
    browser.screenshot("05-after-reload", ".live");
  }

  @Test
  @Order(4)
  void aFinishedRunReplaysFromItsStartAndTwoRunsCompareSideBySide() throws Exception {
    browser.open(twlab.httpBase() + "/#/runs");
    List<WebElement> runs = browser.until(d -> {
      List<WebElement> links = d.findElements(By.cssSelector("table.runs tbody tr"));
      return links.size() >= 2 ? links : null;
    }, seconds(20));
    accessible("the history");
    runs.get(runs.size() - 1).findElement(By.tagName("a")).click();
    browser.find(".player input[type=range]");
    browser.find(".lane[data-node='client'][data-state='TIME_WAIT']");
    browser.script("const r = document.querySelector('.player input[type=range]'); r.value = 0;"
        + "r.dispatchEvent(new Event('input'))");
    assertEquals(0, browser.all(".lane").size(), "at the start of the replay no connection exists yet");
    new Select(browser.driver.findElement(By.xpath("//label[text()='Speed']/following-sibling::select"))).selectByValue("30");
    browser.driver.findElement(By.xpath("//div[contains(@class,'player')]/button[text()='Play']")).click();
    browser.until(d -> d.findElements(By.cssSelector(".lane[data-node='client'][data-state='TIME_WAIT']")).isEmpty()
        ? null : true, seconds(30));
    accessible("a replay");
    browser.screenshot("06-replay", ".player");

    browser.open(twlab.httpBase() + "/#/runs");
    List<WebElement> boxes = browser.until(d -> {
      List<WebElement> b = d.findElements(By.cssSelector("table.runs input[type=checkbox]"));
      return b.size() >= 2 ? b : null;
    }, seconds(20));
    boxes.get(0).click();
    boxes.get(1).click();
    browser.driver.findElement(By.xpath("//button[text()='Compare the two chosen runs']")).click();
    browser.until(d -> d.findElements(By.cssSelector(".columns.ab .lane[data-state='TIME_WAIT']")).size() >= 2 ? true : null,
        seconds(30));
    browser.screenshot("07-compare", ".columns.ab");
  }

  @Test
  @Order(5)
  void anExperimentIsCheckedByLineThenItsFailedVerdictIsMarkedOnTheRunsTimeline() throws Exception {
    browser.open(twlab.httpBase() + "/#/grade");
    WebElement file = browser.find("textarea");
    file.sendKeys("name: wrong\nlab:\n  topology: direct\nruns:\n  - scenario: nc-timewait\n    expect:\n"
        + "      - count: client TIME_WAIT >= banana at peak\n");
    browser.driver.findElement(By.xpath("//button[text()='Check and run']")).click();
    WebElement bad = browser.find(".listing li.bad");
    assertEquals("7", bad.getAttribute("value"), bad.getText());
    accessible("a refused experiment");
    browser.screenshot("08-grade-refused", ".grade-errors");

    file.clear();
    file.sendKeys("name: the server holds TIME_WAIT\nlab:\n  topology: direct\nruns:\n  - scenario: nc-timewait\n"
        + "    expect:\n      - count: client TIME_WAIT >= 1 at peak\n      - count: server TIME_WAIT >= 1 at peak\n");
    browser.driver.findElement(By.xpath("//button[text()='Check and run']")).click();
    WebElement failed = browser.until(d -> d.findElements(By.cssSelector(".verdict-mark.failed")).stream().findFirst()
        .orElse(null), seconds(120));
    assertTrue(failed.getAttribute("aria-label").contains("server TIME_WAIT >= 1"), failed.getAttribute("aria-label"));
    assertEquals(1, browser.all(".verdict-mark.passed").size());
    accessible("a graded experiment");
    browser.screenshot("09-grade-failed", ".graded-run");
  }
}
