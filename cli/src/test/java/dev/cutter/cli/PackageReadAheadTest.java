package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cutter apply PKG}'s package read while picocli parses (PackageReadAhead). */
class PackageReadAheadTest {

  private static final Path EXAMPLES = Path.of("").toAbsolutePath().getParent().resolve("packages-examples");

  private static Path copy(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
    return to;
  }

  private static void delete(Path dir) throws Exception {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  /** The verb takes what was read ahead for its path: the package, gone from disk since, still loads. */
  @Test
  void theVerbTakesTheReadStartedForItsPath(@TempDir Path dir) throws Exception {
    Path pkg = copy(EXAMPLES.resolve("narrow-grant"), dir.resolve("pkg"));
    RunSupport.Loaded direct = RunSupport.load(pkg);
    Thread t = PackageReadAhead.startFor("apply", pkg.toString(), "--target", "postgresql://db.invalid/x");
    assertThat(t).isNotNull();
    assertThat(t.isDaemon()).as("never keeps the JVM alive").isTrue();
    t.join(60_000);
    delete(pkg);
    RunSupport.Loaded loaded = PackageReadAhead.load(Path.of(pkg.toString()));
    assertThat(loaded.pkg().sha256()).isEqualTo(direct.pkg().sha256());
    assertThat(loaded.scripts().changeStatements()).hasSameSizeAs(direct.scripts().changeStatements());
    // taken once: a second load reads the disk again
    assertThatThrownBy(() -> PackageReadAhead.load(pkg)).isInstanceOf(CutterException.class);
  }

  /** A read ahead for another path is not taken: the verb reads its own. */
  @Test
  void aReadForAnotherPathIsNotTaken(@TempDir Path dir) throws Exception {
    Path a = copy(EXAMPLES.resolve("narrow-grant"), dir.resolve("a"));
    Path b = copy(EXAMPLES.resolve("registry-12-tables"), dir.resolve("b"));
    PackageReadAhead.startFor("apply", a.toString()).join(60_000);
    assertThat(PackageReadAhead.load(b).pkg().sha256()).isEqualTo(RunSupport.load(b).pkg().sha256())
        .isNotEqualTo(RunSupport.load(a).pkg().sha256());
  }

  /** A package the read-ahead could not load fails on the verb's thread with the message of a direct load. */
  @Test
  void aFailedReadIsReadAgainByTheVerb(@TempDir Path dir) throws Exception {
    Path pkg = copy(EXAMPLES.resolve("narrow-grant"), dir.resolve("pkg"));
    Files.writeString(pkg.resolve("package.yaml"), "id: [unclosed\n");
    String direct = null;
    try {
      RunSupport.load(pkg);
    } catch (CutterException e) {
      direct = e.getMessage();
    }
    assertThat(direct).isNotNull();
    PackageReadAhead.startFor("apply", pkg.toString()).join(60_000);
    Thread verb = Thread.currentThread();
    assertThatThrownBy(() -> PackageReadAhead.load(pkg)).isInstanceOf(CutterException.class).hasMessage(direct)
        .satisfies(e -> assertThat(e.getStackTrace()).as("thrown by the verb's own read")
            .anyMatch(f -> f.getMethodName().equals("aFailedReadIsReadAgainByTheVerb")));
    assertThat(verb.isInterrupted()).isFalse();
  }

  /** Only {@code apply} followed by a word that is no option and no argument file starts a read. */
  @Test
  void onlyApplyFollowedByAPathStartsARead() {
    assertThat(PackageReadAhead.startFor()).isNull();
    assertThat(PackageReadAhead.startFor("apply")).isNull();
    assertThat(PackageReadAhead.startFor("preflight", "pkg")).isNull();
    assertThat(PackageReadAhead.startFor("--quiet", "apply", "pkg")).isNull();
    assertThat(PackageReadAhead.startFor("apply", "--target", "x", "pkg")).isNull();
    assertThat(PackageReadAhead.startFor("apply", "@args.txt")).isNull();
    assertThat(PackageReadAhead.startFor("apply", "")).isNull();
    assertThat(PackageReadAhead.startFor("apply", "bad\0path")).isNull();
  }

  /**
   * In a fresh JVM, {@code cutter apply PKG} sets up logging and loads the package's classes on the
   * read-ahead's thread while the main thread builds picocli's model (on the old code the main thread
   * did both, after the model).
   */
  @Test
  void aFreshApplyReadsItsPackageBesideThePicocliModel(@TempDir Path dir) throws Exception {
    Path pkg = copy(EXAMPLES.resolve("narrow-grant"), dir.resolve("pkg"));
    Path log = dir.resolve("classes.log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:off", "-Xlog:class+load=info:file=" + log + ":tid", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "apply", pkg.toString(), "--target", "postgresql://127.0.0.1:1/none",
        "--report-dir", dir.resolve("reports").toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(dir.resolve("out.txt"));
    assertThat(p.exitValue()).as(out).isEqualTo(3); // unsigned: refused by the integrity gate, nothing connects
    Map<String, String> tid = new HashMap<>();
    List<String> order = new ArrayList<>();
    Pattern line = Pattern.compile("^\\[(\\d+)\\] (\\S+) ");
    for (String l : Files.readAllLines(log)) {
      Matcher m = line.matcher(l);
      if (m.find()) {
        tid.putIfAbsent(m.group(2), m.group(1));
        order.add(m.group(2));
      }
    }
    String main = tid.get(Main.class.getName());
    assertThat(main).isNotNull();
    assertThat(tid.get("org.yaml.snakeyaml.parser.ParserImpl")).as("the thread that parsed package.yaml").isNotNull()
        .isNotEqualTo(main);
    assertThat(tid.get("dev.cutter.cli.ApplyCommand")).as("the verb's model, on the main thread").isEqualTo(main);
    assertThat(tid.get("ch.qos.logback.classic.LoggerContext")).as("logging set up by the read-ahead's thread")
        .isEqualTo(tid.get("org.yaml.snakeyaml.parser.ParserImpl"));
    assertThat(order.indexOf("ch.qos.logback.classic.LoggerContext")).as("before the package")
        .isLessThan(order.indexOf("org.yaml.snakeyaml.parser.ParserImpl"));
  }
}
