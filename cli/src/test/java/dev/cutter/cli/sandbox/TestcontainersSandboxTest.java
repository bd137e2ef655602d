package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/** Runs only where a Docker engine answers (users' CI); skipped cleanly elsewhere. */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersSandboxTest {

  @Test
  void startsTheRequestedMajorWithItsOwnPgDump() throws SQLException {
    try (TestcontainersSandbox s = TestcontainersSandbox.start("registry", 16)) {
      ConnectionSpec su = s.superuser();
      try (Connection c = Connections.open(su, "test"); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000, current_database()")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(16);
        assertThat(rs.getString(2)).isEqualTo("registry");
      }
      assertThat(s.pgBin()).isPresent();
    }
  }
}
