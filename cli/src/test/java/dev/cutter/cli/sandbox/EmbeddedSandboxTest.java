package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The embedded sandbox no longer trusts every local user once it is handed to a dry-run. */
class EmbeddedSandboxTest {

  @Test
  void aLocalUserCannotLogInAsTheSandboxSuperuserWithoutItsPassword() throws SQLException {
    try (EmbeddedSandbox sandbox = EmbeddedSandbox.start("sbx", 0)) {
      ConnectionSpec su = sandbox.superuser();
      assertThat(su.password()).as("the superuser has a password made for the run").isPresent();

      ConnectionSpec bare = new ConnectionSpec(su.host(), su.port(), "sbx", "postgres", Optional.empty());
      assertThatThrownBy(() -> Connections.open(bare, "local intruder").close())
          .as("no password, no session").isInstanceOf(CutterException.class);

      try (Connection c = Connections.open(su, "cutter"); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select current_user, current_database()")) {
        rs.next();
        assertThat(rs.getString(1) + "/" + rs.getString(2)).isEqualTo("postgres/sbx");
      }
    }
  }
}
