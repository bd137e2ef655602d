package dev.cutter.core.exec;

import dev.cutter.core.db.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The journal {@code cutter.journal}: one row per committed change, inserted in the same
 * transaction as the change, so it records a change if and only if it committed. The row is
 * written with verdict {@code COMMITTED}; when verification and the report are done the run sets
 * the final verdict, the finish time and the report's sha256 (a row still {@code COMMITTED}
 * belongs to a run that was interrupted after its commit).
 */
public final class Journal {

  public static final String SCHEMA = "cutter";
  public static final String TABLE = "journal";
  public static final String QUALIFIED = SCHEMA + "." + TABLE;
  public static final String COMMITTED = "COMMITTED";
  /**
   * A {@code cutter rollback} run's own row starts with this verdict (written in the rollback's
   * transaction) and ends as {@code ROLLBACK_} + its verdict; apply rows never start with
   * {@link #ROLLBACK_PREFIX}.
   */
  public static final String ROLLBACK_COMMITTED = "ROLLBACK_COMMITTED";
  public static final String ROLLBACK_PREFIX = "ROLLBACK_";

  private Journal() {}

  /** One journal row. */
  public record Entry(long id, String packageId, String packageSha256, String runId, String verdict,
      List<String> signerFingerprints, String loginRole, String applyRole, Instant started, Instant finished,
      String reportSha256) {

    /** Whether this row records a {@code cutter rollback} run rather than an apply. */
    public boolean isRollback() {
      return verdict.startsWith(ROLLBACK_PREFIX);
    }
  }

  /** DDL of {@code cutter init}; idempotent. */
  static final String DDL = """
      create schema if not exists cutter;
      create table if not exists cutter.journal (
        id bigint generated always as identity primary key,
        package_id text not null,
        package_sha256 text not null check (package_sha256 ~ '^[0-9a-f]{64}$'),
        run_id text not null unique,
        verdict text not null,
        signer_fingerprints text[] not null default '{}',
        login_role text not null,
        apply_role text not null,
        started timestamptz not null,
        finished timestamptz,
        report_sha256 text
      );
      create index if not exists journal_package_sha256 on cutter.journal (package_sha256);
      comment on table cutter.journal is 'cutter: one row per committed change (written in the change''s transaction)';
      """;

  /** Creates the schema and table (idempotent) and grants each role what a run needs. */
  public static void init(Connection c, List<String> grantTo) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("select pg_advisory_xact_lock(" + AdvisoryLock.INIT_KEY + ")");
      st.execute(DDL);
      for (String role : grantTo) {
        String r = Sql.ident(role);
        st.execute("grant usage on schema cutter to " + r);
        st.execute("grant select, insert on cutter.journal to " + r);
        st.execute("grant update (verdict, finished, report_sha256) on cutter.journal to " + r);
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** Whether the journal table exists in the connected database. */
  public static boolean exists(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select to_regclass('cutter.journal') is not null");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Inserts the row of a change about to commit, on the change's own connection and transaction. */
  public static void recordCommit(Connection c, String packageId, String packageSha256, String runId,
      List<String> signers, String loginRole, String applyRole, Instant started) throws SQLException {
    insert(c, packageId, packageSha256, runId, COMMITTED, signers, loginRole, applyRole, started);
  }

  /** Inserts the row of a {@code cutter rollback} about to commit, in the rollback's own transaction. */
  public static void recordRollback(Connection c, String packageId, String packageSha256, String runId,
      List<String> signers, String loginRole, String applyRole, Instant started) throws SQLException {
    insert(c, packageId, packageSha256, runId, ROLLBACK_COMMITTED, signers, loginRole, applyRole, started);
  }

  private static void insert(Connection c, String packageId, String packageSha256, String runId, String verdict,
      List<String> signers, String loginRole, String applyRole, Instant started) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "insert into cutter.journal (package_id, package_sha256, run_id, verdict, signer_fingerprints, login_role, "
            + "apply_role, started) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, packageId);
      ps.setString(2, packageSha256);
      ps.setString(3, runId);
      ps.setString(4, verdict);
      Array arr = c.createArrayOf("text", signers.toArray());
      ps.setArray(5, arr);
      ps.setString(6, loginRole);
      ps.setString(7, applyRole);
      ps.setTimestamp(8, Timestamp.from(started));
      ps.executeUpdate();
    }
  }

  /** Sets the final verdict, finish time and report digest of a run's row (autocommit). */
  public static void finish(Connection c, String runId, String verdict, Instant finished, String reportSha256)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "update cutter.journal set verdict = ?, finished = ?, report_sha256 = ? where run_id = ?")) {
      ps.setString(1, verdict);
      ps.setTimestamp(2, Timestamp.from(finished));
      ps.setString(3, reportSha256);
      ps.setString(4, runId);
      ps.executeUpdate();
    }
  }

  /** Rows for a package digest, oldest first. */
  public static List<Entry> forPackage(Connection c, String packageSha256) throws SQLException {
    List<Entry> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "select id, package_id, package_sha256, run_id, verdict, signer_fingerprints, login_role, apply_role, started, "
            + "finished, report_sha256 from cutter.journal where package_sha256 = ? order by id")) {
      ps.setString(1, packageSha256);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Array a = rs.getArray(6);
          List<String> signers = a == null ? List.of() : List.of((String[]) a.getArray());
          Timestamp fin = rs.getTimestamp(10);
          out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), signers,
              rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant(), fin == null ? null : fin.toInstant(),
              rs.getString(11)));
        }
      }
    }
    return out;
  }

  /** The row that consumes this package's authorization: a PASS, or a commit whose run never finished. */
  public static Optional<Entry> consuming(Connection c, String packageSha256) throws SQLException {
    return forPackage(c, packageSha256).stream()
        .filter(e -> e.verdict().equals("PASS") || e.verdict().equals(COMMITTED))
        .findFirst();
  }
}
