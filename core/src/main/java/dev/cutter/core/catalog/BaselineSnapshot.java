package dev.cutter.core.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline of every user schema (system schemas and cutter's own journal schema left out):
 * what a run compares before and after a change to say "target unchanged" or "restored". The
 * counting is {@link BaselineReader}'s and the fingerprint {@link CatalogFingerprint}'s (one query
 * each); this class only decides which schemas.
 */
public final class BaselineSnapshot {

  private static final String USER_SCHEMAS = """
      select nspname from pg_catalog.pg_namespace
       where nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'cutter')
         and nspname not like 'pg\\_temp\\_%' and nspname not like 'pg\\_toast\\_temp\\_%'
      """;

  private BaselineSnapshot() {}

  public static Baseline read(Connection c) throws SQLException {
    List<String> schemas = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(USER_SCHEMAS)) {
      while (rs.next()) {
        schemas.add(rs.getString(1));
      }
    }
    Baseline counts = BaselineReader.read(c, schemas);
    return new Baseline(counts.schemas(), CatalogFingerprint.ofSchemas(c, schemas));
  }
}
