package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --sandbox URL}: a server the operator names; cutter creates its own database there and drops it. */
class DryRunUrlSandboxTest {

  @TempDir Path reports;

  @Test
  @Tag("pgdump") // pg_dump of the server under test
  void dryRunsOnANamedServerAndLeavesNoDatabaseBehind() throws SQLException {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      Cli r = Cli.run("dry-run", "../packages-examples/authorization-table", "--sandbox",
          server.uri("postgres", "postgres"), "--report-dir", reports.toString());
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).contains("verdict: PASS").contains("dropped afterwards");
      try (Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select count(*) from pg_database where datname like 'cutter_dryrun_%'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the sandbox database is dropped").isZero();
      }
    }
  }

  @Test
  void refusesAUrlThatIsNotASuperuser() throws SQLException {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start();
        Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement()) {
      st.execute("create role plain_user login");
      Cli r = Cli.run("dry-run", "../packages-examples/authorization-table", "--sandbox",
          server.uri("plain_user", "postgres"), "--report-dir", reports.toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("must name a superuser");
    }
  }

  /** Marking the program role superuser would make its members superusers (SET ROLE): such a server is refused. */
  @Test
  void refusesAServerWhereARoleIsAMemberOfTheProgramRole() throws SQLException {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start();
        Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement()) {
      st.execute("create role runner login");
      st.execute("grant pg_execute_server_program to runner");
      Cli r = Cli.run("dry-run", "../packages-examples/authorization-table", "--sandbox",
          server.uri("postgres", "postgres"), "--report-dir", reports.toString());
      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
      assertThat(r.err()).contains("members of pg_execute_server_program (runner)");
      try (ResultSet rs = st.executeQuery("select rolsuper from pg_roles where rolname = 'pg_execute_server_program'")) {
        rs.next();
        assertThat(rs.getBoolean(1)).as("left as it was: runner did not become a superuser by SET ROLE").isFalse();
      }
    }
  }
}
