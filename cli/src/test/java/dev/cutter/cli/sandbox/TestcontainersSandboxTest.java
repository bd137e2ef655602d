package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/** Runs only where a Docker engine answers; skipped cleanly elsewhere. */
@Tag("docker")
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersSandboxTest {

  @Test
  void startsTheRequestedMajorWithItsOwnPgDump() throws Exception {
    int major = ContainerMajor.get();
    try (TestcontainersSandbox s = TestcontainersSandbox.start("registry", major)) {
      ConnectionSpec su = s.superuser();
      try (Connection c = Connections.open(su, "test"); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000, current_database()")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(major);
        assertThat(rs.getString(2)).isEqualTo("registry");
      }
      assertThat(s.describe()).isEqualTo("container postgres:" + major);
      // the launcher runs the container's own pg_dump: the server's major
      Process p = new ProcessBuilder(Path.of(s.pgBin().orElseThrow(), "pg_dump").toString(), "--version")
          .redirectErrorStream(true).start();
      String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(version).isZero();
      assertThat(version).startsWith("pg_dump (PostgreSQL) " + major + ".");
    }
  }
}
