package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@WithPostgres
class CheckPoolTest {

  private static final String SECRET = "pw-Xq7-never-shown";

  @Test
  void runsWorkInAReadOnlyTransaction(TestDatabase db) throws SQLException {
    ConnectionSpec spec = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    try (CheckPool pool = CheckPool.open(spec, 2, "test")) {
      String ro = pool.readOnly(c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show transaction_read_only")) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertThat(ro).isEqualTo("on");
      org.postgresql.jdbc.PreferQueryMode mode = pool.readOnly(c -> c.unwrap(org.postgresql.PGConnection.class).getPreferQueryMode());
      assertThat(mode).as("one statement per message: the server refuses more").isEqualTo(org.postgresql.jdbc.PreferQueryMode.EXTENDED);
      String path = pool.readOnly(c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("show search_path")) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertThat(path).isEqualTo("pg_catalog, pg_temp");
      assertThatThrownBy(() -> pool.readOnly(c -> c.createStatement().execute("create table nope (a int)")))
          .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25006");
      Integer afterError = pool.readOnly(c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
          rs.next();
          return rs.getInt(1);
        }
      });
      assertThat(afterError).as("the connection is clean again after a failed check").isEqualTo(1);
    }
  }

  @Test
  void neverLogsThePassword(TestDatabase db) throws SQLException {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger hikari = (Logger) LoggerFactory.getLogger("com.zaxxer.hikari");
    Level before = root.getLevel();
    Level hikariBefore = hikari.getLevel();
    hikari.setLevel(Level.DEBUG);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    root.addAppender(seen);
    root.setLevel(Level.DEBUG);
    try {
      ConnectionSpec spec = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres",
          Optional.of(new ConnectionSpec.Secret(SECRET)));
      try (CheckPool pool = CheckPool.open(spec, 2, "test")) {
        pool.readOnly(c -> c.isValid(1));
      }
      ConnectionSpec unreachable = new ConnectionSpec("localhost", 1, db.name(), "postgres",
          Optional.of(new ConnectionSpec.Secret(SECRET)));
      assertThatThrownBy(() -> CheckPool.open(unreachable, 2, "test")).hasMessageNotContaining(SECRET)
          .hasMessageContaining("cannot connect to postgresql://postgres@localhost:1/");
    } finally {
      root.detachAppender(seen);
      root.setLevel(before);
      hikari.setLevel(hikariBefore);
    }
    assertThat(seen.list).as("the pool logged its configuration").isNotEmpty();
    assertThat(seen.list).allSatisfy(e -> assertThat(e.getFormattedMessage() + e.getThrowableProxy())
        .doesNotContain(SECRET));
  }
}
