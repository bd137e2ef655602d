package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example package dry-runs on the embedded default to the verdict its first line promises. */
@Tag("pgdump") // every example backs up: pg_dump of the embedded server
class ExamplePackagesDryRunTest {

  private static final Path EXAMPLES = Path.of("..", "packages-examples");
  static final Map<String, Integer> EXIT = Map.of("PASS", 0, "BLOCKED", 3, "FAILED", 4, "ROLLED_BACK", 5,
      "ESCALATE", 6);
  private static final Pattern EXPECT = Pattern.compile("^# expect: (\\w+)", Pattern.MULTILINE);

  @TempDir Path reports;

  static List<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("package.yaml"))).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void dryRunReachesTheStatedVerdict(Path example) throws IOException {
    Matcher m = EXPECT.matcher(Files.readString(example.resolve("package.yaml")));
    assertThat(m.find()).as("%s states its expected verdict", example).isTrue();
    String expected = m.group(1);

    Cli r = Cli.run("dry-run", example.toString(), "--report-dir", reports.toString());

    assertThat(r.exit()).as("%s\nstdout:\n%s\nstderr:\n%s", example, r.out(), r.err()).isEqualTo(EXIT.get(expected));
    assertThat(r.out().lines()).as(r.out())
        .contains("verdict: " + expected + " (exit " + EXIT.get(expected) + "), production changed: no");
    Path dir;
    try (Stream<Path> s = Files.list(reports)) {
      dir = s.findFirst().orElseThrow();
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.sorted().toList();
      assertThat(files).extracting(p -> p.getFileName().toString()).anyMatch(n -> n.endsWith(".yaml"))
          .anyMatch(n -> n.endsWith(".md"));
      String yaml = Files.readString(files.stream().filter(p -> p.toString().endsWith(".yaml")).findFirst().orElseThrow());
      assertThat(yaml).contains("verdict: " + expected).contains("mode: dry-run").contains("production_changed: false");
    }
    switch (expected) {
      case "BLOCKED" -> assertThat(r.out()).as("names the missing privilege")
          .containsPattern("(?m)^P1_preflight +FAIL +privilege#\\d+: role \\w+ lacks CREATE on schema \\w+$");
      case "FAILED" -> assertThat(r.out() + reportText()).contains("statement 7");
      default -> { }
    }
  }

  private String reportText() throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.walk(reports)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        b.append(Files.readString(p));
      }
    }
    return b.toString();
  }
}
