package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.cutter.cli.sandbox.TestcontainersSandbox;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --sandbox testcontainers} where no Docker engine answers: a one-line refusal, exit 2, nothing started. */
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
}
