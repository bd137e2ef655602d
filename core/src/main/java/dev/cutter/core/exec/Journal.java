package dev.cutter.core.exec;

import dev.cutter.core.Verdict;
import dev.cutter.core.db.Sql;
import dev.cutter.core.model.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The journal {@code cutter.journal}: one row per package that reached its change, and every row
 * consumes its package's authorization, whatever its verdict. Nobody but the journal's owner
 * writes the table: runs record and finish through two functions owned by it ({@code SECURITY
 * DEFINER}, a fixed {@code search_path}):
 * <ul>
 *   <li>{@code cutter.record_commit} inserts the {@code COMMITTED} row and refuses (SQLSTATE
 *       {@value #ALREADY_CONSUMED}) when any row for that package sha256 exists. In transaction
 *       mode it runs inside the change's transaction, so the row exists if and only if the change
 *       committed; in autocommit mode before the first statement, in its own transaction.</li>
 *   <li>{@code cutter.finish_run} moves that run's row from {@code COMMITTED} to a final verdict
 *       once, and only for the caller that holds the run's finish key (SQLSTATE
 *       {@value #NOT_FINISHABLE} otherwise).</li>
 * </ul>
 * The finish key is a keyed digest of the run id under a secret that lives only in this process;
 * the row holds its sha256. So neither apply_role nor an artifact running as it can finish a run
 * (early, or with a verdict of its choosing), and no one but the owner can change or remove a row:
 * an authorization, once consumed, stays consumed.
 */
public final class Journal {

  public static final String SCHEMA = "cutter";
  public static final String TABLE = "journal";
  public static final String QUALIFIED = SCHEMA + "." + TABLE;
  public static final String COMMITTED = "COMMITTED";
  /**
   * A {@code cutter rollback} run's own row starts with this verdict (written in the rollback's
   * transaction by {@code record_rollback}) and ends as {@code ROLLBACK_} + its verdict; apply rows
   * never start with {@link #ROLLBACK_PREFIX}.
   */
  public static final String ROLLBACK_COMMITTED = "ROLLBACK_COMMITTED";
  public static final String ROLLBACK_PREFIX = "ROLLBACK_";
  /** The verdicts a run may finish with. */
  public static final List<String> FINAL_VERDICTS = List.of("PASS", "FAILED", "ROLLED_BACK", "ESCALATE");
  /** SQLSTATE of {@code record_commit}: the package sha256 already has a row. */
  public static final String ALREADY_CONSUMED = "CJ001";
  /** SQLSTATE of {@code finish_run}: no COMMITTED row for that run, the wrong key, or not a final verdict. */
  public static final String NOT_FINISHABLE = "CJ002";
  /** SQLSTATE of {@code record_rollback}: the package has no apply row here, or was already rolled back. */
  public static final String NO_ROLLBACK = "CJ003";

  /** The functions' signatures, as GRANT and ALTER FUNCTION name them. */
  public static final String RECORD_COMMIT =
      "cutter.record_commit(text, text, text, text[], text, text, timestamptz, text)";
  public static final String FINISH_RUN = "cutter.finish_run(text, text, text, timestamptz, text)";
  /** Moves an apply row from phase {@code transactional} to {@code online_done} or {@code online_failed}. */
  public static final String RECORD_PHASE = "cutter.record_phase(text, text, text)";
  public static final String RECORD_ROLLBACK =
      "cutter.record_rollback(text, text, text, text[], text, text, timestamptz, text)";

  /** Serialises record_commit where a unique index cannot (a journal with old duplicate rows). */
  static final long RECORD_KEY = AdvisoryLock.RUN_KEY + 2;

  private static final byte[] PROCESS_SECRET = new byte[32];

  static {
    new SecureRandom().nextBytes(PROCESS_SECRET);
  }

  private Journal() {}

  /** One journal row; {@code phase} is null in a journal made before phases (see {@link #hasPhases}). */
  public record Entry(long id, String packageId, String packageSha256, String runId, String verdict,
      List<String> signerFingerprints, String loginRole, String applyRole, Instant started, Instant finished,
      String reportSha256, String phase) {

    /** Whether this row records a {@code cutter rollback} run rather than an apply. */
    public boolean isRollback() {
      return verdict.startsWith(ROLLBACK_PREFIX);
    }

    /** Whether this row records a {@code cutter rollback} run that finished PASS (the change was undone). */
    public boolean isPassedRollback() {
      return verdict.equals(ROLLBACK_PREFIX + Verdict.PASS.name());
    }
  }

  /** What {@link #init} did: whether the database itself keeps one row per package, and whose write grants went. */
  public record InitResult(boolean uniquePerPackage, List<String> revokedFrom) {}

  /** The table as every version of {@code cutter init} made it, and the column this one adds; idempotent. */
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
      alter table cutter.journal add column if not exists finish_key_sha256 text;
      alter table cutter.journal add column if not exists phase text;
      create index if not exists journal_package_sha256 on cutter.journal (package_sha256);
      comment on table cutter.journal is 'cutter: one row per package that reached its change; every row consumes it.'
        ' Written only through cutter.record_commit and cutter.finish_run';
      """;

  /** The sequence behind the journal's identity column. */
  public static final String ID_SEQUENCE = "cutter.journal_id_seq";

  /** The two functions; owned by the journal's owner (set by {@link #init}), names fully qualified. */
  static final String FUNCTIONS = """
      create or replace function cutter.record_commit(p_package_id text, p_package_sha256 text, p_run_id text,
          p_signer_fingerprints text[], p_login_role text, p_apply_role text, p_started timestamptz,
          p_finish_key_sha256 text)
        returns bigint
        language plpgsql
        security definer
        set search_path = pg_catalog, pg_temp
      as $cutter$
      declare
        v_id bigint;
      begin
        perform pg_catalog.pg_advisory_xact_lock(%1$d);
        if exists (select 1 from cutter.journal j where j.package_sha256 = p_package_sha256) then
          raise exception using errcode = 'CJ001',
            message = 'package ' || coalesce(p_package_sha256, 'null') || ' is already in the journal: its authorization is consumed',
            hint = 'a deliberate re-run needs a new package';
        end if;
        insert into cutter.journal (package_id, package_sha256, run_id, verdict, signer_fingerprints, login_role,
            apply_role, started, finish_key_sha256, phase)
          values (p_package_id, p_package_sha256, p_run_id, 'COMMITTED', coalesce(p_signer_fingerprints, '{}'),
            p_login_role, p_apply_role, p_started, p_finish_key_sha256, 'transactional')
          returning id into v_id;
        return v_id;
      end
      $cutter$;
      create or replace function cutter.record_rollback(p_package_id text, p_package_sha256 text, p_run_id text,
          p_signer_fingerprints text[], p_login_role text, p_apply_role text, p_started timestamptz,
          p_finish_key_sha256 text)
        returns bigint
        language plpgsql
        security definer
        set search_path = pg_catalog, pg_temp
      as $cutter$
      declare
        v_id bigint;
      begin
        perform pg_catalog.pg_advisory_xact_lock(%1$d);
        if not exists (select 1 from cutter.journal j where j.package_sha256 = p_package_sha256
            and j.verdict not like 'ROLLBACK\\_%%') then
          raise exception using errcode = 'CJ003',
            message = 'package ' || coalesce(p_package_sha256, 'null') || ' was never applied here: nothing to roll back';
        end if;
        if exists (select 1 from cutter.journal j where j.package_sha256 = p_package_sha256
            and j.verdict like 'ROLLBACK\\_%%') then
          raise exception using errcode = 'CJ003',
            message = 'package ' || p_package_sha256 || ' was already rolled back here: a rollback runs once';
        end if;
        insert into cutter.journal (package_id, package_sha256, run_id, verdict, signer_fingerprints, login_role,
            apply_role, started, finish_key_sha256)
          values (p_package_id, p_package_sha256, p_run_id, 'ROLLBACK_COMMITTED', coalesce(p_signer_fingerprints, '{}'),
            p_login_role, p_apply_role, p_started, p_finish_key_sha256)
          returning id into v_id;
        return v_id;
      end
      $cutter$;
      create or replace function cutter.record_phase(p_run_id text, p_phase text, p_finish_key text)
        returns void
        language plpgsql
        security definer
        set search_path = pg_catalog, pg_temp
      as $cutter$
      declare
        v_verdict text;
        v_phase text;
        v_key text;
      begin
        if p_phase is null or p_phase not in ('online_done', 'online_failed') then
          raise exception using errcode = 'CJ002', message = 'not a phase a run may record: ' || coalesce(p_phase, 'null');
        end if;
        select j.verdict, j.phase, j.finish_key_sha256 into v_verdict, v_phase, v_key from cutter.journal j
          where j.run_id = p_run_id for update;
        if not found or v_verdict <> 'COMMITTED' or v_phase is distinct from 'transactional' then
          raise exception using errcode = 'CJ002',
            message = 'run ' || coalesce(p_run_id, 'null') || ' has no unfinished journal row in phase transactional';
        end if;
        if v_key is null or p_finish_key is null
            or pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_finish_key, 'UTF8')), 'hex') <> v_key then
          raise exception using errcode = 'CJ002',
            message = 'run ' || p_run_id || ' may record its phase only from the run that recorded it';
        end if;
        update cutter.journal set phase = p_phase where run_id = p_run_id;
      end
      $cutter$;
      create or replace function cutter.finish_run(p_run_id text, p_verdict text, p_report_sha256 text,
          p_finished timestamptz, p_finish_key text)
        returns void
        language plpgsql
        security definer
        set search_path = pg_catalog, pg_temp
      as $cutter$
      declare
        v_verdict text;
        v_key text;
      begin
        if p_verdict is null or p_verdict not in ('PASS', 'FAILED', 'ROLLED_BACK', 'ESCALATE') then
          raise exception using errcode = 'CJ002', message = 'not a final verdict: ' || coalesce(p_verdict, 'null');
        end if;
        select j.verdict, j.finish_key_sha256 into v_verdict, v_key from cutter.journal j where j.run_id = p_run_id
          for update;
        if not found or v_verdict not in ('COMMITTED', 'ROLLBACK_COMMITTED') then
          raise exception using errcode = 'CJ002',
            message = 'run ' || coalesce(p_run_id, 'null') || ' has no COMMITTED journal row to finish';
        end if;
        if v_key is null or p_finish_key is null
            or pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_finish_key, 'UTF8')), 'hex') <> v_key then
          raise exception using errcode = 'CJ002',
            message = 'run ' || p_run_id || ' may be finished only by the run that recorded it';
        end if;
        update cutter.journal set verdict = case when v_verdict = 'ROLLBACK_COMMITTED' then 'ROLLBACK_' || p_verdict
              else p_verdict end, finished = coalesce(p_finished, pg_catalog.clock_timestamp()),
            report_sha256 = p_report_sha256
          where run_id = p_run_id;
      end
      $cutter$;
      """.formatted(RECORD_KEY);

  /**
   * Creates or upgrades the journal in place (idempotent): the table, the functions owned by the
   * table's owner, EXECUTE on them and SELECT on the table for {@code grantTo}; every write grant
   * on the table (any role, also from older versions' {@code --grant}) and CREATE on the schema is
   * revoked; a unique index on the package sha256 when no package has two rows yet. Refuses a
   * role that owns the journal or its schema (a schema's owner may drop what is in it), or may act
   * as their owner.
   */
  public static InitResult init(Connection c, List<String> grantTo) throws SQLException {
    return init(c, grantTo, List.of());
  }

  /**
   * As {@link #init(Connection, List)}; {@code readers} (e.g. a backup role) get what reading the
   * journal takes and nothing more: USAGE on schema cutter, SELECT on the journal and SELECT on
   * the sequence of its id (pg_dump reads a sequence's state with SELECT; USAGE on it would also
   * allow nextval). Idempotent.
   */
  public static InitResult init(Connection c, List<String> grantTo, List<String> readers) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      // the catalog's names only: the DDL binds operators and functions into the journal when it
      // is created (the CHECK's ~), and a database search_path its owner (apply_role, say) set
      // could put one of its own first, to be run by record_commit as the journal's owner
      st.execute("set local search_path = pg_catalog, pg_temp");
      st.execute("select pg_catalog.pg_advisory_xact_lock(" + AdvisoryLock.INIT_KEY + ")");
      st.execute(DDL);
      st.execute(FUNCTIONS);
      String owner = owner(c);
      String o = Sql.ident(owner);
      st.execute("alter function " + RECORD_COMMIT + " owner to " + o);
      st.execute("alter function " + FINISH_RUN + " owner to " + o);
      st.execute("alter function " + RECORD_ROLLBACK + " owner to " + o);
      st.execute("alter function " + RECORD_PHASE + " owner to " + o);
      for (String fn : List.of(RECORD_COMMIT, FINISH_RUN, RECORD_ROLLBACK, RECORD_PHASE)) {
        st.execute("revoke all on function " + fn + " from public");
      }
      List<String> revoked = revokeWrites(c);
      String schemaOwner = schemaOwner(c);
      for (String role : grantTo) {
        for (String o2 : List.of(owner, schemaOwner)) {
          if (actsAs(c, role, o2)) {
            throw new SQLException("role " + role + " owns " + (o2.equals(owner) ? QUALIFIED : "schema " + SCHEMA)
                + " or may act as its owner " + o2 + ": it could rewrite the journal; grant a role that is not a member of "
                + o2, "42501");
          }
        }
        String r = Sql.ident(role);
        st.execute("grant usage on schema cutter to " + r);
        st.execute("grant select on cutter.journal to " + r);
        st.execute("grant execute on function " + RECORD_COMMIT + " to " + r);
        st.execute("grant execute on function " + FINISH_RUN + " to " + r);
        st.execute("grant execute on function " + RECORD_ROLLBACK + " to " + r);
        st.execute("grant execute on function " + RECORD_PHASE + " to " + r);
      }
      for (String role : readers) {
        String r = Sql.ident(role);
        st.execute("grant usage on schema cutter to " + r);
        st.execute("grant select on cutter.journal to " + r);
        st.execute("grant select on sequence " + ID_SEQUENCE + " to " + r);
      }
      boolean unique = uniqueIndex(c);
      c.commit();
      return new InitResult(unique, revoked);
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private static String owner(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.pg_get_userbyid(relowner) from pg_catalog.pg_class"
            + " where oid = 'cutter.journal'::pg_catalog.regclass")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String schemaOwner(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.pg_get_userbyid(nspowner) from pg_catalog.pg_namespace"
            + " where nspname = 'cutter'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static boolean actsAs(Connection c, String role, String owner) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_catalog.pg_has_role(?, ?, 'MEMBER')")) {
      ps.setString(1, role);
      ps.setString(2, owner);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Revokes every privilege but SELECT on the table (and its columns) from every role but the
   * owner, and CREATE on the schema; returns the roles that lost something ("PUBLIC" for public).
   */
  private static List<String> revokeWrites(Connection c) throws SQLException {
    List<String> grantees = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("""
            select distinct case when a.grantee = 0 then 'public' else pg_catalog.pg_get_userbyid(a.grantee) end
            from pg_catalog.pg_class t
            cross join lateral (
              select * from pg_catalog.aclexplode(t.relacl)
              union all
              select x.* from pg_catalog.pg_attribute at, pg_catalog.aclexplode(at.attacl) x
                where at.attrelid = t.oid and at.attacl is not null
            ) a
            where t.oid = 'cutter.journal'::pg_catalog.regclass and a.grantee <> t.relowner and a.privilege_type <> 'SELECT'
            union
            select case when a.grantee = 0 then 'public' else pg_catalog.pg_get_userbyid(a.grantee) end
            from pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
            where n.nspname = 'cutter' and a.grantee <> n.nspowner and a.privilege_type = 'CREATE'
            order by 1""")) {
      while (rs.next()) {
        grantees.add(rs.getString(1));
      }
    }
    try (Statement st = c.createStatement()) {
      for (String g : grantees) {
        String who = g.equals("public") ? "public" : Sql.ident(g);
        st.execute("revoke insert, update, delete, truncate, references, trigger on cutter.journal from " + who);
        st.execute("revoke create on schema cutter from " + who);
      }
    }
    return grantees.stream().map(g -> g.equals("public") ? "PUBLIC" : g).toList();
  }

  /** A unique index on package_sha256 unless old runs left two rows for one package (then record_commit's check holds alone). */
  private static boolean uniqueIndex(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("select exists (select 1 from cutter.journal"
          + " group by package_sha256, verdict like 'ROLLBACK\\_%' having count(*) > 1)")) {
        rs.next();
        if (rs.getBoolean(1)) {
          return false;
        }
      }
      // one apply row and at most one rollback row per package
      st.execute("create unique index if not exists journal_package_sha256_once on cutter.journal"
          + " (package_sha256, (verdict like 'ROLLBACK\\_%'))");
      return true;
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

  /**
   * Records that this run's change commits (transaction mode: on the change's own connection and
   * transaction; autocommit mode: before the first statement). Fails with SQLSTATE
   * {@value #ALREADY_CONSUMED} when the package already has a row. Returns the id of the
   * transaction that wrote the row ({@code txid_current()}, read in the same round trip): in
   * transaction mode the change's own, which {@code txid_status} on another session later says
   * committed or aborted when the connection is lost at COMMIT.
   */
  public static long recordCommit(Connection c, String packageId, String packageSha256, String runId,
      List<String> signers, String loginRole, String applyRole, Instant started) throws SQLException {
    return record(c, "cutter.record_commit", packageId, packageSha256, runId, signers, loginRole, applyRole, started);
  }

  /**
   * Records a {@code cutter rollback} run in the rollback's own transaction, through
   * {@code record_rollback}: it requires this package's apply row on the target and no earlier
   * rollback row (SQLSTATE {@value #NO_ROLLBACK} otherwise). {@link #finish} then ends it as
   * {@code ROLLBACK_} + the verdict.
   */
  public static void recordRollback(Connection c, String packageId, String packageSha256, String runId,
      List<String> signers, String loginRole, String applyRole, Instant started) throws SQLException {
    record(c, "cutter.record_rollback", packageId, packageSha256, runId, signers, loginRole, applyRole, started);
  }

  /** Calls one of the two recording functions, which take the same arguments; the row keeps the finish key's sha256. */
  private static long record(Connection c, String function, String packageId, String packageSha256, String runId,
      List<String> signers, String loginRole, String applyRole, Instant started) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select " + function + "(?, ?, ?, ?, ?, ?, ?, ?),"
        + " pg_catalog.txid_current()")) {
      ps.setString(1, packageId);
      ps.setString(2, packageSha256);
      ps.setString(3, runId);
      ps.setArray(4, c.createArrayOf("text", signers.toArray()));
      ps.setString(5, loginRole);
      ps.setString(6, applyRole);
      ps.setTimestamp(7, Timestamp.from(started));
      ps.setString(8, Sha256.of(finishKey(runId).getBytes(StandardCharsets.UTF_8)));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(2);
      }
    }
  }

  /**
   * Sets the final verdict, finish time and report digest of this process's run's row, once.
   * Fails with SQLSTATE {@value #NOT_FINISHABLE} when the row is not COMMITTED or was recorded by
   * another process.
   */
  public static void finish(Connection c, String runId, String verdict, Instant finished, String reportSha256)
      throws SQLException {
    withTheKeyOutOfTheQueryText(c, () -> {
      try (PreparedStatement ps = c.prepareStatement("select cutter.finish_run(?, ?, ?, ?, ?)")) {
        ps.setString(1, runId);
        ps.setString(2, verdict);
        ps.setString(3, reportSha256);
        ps.setTimestamp(4, Timestamp.from(finished));
        ps.setString(5, finishKey(runId));
        ps.execute();
      }
    });
  }

  /**
   * Which part of an apply finished, in its journal row's {@code phase}: {@code transactional}
   * (written with the row: in transaction mode the artifact committed with it; in autocommit mode
   * the row comes before the first statement and the verdict says how far it got), then, for a
   * package with an online step, {@code online_done} or {@code online_failed}.
   */
  public enum Phase {
    TRANSACTIONAL, ONLINE_DONE, ONLINE_FAILED;

    public String sqlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Records that this process's run finished its online step ({@link Phase#ONLINE_DONE} or
   * {@link Phase#ONLINE_FAILED}), once, while the row is still {@code COMMITTED} in phase
   * {@code transactional}; SQLSTATE {@value #NOT_FINISHABLE} otherwise.
   */
  public static void recordPhase(Connection c, String runId, Phase phase) throws SQLException {
    withTheKeyOutOfTheQueryText(c, () -> {
      try (PreparedStatement ps = c.prepareStatement("select cutter.record_phase(?, ?, ?)")) {
        ps.setString(1, runId);
        ps.setString(2, phase.sqlName());
        ps.setString(3, finishKey(runId));
        ps.execute();
      }
    });
  }

  private interface KeyedCall {
    void run() throws SQLException;
  }

  /**
   * Runs a call that sends the finish key with the extended query protocol, whatever the
   * session's: cutter's sessions speak the simple protocol, which writes parameters into the query
   * text, and pg_stat_activity shows a session's last query to its own role, so apply_role could
   * read the key there (after the online step's phase, while verify runs) and finish the row with
   * a verdict and report digest of its own. Bound parameters never show there; nor in an error of
   * the call, {@code log_parameter_max_length_on_error} being 0 on the session from then on (any
   * role may set it for itself, and the server then writes the parameters into the error's
   * context, to its log and to the client; the session is the journal's own, and the call is its
   * last query, as pg_stat_activity shows).
   */
  private static void withTheKeyOutOfTheQueryText(Connection c, KeyedCall call) throws SQLException {
    org.postgresql.core.QueryExecutor qe = c.unwrap(org.postgresql.core.BaseConnection.class).getQueryExecutor();
    org.postgresql.jdbc.PreferQueryMode was = qe.getPreferQueryMode();
    try (Statement st = c.createStatement()) {
      st.execute("set log_parameter_max_length_on_error = 0");
    }
    qe.setPreferQueryMode(org.postgresql.jdbc.PreferQueryMode.EXTENDED);
    try {
      call.run();
    } finally {
      qe.setPreferQueryMode(was);
    }
  }

  /** Whether the journal has the {@code phase} column and its function (made by this version's {@code cutter init}). */
  public static boolean hasPhases(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select exists (select 1 from pg_catalog.pg_attribute a where"
        + " a.attrelid = pg_catalog.to_regclass('cutter.journal') and a.attname = 'phase' and not a.attisdropped)"
        + " and pg_catalog.to_regprocedure(?) is not null")) {
      ps.setString(1, RECORD_PHASE);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** The run's finish key: a keyed digest of its run id under this process's secret; never stored or shown. */
  static String finishKey(String runId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(PROCESS_SECRET, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(runId.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }

  /**
   * The one query every read of the journal runs, its columns in {@link Entry}'s order; {@code phase}
   * is read through the row's JSON, so that a journal made before phases (no such column) reads too.
   */
  private static final String SELECT = "select j.id, j.package_id, j.package_sha256, j.run_id, j.verdict,"
      + " j.signer_fingerprints, j.login_role, j.apply_role, j.started, j.finished, j.report_sha256,"
      + " pg_catalog.to_jsonb(j) operator(pg_catalog.->>) 'phase' from cutter.journal j";

  /** Rows for a package digest, oldest first. */
  public static List<Entry> forPackage(Connection c, String packageSha256) throws SQLException {
    return entries(c, SELECT + " where j.package_sha256 = ? order by j.id", packageSha256);
  }

  /** Every row, or those of the package id {@code packageId} when given, oldest first. */
  public static List<Entry> rows(Connection c, Optional<String> packageId) throws SQLException {
    return packageId.isPresent() ? entries(c, SELECT + " where j.package_id = ? order by j.id", packageId.get())
        : entries(c, SELECT + " order by j.id", null);
  }

  private static List<Entry> entries(Connection c, String sql, String parameter) throws SQLException {
    List<Entry> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (parameter != null) {
        ps.setString(1, parameter);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Array a = rs.getArray(6);
          List<String> signers = a == null ? List.of() : List.of((String[]) a.getArray());
          Timestamp fin = rs.getTimestamp(10);
          out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), signers,
              rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant(), fin == null ? null : fin.toInstant(),
              rs.getString(11), rs.getString(12)));
        }
      }
    }
    return out;
  }

  /** The row that consumes this package's authorization: its first row, whatever its verdict. */
  public static Optional<Entry> consuming(Connection c, String packageSha256) throws SQLException {
    return forPackage(c, packageSha256).stream().findFirst();
  }
}
