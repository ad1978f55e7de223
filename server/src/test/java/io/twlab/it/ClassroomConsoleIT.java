package io.twlab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import io.twlab.proto.v1.V1.AddInstructorRequest;
import io.twlab.proto.v1.V1.CreateLabRequest;
import io.twlab.proto.v1.V1.CreateWorkshopRequest;
import io.twlab.proto.v1.V1.GetLabRequest;
import io.twlab.proto.v1.V1.JoinWorkshopRequest;
import io.twlab.proto.v1.V1.Lab;
import io.twlab.proto.v1.V1.LabSpec;
import io.twlab.proto.v1.V1.Run;
import io.twlab.proto.v1.V1.RunScenarioRequest;
import io.twlab.proto.v1.V1.RunState;
import io.twlab.proto.v1.V1.Workshop;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The room in a real browser: a student opens a shell in her lab's client after S1 and reads the
 * TIME_WAIT line of `ss -tan`; the instructor's grid shows both students and updates when the other
 * one runs S1; a tile opens that student's lab read-only; the room's grades export. A student sees
 * neither the grid nor another student's shell (404). Screenshots in target/console/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClassroomConsoleIT {
  private static final LabSpec DIRECT = LabSpec.newBuilder().setTopology("direct").build();

  @RegisterExtension
  static final TwlabFixture twlab = new TwlabFixture().authenticated();

  private static Browser browser;
  private static Workshop workshop;
  private static Optional<String> instructor;
  private static Optional<String> ada;
  private static Optional<String> alan;
  private static Lab adasLab;
  private static Lab alansLab;

  @BeforeAll
  static void room() throws Exception {
    instructor = Optional.of(twlab.workshops(twlab.adminToken()).addInstructor(AddInstructorRequest.newBuilder()
        .setName("Grace").build()).getToken());
    workshop = twlab.workshops(instructor).createWorkshop(CreateWorkshopRequest.newBuilder()
        .setName("teardown, room 2").setSeats(2).setDuration(Duration.newBuilder().setSeconds(4 * 3600)).build());
    ada = join("Ada");
    alan = join("Alan");
    adasLab = twlab.as(ada).createLab(CreateLabRequest.newBuilder().setSpec(DIRECT).build());
    alansLab = twlab.as(alan).createLab(CreateLabRequest.newBuilder().setSpec(DIRECT).build());
    browser = new Browser();
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Order(1)
  void aStudentReadsTheTimeWaitOfS1InAShellInHerClient() throws Exception {
    Run s1 = twlab.as(ada).runScenario(RunScenarioRequest.newBuilder().setLabId(adasLab.getId())
        .setScenario("nc-timewait").setWait(true).build());
    assertEquals(RunState.RUN_STATE_SUCCEEDED, s1.getState(), s1.getError());
    signIn(ada.get());
    browser.open(twlab.httpBase() + "/#/labs/" + adasLab.getId());
    browser.script("window.twlabCspViolations = []; document.addEventListener('securitypolicyviolation', "
        + "e => window.twlabCspViolations.push(e.violatedDirective + ' ' + e.blockedURI))");
    new org.openqa.selenium.support.ui.Select(browser.find(".shell select")).selectByValue("client");
    browser.driver.findElement(By.xpath("//button[text()='Open a shell']")).click();
    browser.until(d -> browser.find(".shell-status").getText().contains("student@client") ? true : null,
        java.time.Duration.ofSeconds(60));
    WebElement keyboard = browser.find(".shell .xterm-helper-textarea");
    keyboard.sendKeys("ss -tan\n");
    String screen = browser.until(d -> {
      String text = (String) browser.script("return document.querySelector('.shell .xterm-rows').innerText");
      return text.contains("TIME-WAIT") ? text : null;
    }, java.time.Duration.ofSeconds(30));
    assertTrue(screen.lines().anyMatch(l -> l.startsWith("TIME-WAIT")), screen);
    assertEquals(List.of(), browser.script("return window.twlabCspViolations || []"),
        "the terminal runs under the console's CSP");
    browser.screenshot("10-shell", ".shell");
    browser.driver.findElement(By.xpath("//button[text()='Close the shell']")).click();
    browser.until(d -> browser.find(".shell-status").getText().contains("closed") ? true : null,
        java.time.Duration.ofSeconds(30));
  }

  @Test
  @Order(2)
  void aStudentSeesNeitherTheGridNorAnotherStudentsShell() throws Exception {
    int grid = twlab.send(ada, HttpRequest.newBuilder(URI.create(twlab.httpBase() + "/api/v1/workshops/"
        + workshop.getId() + "/classroom"))).statusCode();
    assertEquals(404, grid, "a student is not the workshop's instructor: it does not exist for her");
    CompletableFuture<String> refusal = new CompletableFuture<>();
    HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + ada.get())
        .buildAsync(URI.create(twlab.httpBase().replace("http", "ws") + "/api/v1/labs/" + alansLab.getId()
            + "/nodes/client/shell"), new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                refusal.complete(data.toString());
                return null;
              }
            }).get(30, TimeUnit.SECONDS);
    String problem = refusal.get(30, TimeUnit.SECONDS);
    assertTrue(problem.contains("\"status\":404"), problem);
  }

  @Test
  @Order(3)
  void theInstructorsGridShowsBothSeatsAndUpdatesWhenOneRunsS1() throws Exception {
    signIn(instructor.get());
    browser.open(twlab.httpBase() + "/#/workshops/" + workshop.getId());
    browser.until(d -> browser.all(".tile").size() == 2 ? true : null, java.time.Duration.ofSeconds(30));
    String adaTile = browser.text(".tile[data-student='Ada']");
    assertTrue(adaTile.contains(adasLab.getId()) && adaTile.contains("nc-timewait"), adaTile);
    assertTrue(browser.text(".tile[data-student='Alan']").contains("no run in progress"));

    CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> twlab.as(alan).runScenario(
        RunScenarioRequest.newBuilder().setLabId(alansLab.getId()).setScenario("nc-timewait").setWait(true).build()));
    browser.until(d -> browser.text(".tile[data-student='Alan']").contains("nc-timewait") ? true : null,
        java.time.Duration.ofSeconds(60));
    assertEquals(RunState.RUN_STATE_SUCCEEDED, run.get(90, TimeUnit.SECONDS).getState());
    browser.until(d -> browser.text(".tile[data-student='Alan'] .verdicts").contains("nc-timewait: done")
        ? true : null, java.time.Duration.ofSeconds(30));
    String violations = browser.accessibilityViolations();
    assertEquals("", violations, "the grid breaks WCAG 2 A/AA rules");
    browser.screenshot("11-grid");

    String csv = (String) browser.asyncScript("const done = arguments[arguments.length - 1];"
        + "fetch(document.querySelector('.room-actions a.button').href).then(r => r.text()).then(done)");
    assertTrue(csv.startsWith("student_id,student_name,experiment"), csv);

    browser.driver.findElement(By.xpath("//button[text()='Extend all labs']")).click();
    browser.until(d -> browser.find("#toast").getText().contains("2 lab(s) extended") ? true : null,
        java.time.Duration.ofSeconds(20));
    Lab extended = twlab.as(ada).getLab(GetLabRequest.newBuilder().setLabId(adasLab.getId()).build());
    assertEquals(adasLab.getExpiresAt().getSeconds() + 15 * 60, extended.getExpiresAt().getSeconds(),
        "extended by the chosen 15 minutes");
    assertEquals(List.of(String.valueOf(extended.getExpiresAt().getSeconds())), TwlabFixture.docker("exec",
        TwlabFixture.container(extended, "client"), "cat", "/run/twlab/expires"), "the node lives as long itself");

    String grid = browser.driver.getCurrentUrl();
    browser.click(".tile[data-student='Ada'] a");
    browser.until(d -> browser.all(".lab-page").isEmpty() ? null : true, java.time.Duration.ofSeconds(20));
    assertTrue(browser.find(".read-only").getText().contains("read-only"));
    assertTrue(browser.all(".shell").isEmpty() && browser.all("#run-title").isEmpty(),
        "an instructor watches a seat's lab, neither runs nor opens a shell there");

    browser.open(grid);
    browser.find(".tile[data-student='Alan']");
    browser.driver.findElement(By.xpath("//button[text()='End all labs']")).click();
    browser.driver.switchTo().alert().accept();
    // The toast comes with the answer, once every lab is removed; the tiles may say so before.
    browser.until(d -> browser.text("#toast").contains("2 lab(s) ended") ? true : null,
        java.time.Duration.ofSeconds(60));
    browser.until(d -> browser.all(".tile .muted").size() == 2 ? true : null, java.time.Duration.ofSeconds(30));
    assertEquals(List.of(), TwlabFixture.docker("ps", "-aq", "--filter", "label=io.twlab.owner=" + twlab.owner,
        "--filter", "label=io.twlab.lab"), "every seat's lab is gone");
    assertEquals(2, twlab.workshops(instructor).watchClassroom(io.twlab.proto.v1.V1.WatchClassroomRequest
        .newBuilder().setWorkshopId(workshop.getId()).build()).next().getSeatsCount(), "the room stays");
  }

  /** Opens a browser session for {@code token}, as the sign-in page does. */
  private static void signIn(String token) {
    browser.open(twlab.httpBase() + "/");
    browser.asyncScript("const done = arguments[arguments.length - 1];"
        + "fetch('/api/v1/sessions', {method: 'POST', headers: {Authorization: 'Bearer ' + arguments[0]}})"
        + ".then(r => { sessionStorage.setItem('twlab.csrf', r.headers.get('X-Twlab-Csrf')); done(r.status); })",
        token);
    // The console reads its session at load: the next page loads afresh.
    browser.open("about:blank");
  }

  private static Optional<String> join(String name) {
    return Optional.of(twlab.workshops(Optional.empty()).joinWorkshop(JoinWorkshopRequest.newBuilder()
        .setJoinCode(workshop.getJoinCode()).setName(name).build()).getToken());
  }
}
