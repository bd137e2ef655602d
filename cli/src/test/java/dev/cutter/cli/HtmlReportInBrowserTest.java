package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13.6: the HTML report of a real apply, opened in a real headless Chromium, offline. The
 * screenshot is kept as a build artifact under {@code target/screenshots/}. Skipped (with the
 * reason) when no Chromium binary is installed, except under CI, where it must run.
 */
@Tag("browser")
@WithPostgres
class HtmlReportInBrowserTest {

  static final Path SHOTS = Path.of("target", "screenshots").toAbsolutePath();
  /** The PASS bar's colour in the timeline (Timeline.colour(PASS)). */
  static final int PASS_GREEN = 0x1a7f37;

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  static Optional<Path> chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path p = Path.of(d, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void theReportOfARealApplyRendersOfflineWithItsTimeline(TestDatabase db) throws Exception {
    Optional<Path> browser = chromium();
    if (browser.isEmpty() && System.getenv("CI") != null) {
      fail("no chromium binary on PATH; CI installs it (.ci/run) and this test must run there");
    }
    Assumptions.assumeTrue(browser.isPresent(), "no chromium binary on PATH: install Debian's chromium to run this test");

    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    Cli init = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(init.exit()).as(init.err()).isZero();
    Path pkg = approver.write(dir.resolve("pkg"), "timeline-shot", db, role,
        "create table shot_a (id int);\nselect pg_sleep(0.4);\ncreate table shot_b (id int);\n", "[]", "[]", null);
    Cli apply = Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
    assertThat(apply.exit()).as(apply.out() + apply.err()).isZero();
    Path yaml;
    try (Stream<Path> s = Files.walk(dir.resolve("reports"))) {
      yaml = s.filter(p -> p.toString().endsWith(".yaml")).findFirst().orElseThrow();
    }
    Cli render = Cli.run("report", "render", yaml.toString(), "--format", "html");
    assertThat(render.exit()).as(render.err()).isZero();
    String html = render.out();
    assertThat(html).doesNotContain("<script").doesNotContain(" src=").doesNotContain("href=").doesNotContain("@import")
        .as("the only url() is the stripes' own pattern").doesNotContainPattern("url\\((?!#locks-held\\))");

    Files.createDirectories(SHOTS);
    Path page = SHOTS.resolve("report.html");
    Files.writeString(page, html);
    Path png = SHOTS.resolve("report.png");
    Files.deleteIfExists(png);

    Result shot = chromium(browser.get(), "--window-size=1100,1500", "--screenshot=" + png, page.toUri().toString());
    assertThat(shot.exit()).as(shot.err()).isZero();
    assertThat(consoleLines(shot.err())).as("console messages of the page").isEmpty();
    assertThat(Files.size(png)).as("a real image").isGreaterThan(10_000);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1100);
    Set<Integer> colours = new HashSet<>();
    boolean green = false;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        green |= rgb == PASS_GREEN;
      }
    }
    assertThat(colours.size()).as("not all one colour").isGreaterThan(20);
    assertThat(green).as("the PASS bars are drawn (the SVG rendered)").isTrue();

    Result dom = chromium(browser.get(), "--dump-dom", page.toUri().toString());
    assertThat(dom.exit()).as(dom.err()).isZero();
    assertThat(consoleLines(dom.err())).isEmpty();
    assertThat(dom.out()).contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"gate-timeline\"")
        .contains("data-gate=\"apply\" data-status=\"PASS\"").containsPattern("locks held \\d+ ms");
    assertThat(dom.out().split("<g class=\"gate\"", -1).length - 1).as("one bar per gate").isEqualTo(
        html.split("<g class=\"gate\"", -1).length - 1).isGreaterThanOrEqualTo(8);
  }

  record Result(int exit, String out, String err) {}

  /** Lines the browser logs for the page's console (messages and uncaught errors). */
  static List<String> consoleLines(String stderr) {
    return stderr.lines().filter(l -> l.contains(":CONSOLE")).toList();
  }

  private Result chromium(Path binary, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + dir.resolve("profile"), "--enable-logging=stderr", "--v=0"));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("chromium.out");
    Path err = dir.resolve("chromium.err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("chromium did not finish in 90 s");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }
}
