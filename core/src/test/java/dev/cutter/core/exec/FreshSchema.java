package dev.cutter.core.exec;

import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ApplyEngine.Sending;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * The engine tests' ground: schema {@code p} with one table {@code p.base}, made afresh, and a
 * session speaking psql's simple protocol, as cutter's apply session does.
 */
final class FreshSchema {

  static final String MAKE = "drop schema if exists p cascade; create schema p; create table p.base(id int)";

  private FreshSchema() {}

  /** A session of {@code db} as postgres, simple protocol. */
  static Connection simple(TestDatabase db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  /** Schema p made afresh, then {@code statements} run {@code way} with the default settings. */
  static Outcome run(TestDatabase db, List<ExecStatement> statements, Sending way) throws SQLException {
    db.execute(MAKE);
    try (Connection c = simple(db)) {
      return ApplyEngine.run(c, statements, ApplySettings.defaults(), x -> { }, ApplyEngine.NO_RECHECK,
          ApplyEngine.NO_OBSERVER, way);
    }
  }
}
