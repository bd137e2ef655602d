package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutter.cli.sandbox.TestcontainersSandbox;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --sandbox testcontainers} refused in one line, exit 2, nothing started: where no Docker
 * engine answers, and (where one does) for a major whose image the engine has not and cannot pull.
 */
class TestcontainersRefusalTest {

  @TempDir Path reports;

  @Test
  void withoutDockerTheSandboxIsRefusedInOneLine() {
    assumeFalse(TestcontainersSandbox.available(), "a Docker engine answers here: the refusal cannot be shown");

    Cli r = Cli.run("dry-run", Path.of("..", "packages-examples", "registry-12-tables").toString(),
        "--sandbox", "testcontainers", "--report-dir", reports.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    // the refusal in one line, after the path of the report every invalid run leaves (SPEC 3, step 9)
    assertThat(r.err().strip().lines()).hasSize(2);
    assertThat(r.err().strip().lines().toList().get(0)).startsWith("report: " + reports);
    assertThat(r.err().strip().lines().toList().get(1)).isEqualTo("--sandbox testcontainers: no Docker engine answers"
        + " here; use the embedded sandbox (the default) or --sandbox URL");
    assertThat(r.out()).isEmpty();
  }

  @Test
  @Tag("docker")
  void aMissingImageIsRefusedAtOnceInOneLineWithTheCommandThatProvidesIt() {
    assumeTrue(TestcontainersSandbox.available(), "no Docker engine answers here");
    long begun = System.nanoTime();

    // no postgres:99 exists on this engine or in any registry
    Cli r = Cli.run("dry-run", Path.of("..", "packages-examples", "registry-12-tables").toString(),
        "--sandbox", "testcontainers", "--pg-version", "99", "--report-dir", reports.toString());

    Duration took = Duration.ofNanos(System.nanoTime() - begun);
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(2);
    assertThat(r.err().strip().lines().toList().get(0)).startsWith("report: " + reports);
    assertThat(r.err().strip().lines().toList().get(1)).isEqualTo("--sandbox testcontainers: the image postgres:99 is not on"
        + " this Docker engine and pulling it failed; provide it (docker pull postgres:99) or give the --pg-version of an"
        + " image the engine has");
    assertThat(r.out()).isEmpty();
    assertThat(took).as("one pull, no retries for minutes").isLessThan(Duration.ofSeconds(30));
  }
}
