package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.cli.sandbox.ContainerMajor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Every example package dry-runs through {@code --sandbox testcontainers} (a {@code postgres:<major>}
 * container of the major the engine has, {@link ContainerMajor}) to the verdict its first line
 * promises, its backup made by the container's own pg_dump. Runs only where a Docker engine answers.
 */
@Tag("docker")
@Testcontainers(disabledWithoutDocker = true)
class ExamplesInContainersTest {

  private static final Pattern EXPECT = Pattern.compile("^# expect: (\\w+)", Pattern.MULTILINE);

  @TempDir Path reports;

  static List<Path> examples() throws IOException {
    return ExamplePackagesDryRunTest.examples();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void dryRunReachesTheStatedVerdictInAContainer(Path example) throws IOException {
    Matcher m = EXPECT.matcher(Files.readString(example.resolve("package.yaml")));
    assertThat(m.find()).as("%s states its expected verdict", example).isTrue();
    String expected = m.group(1);
    int major = ContainerMajor.get();

    Cli r = Cli.run("dry-run", example.toString(), "--sandbox", "testcontainers", "--pg-version", String.valueOf(major),
        "--report-dir", reports.toString());

    int exit = ExamplePackagesDryRunTest.EXIT.get(expected);
    assertThat(r.exit()).as("%s\nstdout:\n%s\nstderr:\n%s", example, r.out(), r.err()).isEqualTo(exit);
    assertThat(r.out().lines()).as(r.out())
        .contains("verdict: " + expected + " (exit " + exit + "), production changed: no",
            "sandbox: container postgres:" + major);
  }
}
