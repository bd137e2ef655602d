package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * apply_role against its own journal: it may record a run and nothing else. Every attack is made
 * as apply_role on its own connection, the way a hostile holder of its password would.
 */
@WithPostgres
class JournalTest {

  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "b".repeat(64);

  /** The DDL and grants of cutter init before the journal functions, copied as they shipped. */
  private static final String OLD_DDL = """
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

  private static String oldGrants(String role) {
    return "grant usage on schema cutter to " + role + ";"
        + "grant select, insert on cutter.journal to " + role + ";"
        + "grant update (verdict, finished, report_sha256) on cutter.journal to " + role + ";";
  }

  private static Connection as(TestDatabase db, String user) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  /** The SQLSTATE of {@code sql} run as {@code role}, or null when it succeeded. */
  private static String attempt(TestDatabase db, String role, String sql) throws SQLException {
    try (Connection c = as(db, role); Statement st = c.createStatement()) {
      st.execute(sql);
      return null;
    } catch (SQLException e) {
      if (e.getSQLState() == null || e.getSQLState().startsWith("08")) {
        throw e;
      }
      return e.getSQLState();
    }
  }

  private static String app(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    return app;
  }

  private static void record(TestDatabase db, String role, String sha, String runId) throws SQLException {
    try (Connection c = as(db, role)) {
      Journal.recordCommit(c, "pkg", sha, runId, List.of("F1"), role, role, Instant.now());
    }
  }

  private static void finish(TestDatabase db, String role, String runId, String verdict) throws SQLException {
    try (Connection c = as(db, role)) {
      Journal.finish(c, runId, verdict, Instant.now(), "c".repeat(64));
    }
  }

  /** The one query every read of the journal runs: history's rows, a package's rows, also of a journal made before phases. */
  @Test
  void rowsAreReadByOneQueryWithThePhaseWhereTheJournalHasOne(TestDatabase db) throws SQLException {
    db.execute(OLD_DDL);
    db.execute("insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role, apply_role, started)"
        + " values ('old', '" + SHA_B + "', 'r0', 'PASS', 'l', 'a', now())");
    try (Connection c = db.superuser()) {
      assertThat(Journal.rows(c, java.util.Optional.empty())).singleElement()
          .satisfies(e -> assertThat(e.phase()).as("no phase column yet").isNull())
          .isEqualTo(Journal.forPackage(c, SHA_B).get(0));
    }

    String app = app(db);
    record(db, app, SHA_A, "r1");
    try (Connection c = db.superuser()) {
      List<Journal.Entry> all = Journal.rows(c, java.util.Optional.empty());
      assertThat(all).extracting(Journal.Entry::runId).containsExactly("r0", "r1");
      assertThat(all.get(1).phase()).isEqualTo("transactional");
      assertThat(Journal.rows(c, java.util.Optional.of("pkg"))).isEqualTo(Journal.forPackage(c, SHA_A))
          .extracting(Journal.Entry::runId).containsExactly("r1");
      assertThat(Journal.rows(c, java.util.Optional.of("nothing"))).isEmpty();
    }
  }

  @Test
  void applyRoleCannotTurnAPassIntoAFailureOrRemoveIt(TestDatabase db) throws SQLException {
    String app = app(db);
    record(db, app, SHA_A, "r1");
    finish(db, app, "r1", "PASS");

    assertThat(attempt(db, app, "update cutter.journal set verdict = 'FAILED'")).as("UPDATE").isEqualTo("42501");
    assertThat(attempt(db, app, "delete from cutter.journal")).as("DELETE").isEqualTo("42501");
    assertThat(attempt(db, app, "truncate cutter.journal")).as("TRUNCATE").isEqualTo("42501");
    assertThat(attempt(db, app, "select cutter.finish_run('r1', 'FAILED', null, null, null)"))
        .as("finish_run of a finished run").isEqualTo(Journal.NOT_FINISHABLE);
    assertThatThrownBy(() -> finish(db, app, "r1", "FAILED")).as("even with the run's own key")
        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo(Journal.NOT_FINISHABLE);
    assertThat(db.queryValue("select string_agg(verdict, ',') from cutter.journal")).isEqualTo("PASS");
  }

  @Test
  void applyRoleCannotInsertRowsOrRecordAConsumedPackageAgain(TestDatabase db) throws SQLException {
    String app = app(db);
    record(db, app, SHA_A, "r1");
    finish(db, app, "r1", "ESCALATE");

    assertThat(attempt(db, app, "insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role,"
        + " apply_role, started) values ('x', '" + SHA_B + "', 'r2', 'PASS', 'x', 'x', now())"))
        .as("a direct insert for another package").isEqualTo("42501");
    assertThatThrownBy(() -> record(db, app, SHA_A, "r3")).as("an ESCALATE row consumes too")
        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo(Journal.ALREADY_CONSUMED);
    assertThat(Journal.consuming(as(db, app), SHA_A)).get().extracting(Journal.Entry::verdict).isEqualTo("ESCALATE");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("1");
  }

  @Test
  void onlyTheRunThatRecordedARowCanFinishIt(TestDatabase db) throws SQLException {
    String app = app(db);
    record(db, app, SHA_A, "r1");

    assertThat(attempt(db, app, "select cutter.finish_run('r1', 'PASS', null, null, 'guess')"))
        .as("without the run's finish key").isEqualTo(Journal.NOT_FINISHABLE);
    assertThat(attempt(db, app, "select cutter.finish_run('r1', 'PASS', null, null, null)"))
        .as("with no key").isEqualTo(Journal.NOT_FINISHABLE);
    assertThat(db.queryValue("select verdict from cutter.journal")).isEqualTo(Journal.COMMITTED);
    assertThatThrownBy(() -> finish(db, app, "r1", "COMMITTED")).as("not a final verdict")
        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo(Journal.NOT_FINISHABLE);

    finish(db, app, "r1", "FAILED");
    assertThat(db.queryValue("select verdict || ' ' || (finished is not null) from cutter.journal")).isEqualTo("FAILED true");
    assertThat(db.queryValue("select count(*) from cutter.journal where finish_key_sha256 ~ '^[0-9a-f]{64}$'"))
        .as("the key itself is never stored").isEqualTo("1");
  }

  @Test
  void functionsRunWithAFixedSearchPathAsTheJournalsOwner(TestDatabase db) throws SQLException {
    String admin = db.createRole("journal_admin");
    String app = db.createRole("app");
    db.execute("grant create on database " + db.name() + " to " + admin);
    try (Connection c = as(db, admin)) {
      Journal.init(c, List.of(app));
    }
    assertThat(db.queryValue("select string_agg(distinct pg_get_userbyid(proowner) || ' ' || prosecdef || ' '"
        + " || array_to_string(proconfig, ';'), ',') from pg_proc where pronamespace = 'cutter'::regnamespace"))
        .isEqualTo(admin + " true search_path=pg_catalog, pg_temp");
    assertThat(db.queryValue("select has_function_privilege('public', '" + Journal.RECORD_COMMIT + "', 'EXECUTE')"))
        .as("not executable by PUBLIC").isEqualTo("f");
    assertThat(db.queryValue("select has_schema_privilege('" + app + "', 'cutter', 'CREATE')")).isEqualTo("f");
    try (Connection c = as(db, app); Statement st = c.createStatement()) {
      st.execute("create temporary table journal (like cutter.journal)");
      Journal.recordCommit(c, "pkg", SHA_A, "r1", List.of(), app, app, Instant.now());
    }
    assertThat(db.queryValue("select count(*) from cutter.journal")).as("a temporary table stands in for nothing")
        .isEqualTo("1");
  }

  @Test
  void initRefusesToGrantARoleThatCouldActAsTheJournalsOwner(TestDatabase db) throws SQLException {
    String admin = db.createRole("journal_admin");
    String app = db.createRole("app");
    db.execute("grant " + admin + " to " + app);
    try (Connection c = as(db, admin)) {
      db.execute("grant create on database " + db.name() + " to " + admin);
      assertThatThrownBy(() -> Journal.init(c, List.of(app))).isInstanceOf(SQLException.class)
          .hasMessageContaining("could rewrite the journal");
    }
    assertThat(db.queryValue("select to_regclass('cutter.journal') is null")).as("nothing left behind").isEqualTo("t");
  }

  @Test
  void initRefusesToGrantTheOwnerOfTheJournalsSchema(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    db.execute("create schema cutter authorization " + app);
    try (Connection c = db.superuser()) {
      assertThatThrownBy(() -> Journal.init(c, List.of(app))).isInstanceOf(SQLException.class)
          .hasMessageContaining("owns schema cutter");
    }
  }

  @Test
  void initUpgradesAnOldJournalInPlace(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String older = db.createRole("older_app");
    db.execute(OLD_DDL + oldGrants(app) + oldGrants(older));
    db.execute("insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role, apply_role, started,"
        + " finished) values ('p', '" + SHA_A + "', 'old1', 'PASS', 'x', 'x', now(), now()),"
        + " ('p', '" + SHA_B + "', 'old2', 'COMMITTED', 'x', 'x', now(), null)");
    assertThat(attempt(db, app, "update cutter.journal set verdict = 'FAILED' where run_id = 'old1'"))
        .as("the old grants let apply_role un-consume a package").isNull();
    db.execute("update cutter.journal set verdict = 'PASS' where run_id = 'old1'");

    try (Connection c = db.superuser()) {
      Journal.InitResult first = Journal.init(c, List.of(app));
      assertThat(first.revokedFrom()).as("also roles this init was not told about").containsExactlyInAnyOrder(app, older);
      assertThat(first.uniquePerPackage()).isTrue();
      Journal.InitResult again = Journal.init(c, List.of(app));
      assertThat(again.revokedFrom()).as("idempotent").isEmpty();
    }

    assertThat(db.queryValue("select string_agg(run_id || ':' || verdict, ',' order by id) from cutter.journal"))
        .as("rows kept").isEqualTo("old1:PASS,old2:COMMITTED");
    for (String role : List.of(app, older)) {
      assertThat(attempt(db, role, "update cutter.journal set verdict = 'FAILED'")).as(role).isEqualTo("42501");
      assertThat(attempt(db, role, "update cutter.journal set report_sha256 = null")).as(role).isEqualTo("42501");
    }
    assertThat(attempt(db, app, "select count(*) from cutter.journal")).as("still readable").isNull();
    assertThatThrownBy(() -> record(db, app, SHA_A, "new1")).isInstanceOf(SQLException.class)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(Journal.ALREADY_CONSUMED);
    String fresh = "c".repeat(64);
    record(db, app, fresh, "new2");
    finish(db, app, "new2", "PASS");
    assertThat(attempt(db, app, "select cutter.finish_run('old2', 'FAILED', null, null, null)"))
        .as("an old unfinished row has no key: only an administrator may finish it").isEqualTo(Journal.NOT_FINISHABLE);
    assertThat(db.queryValue("select indisunique from pg_index where indexrelid = 'cutter.journal_package_sha256_once'::regclass"))
        .isEqualTo("t");
  }

  @Test
  void upgradeOfAJournalWithSeveralRowsPerPackageKeepsThemAndStillConsumes(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    db.execute(OLD_DDL + oldGrants(app));
    db.execute("insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role, apply_role, started)"
        + " values ('p', '" + SHA_A + "', 'old1', 'FAILED', 'x', 'x', now()), ('p', '" + SHA_A + "', 'old2', 'PASS',"
        + " 'x', 'x', now())");
    try (Connection c = db.superuser()) {
      assertThat(Journal.init(c, List.of(app)).uniquePerPackage()).isFalse();
    }
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("2");
    assertThatThrownBy(() -> record(db, app, SHA_A, "new1")).isInstanceOf(SQLException.class)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(Journal.ALREADY_CONSUMED);
    assertThat(attempt(db, app, "update cutter.journal set verdict = 'FAILED'")).isEqualTo("42501");
  }
}
