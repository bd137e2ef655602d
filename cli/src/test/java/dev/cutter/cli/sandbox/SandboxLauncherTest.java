package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SandboxLauncherTest {

  @Test
  void containerLauncherPassesThePasswordByNameOnly() {
    String script = TestcontainersSandbox.launcher("abc123", "pg_dump");
    assertThat(script).startsWith("#!/bin/sh\n")
        .contains("docker exec -i -e PGPASSWORD -e PGUSER")
        .contains("abc123 pg_dump \"$@\"")
        .doesNotContain("PGPASSWORD=");
  }
}
