package dev.cutter.core.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
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

  /** Counts of every user schema and the fingerprint of all of them. */
  public static Baseline read(Connection c) throws SQLException {
    List<String> schemas = userSchemas(c);
    Baseline counts = BaselineReader.read(c, schemas);
    return new Baseline(counts.schemas(), CatalogFingerprint.ofSchemas(c, schemas));
  }

  /**
   * Counts of every user schema, and the fingerprint of those in {@code fingerprinted} (the
   * schemas a change touches: the fingerprint's detail costs about 1 s per 6,000 relations, the
   * counts a few milliseconds).
   */
  public static Baseline read(Connection c, Collection<String> fingerprinted) throws SQLException {
    List<String> schemas = userSchemas(c);
    Baseline counts = BaselineReader.read(c, schemas);
    List<String> detail = schemas.stream().filter(fingerprinted::contains).toList();
    return new Baseline(counts.schemas(), CatalogFingerprint.ofSchemas(c, detail));
  }

  /** Counts of every user schema alone (for a report, where nothing is compared). */
  public static Baseline counts(Connection c) throws SQLException {
    return BaselineReader.read(c, userSchemas(c));
  }

  private static List<String> userSchemas(Connection c) throws SQLException {
    List<String> schemas = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(USER_SCHEMAS)) {
      while (rs.next()) {
        schemas.add(rs.getString(1));
      }
    }
    return schemas;
  }
}
