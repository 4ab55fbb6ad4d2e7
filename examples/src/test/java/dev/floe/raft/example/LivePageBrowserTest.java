/*
 * Copyright The Floe authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.floe.raft.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo's live page in a real browser: the {@code demo} command runs as a process (with its
 * three nodes as its children), headless Chromium opens the page it prints, and the test clicks
 * through the lab's scenarios, checking after each what the page shows: the values in every log
 * and values.log, the leader's name after a transfer and after a crash, the repaired follower's log
 * tail equal to the leader's, the restarted node caught up. At the end it writes a screenshot
 * (target/example-page.png; docs/example-page.png, which docs/example.md shows, on request).
 * Before the browser opens, it checks that actions from elsewhere than the page are refused.
 *
 * <p>It needs Chromium and its driver on the PATH (Debian's {@code chromium} and {@code
 * chromium-driver}, which .ci/run installs); without them it is skipped, except under CI
 * ({@code CI} set), where it fails. Chromium runs headless with a fresh profile and without any
 * background networking: the page needs nothing but the demo's server.
 */
class LivePageBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern PAGE = Pattern.compile("The live page: (http://\\S+/)");
  private static final Pattern NODE_ID = Pattern.compile("n[1-3]");

  @TempDir Path dir;
  private Process demo;
  private OutputStream demoInput;
  private WebDriver browser;
  private WebDriverWait wait;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (demo != null) {
      stopDemo();
    }
  }

  @Test
  void thePageShowsTheClusterThroughTheLabsScenarios() throws Exception {
    String page = startDemo();
    refusesActionsFromElsewhere(URI.create(page));
    openInChromium(page);

    // Three nodes, one leader, shown side by side.
    waitFor("three nodes up and a leader", d -> upNodes().size() == 3 && isNode(leader()));
    assertThat(browser.findElements(By.cssSelector("#nodes .node"))).hasSize(3);

    // Submit values: each ends up, committed, at the end of every log and values.log.
    browser.findElement(By.id("values-input")).sendKeys("alpha beta gamma");
    click("submit");
    waitFor("gamma in every values.log", d -> idle()
        && List.of("n1", "n2", "n3").stream().allMatch(n -> lastValue(n).equals("write gamma")));
    for (String n : List.of("n1", "n2", "n3")) {
      assertThat(logRows(n)).last().asString().endsWith("write gamma");
    }

    // Move the leadership to a named node, then to the best candidate.
    String first = leader();
    long term = term(first);
    String target = otherThan(first);
    new Select(browser.findElement(By.id("transfer-to"))).selectByValue(target);
    click("transfer");
    waitFor("leadership moved to " + target, d -> idle() && leader().equals(target));
    assertThat(term(target)).isGreaterThan(term);
    new Select(browser.findElement(By.id("transfer-to"))).selectByValue("");
    click("transfer");
    waitFor("leadership moved away from " + target,
        d -> idle() && isNode(leader()) && !leader().equals(target));

    // Crash the leader: its column is down, another node leads.
    String crashed = leader();
    click("crash");
    waitFor("a new leader after the crash of " + crashed, d -> idle()
        && reason(crashed).contains("killed (kill -9)") && isNode(leader())
        && !leader().equals(crashed));
    assertThat(state(crashed)).isEqualTo("down");

    // Start every stopped node: the crashed one comes back as a follower.
    click("start-stopped");
    waitFor(crashed + " back as a follower", d -> idle() && upNodes().size() == 3
        && role(crashed).equals("follower"));

    // A follower misses the last entry: seen lacking it on disk while down, then repaired.
    click("repair");
    String leaderBefore = leader();
    String repaired = wait.withMessage("a follower down without the last value")
        .until(d -> downNodes().stream()
            .filter(n -> !lastValue(n).equals(lastValue(leaderBefore))).findFirst().orElse(null));
    waitFor(repaired + "'s log tail equal to the leader's", d -> idle() && upNodes().size() == 3
        && logRows(repaired).equals(logRows(leader())));
    assertThat(values(repaired)).isEqualTo(values(leader()));
    assertThat(activity()).contains(repaired + " has every entry again");

    // Stop a node, write while it is down, start it: it catches up.
    String stopped = otherThan(leader());
    new Select(browser.findElement(By.id("catch-up-node"))).selectByValue(stopped);
    click("catch-up");
    // Its HTTP API closes first, then its process exits: shown down, then as stopped.
    waitFor(stopped + " stopped", d -> reason(stopped).contains("stopped (SIGTERM)"));
    assertThat(state(stopped)).isEqualTo("down");
    waitFor(stopped + " caught up", d -> idle() && upNodes().size() == 3
        && number(stopped, "applied") == number(leader(), "commit")
        && lastValue(stopped).equals(lastValue(leader())));
    assertThat(activity()).contains(stopped + " caught up");

    writeScreenshot();
  }

  /**
   * The buttons' actions kill processes: another site's page (no action header) and a DNS-rebound
   * name (a Host that is not the demo's) are refused, and nothing happens.
   */
  private void refusesActionsFromElsewhere(URI page) throws IOException {
    try (RawHttp raw = new RawHttp(page.getPort())) {
      raw.send(("POST /demo/crash-leader HTTP/1.1\r\nHost: 127.0.0.1:" + page.getPort()
          + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response noHeader = raw.readResponse();
      assertThat(noHeader.status()).isEqualTo(403);
      assertThat(noHeader.body()).contains("Floe-Demo-Action");
      raw.send(("POST /demo/crash-leader HTTP/1.1\r\nHost: rebound.example:" + page.getPort()
          + "\r\nFloe-Demo-Action: crash-leader\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response otherHost = raw.readResponse();
      assertThat(otherHost.status()).isEqualTo(403);
      assertThat(otherHost.body()).contains("does not name this server");
    }
    assertThat(Files.readString(dir.resolve("demo.out"))).doesNotContain("[page]");
  }

  // ------------------------------------------------------------------ the demo and the browser

  /** Starts {@code demo} with its data under this test's directory; returns the page's address. */
  private String startDemo() throws IOException {
    Path out = dir.resolve("demo.out");
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "demo", "--http", "127.0.0.1:0");
    demo = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
    demoInput = demo.getOutputStream();
    return await().atMost(WAIT).until(() -> {
      assertThat(demo.isAlive()).as("the demo runs: %s", Files.readString(out)).isTrue();
      Matcher m = PAGE.matcher(Files.readString(out));
      return m.find() ? m.group(1) : null;
    }, url -> url != null);
  }

  /** Quits the demo from its menu (it stops its nodes); if it does not exit, kills it and them. */
  private void stopDemo() throws Exception {
    List<ProcessHandle> children = new ArrayList<>(demo.descendants().toList());
    try {
      demoInput.write("q\n".getBytes(StandardCharsets.UTF_8));
      demoInput.flush();
    } catch (IOException gone) {
      // it exited already
    }
    if (!demo.waitFor(30, TimeUnit.SECONDS)) {
      demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle child : children) {
      child.destroyForcibly(); // only if the demo left them: it stops them itself on q
    }
  }

  private void openInChromium(String page) throws IOException {
    Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
    Optional<Path> driver = onPath("chromedriver");
    if (chromium.isEmpty() || driver.isEmpty()) {
      String missing = "Chromium and its driver are not on the PATH (Debian: apt-get install "
          + "chromium chromium-driver; .ci/run installs them)";
      if (System.getenv("CI") != null) {
        fail(missing);
      }
      Assumptions.abort(missing);
    }
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        "--window-size=1400,1900");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driver.get().toFile())
        .usingAnyFreePort()
        .withLogFile(dir.resolve("chromedriver.log").toFile())
        .build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
    wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class);
    browser.get(page);
  }

  private static Optional<Path> onPath(String... names) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String name : names) {
      for (String folder : path.split(File.pathSeparator)) {
        Path candidate = Path.of(folder, name);
        if (!folder.isEmpty() && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Saves what the page shows now as target/example-page.png; with {@code
   * -Dfloe.docs.screenshot=true} also as docs/example-page.png, which docs/example.md shows (so that
   * an ordinary build leaves the working tree clean).
   */
  private void writeScreenshot() throws IOException {
    byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "example-page.png"), png);
    Path docs = Path.of("").toAbsolutePath().resolveSibling("docs");
    if (Boolean.getBoolean("floe.docs.screenshot") && Files.exists(docs.resolve("example.md"))) {
      Files.write(docs.resolve("example-page.png"), png);
    }
  }

  // ------------------------------------------------------------------ reading the page

  private void waitFor(String what, Function<WebDriver, Boolean> condition) {
    wait.withMessage(() -> what + "; the demo said:\n" + demoOutputTail()).until(condition);
  }

  private String demoOutputTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("demo.out"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private void click(String button) {
    waitFor("no scenario running before " + button, d -> idle());
    int done = scenariosDone();
    browser.findElement(By.id(button)).click();
    // Taken once the server reports the scenario running (or, for a quick one, ended).
    waitFor(button + " started", d -> !idle() || scenariosDone() > done);
  }

  private int scenariosDone() {
    return activity().split("done: ", -1).length - 1;
  }

  private boolean idle() {
    return read(() -> browser.findElement(By.id("running")).getText().equals("idle"));
  }

  private String activity() {
    return read(() -> browser.findElement(By.id("activity")).getText());
  }

  private String leader() {
    return read(() -> browser.findElement(By.id("leader")).getText());
  }

  private static boolean isNode(String text) {
    return NODE_ID.matcher(text).matches();
  }

  /**
   * Reads from the page. The page redraws itself every half second, replacing its elements, so a
   * read that meets an element replaced meanwhile is made again on the new ones (a bounded number
   * of times: a redraw is over in an instant).
   */
  private static <T> T read(Supplier<T> read) {
    StaleElementReferenceException replaced = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return read.get();
      } catch (StaleElementReferenceException e) {
        replaced = e;
      }
    }
    throw replaced;
  }

  private WebElement card(String node) {
    return browser.findElement(By.id("node-" + node));
  }

  private String state(String node) {
    return read(() -> card(node).getDomAttribute("data-state"));
  }

  /** Why a node is down, as its column says; empty while it is up. */
  private String reason(String node) {
    return read(() -> {
      List<WebElement> reason = card(node).findElements(By.className("reason"));
      return reason.isEmpty() ? "" : reason.get(0).getText();
    });
  }

  private String role(String node) {
    return read(() -> card(node).getDomAttribute("data-role"));
  }

  private List<String> nodesIn(String state) {
    return read(() -> {
      List<String> nodes = new ArrayList<>();
      for (WebElement card : browser.findElements(By.cssSelector("#nodes .node"))) {
        if (state.equals(card.getDomAttribute("data-state"))) {
          nodes.add(card.getDomAttribute("data-node"));
        }
      }
      return nodes;
    });
  }

  private List<String> upNodes() {
    return nodesIn("up");
  }

  private List<String> downNodes() {
    return nodesIn("down");
  }

  private String otherThan(String node) {
    return List.of("n1", "n2", "n3").stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
  }

  private long number(String node, String field) {
    return read(() -> Long.parseLong(
        card(node).findElement(By.cssSelector("[data-field=" + field + "]")).getText()));
  }

  private long term(String node) {
    return number(node, "term");
  }

  /** The rows of a node's log tail as shown: "index term entry". */
  private List<String> logRows(String node) {
    return read(() -> {
      List<String> rows = new ArrayList<>();
      for (WebElement row : card(node).findElements(By.cssSelector("table.log tbody tr"))) {
        rows.add(row.getText());
      }
      return rows;
    });
  }

  /** The lines of a node's values.log as shown (on disk for a node that is down). */
  private List<String> values(String node) {
    return read(() -> {
      List<String> lines = new ArrayList<>();
      for (WebElement line : card(node).findElements(By.cssSelector("ol.values li"))) {
        lines.add(line.getText());
      }
      return lines;
    });
  }

  private String lastValue(String node) {
    List<String> lines = values(node);
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
