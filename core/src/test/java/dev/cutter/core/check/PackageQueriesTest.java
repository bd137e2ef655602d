package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.SQLException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The layers under the syntax check, each tried on its own against the server: what the driver
 * would send as several statements, what a function call can do inside one query, and who the
 * query runs as.
 */
@WithPostgres
class PackageQueriesTest {

  private static TargetAccess loginAs(TestDatabase db, String user) {
    return new TargetAccess(new ConnectionSpec("localhost", db.server().port(), db.name(), user, Optional.empty()),
        (spec, role) -> Optional.empty());
  }

  private static String first(PackageQueries q, String sql) throws SQLException {
    return q.run(sql, rs -> rs.next() ? rs.getString(1) : "no rows");
  }

  private static String sqlState(Throwable e) {
    return ((SQLException) e).getSQLState();
  }

  /** A victim table only the superuser may touch, and an apply role that may read it. */
  private static String seed(TestDatabase db) {
    String app = db.createRole("app");
    db.execute("create table victim (id int); insert into victim values (1); grant select on victim to " + app);
    return app;
  }

  @Test
  void sendsNothingTheDriverWouldSplitIntoSeveralStatements(TestDatabase db) {
    String app = seed(db);
    try (PackageQueries q = new PackageQueries(loginAs(db, db.server().superuser()), app, "test")) {
      for (String attack : new String[] {"commit; drop table public.victim; select 1", "select 1; select 2",
          "rollback; set role postgres; select 1"}) {
        assertThatThrownBy(() -> q.send(attack, rs -> null)).as(attack).isInstanceOf(CutterException.class)
            .hasMessageContaining("the driver would send");
      }
    }
    assertThat(db.queryValue("select count(*) from victim")).isEqualTo("1");
  }

  @Test
  void refusesEveryTextThatIsNotOneQueryBeforeSendingIt(TestDatabase db) {
    String app = seed(db);
    try (PackageQueries q = new PackageQueries(loginAs(db, db.server().superuser()), app, "test")) {
      for (String attack : new String[] {"commit; drop table public.victim; select 1", "begin",
          "do $$begin drop table public.victim; end$$", "call public.p()", "set role postgres",
          "copy public.victim to stdout", "select 1; select 2", "select 1 \\; drop table public.victim"}) {
        assertThatThrownBy(() -> first(q, attack)).as(attack).isInstanceOf(CutterException.class)
            .hasMessageStartingWith("not run: ");
      }
    }
    assertThat(db.queryValue("select count(*) from victim")).isEqualTo("1");
  }

  @Test
  void aFunctionCallCannotLiftReadOnlyNorWrite(TestDatabase db) throws SQLException {
    String app = seed(db);
    db.execute("alter table victim owner to " + app);
    try (PackageQueries q = new PackageQueries(loginAs(db, db.server().superuser()), app, "test")) {
      assertThatThrownBy(() -> first(q, "select pg_catalog.set_config('transaction_read_only', 'off', true)"))
          .as("the server refuses read-write once the transaction has a snapshot")
          .satisfies(e -> assertThat(sqlState(e)).isEqualTo("25001"));
      assertThatThrownBy(() -> first(q, "with d as (delete from public.victim returning 1) select count(*) from d"))
          .satisfies(e -> assertThat(sqlState(e)).isEqualTo("25006"));
      assertThatThrownBy(() -> first(q, "select * into public.copied from public.victim"))
          .satisfies(e -> assertThat(sqlState(e)).isEqualTo("25006"));
      assertThat(first(q, "select count(*) from public.victim")).as("the session is usable after each error").isEqualTo("1");
    }
    assertThat(db.queryValue("select count(*) from victim")).isEqualTo("1");
    assertThat(db.queryValue("select to_regclass('public.copied') is null")).isEqualTo("t");
  }

  @Test
  void runsAsApplyRoleNeverAsTheSuperuserLogin(TestDatabase db) throws SQLException {
    String app = seed(db);
    String superuser = db.server().superuser();
    try (PackageQueries q = new PackageQueries(loginAs(db, superuser), app, "test")) {
      assertThat(first(q, "select current_user || ' ' || session_user")).as("a separate login as apply_role, not SET ROLE")
          .isEqualTo(app + " " + app);
      assertThat(first(q, "select pg_catalog.current_setting('search_path')")).isEqualTo("pg_catalog, pg_temp");
      assertThat(first(q, "-- a comment\nselect 1;\n")).as("a trailing semicolon is one statement").isEqualTo("1");
      assertThat(first(q, "select '{\"a\": 1}'::jsonb ? 'a'")).as("? is an operator, not a parameter").isEqualTo("t");
      assertThatThrownBy(() -> first(q, "select pg_catalog.set_config('role', '" + superuser + "', false)"))
          .as("a function call cannot become the superuser").satisfies(e -> assertThat(sqlState(e)).isEqualTo("42501"));
      assertThatThrownBy(() -> first(q, "select pg_catalog.set_config('session_authorization', '" + superuser + "', false)"))
          .satisfies(e -> assertThat(sqlState(e)).isEqualTo("42501"));
      assertThatThrownBy(() -> first(q, "select pg_catalog.pg_read_file('postgresql.conf')"))
          .satisfies(e -> assertThat(sqlState(e)).isEqualTo("42501"));
    }
  }

  @Test
  void setsRoleOnlyFromALoginThatHoldsNothingMoreAndCatchesAReset(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "NOLOGIN");
    String operator = db.createRole("operator");
    db.execute("grant " + app + " to " + operator);
    try (PackageQueries q = new PackageQueries(loginAs(db, operator), app, "test")) {
      assertThat(first(q, "select current_user || ' ' || session_user")).isEqualTo(app + " " + operator);
      assertThatThrownBy(() -> first(q, "select pg_catalog.set_config('role', 'none', true)"))
          .as("RESET ROLE by a function call is seen after the query").isInstanceOf(CutterException.class)
          .hasMessage("the check's query left its read-only session: it ran on as " + operator + ", not " + app);
    }
  }

  @Test
  void refusesAPrivilegedLoginWhenApplyRoleCannotLogIn(TestDatabase db) {
    String app = db.createRole("app", "NOLOGIN");
    String admin = db.createRole("admin", "CREATEROLE");
    db.execute("grant " + app + " to " + admin + "; grant pg_read_server_files to " + admin);
    try (PackageQueries q = new PackageQueries(loginAs(db, admin), app, "test")) {
      assertThatThrownBy(() -> first(q, "select 1")).isInstanceOf(CutterException.class)
          .hasMessageStartingWith("cannot run the package's SQL as apply_role " + app + ": login role " + admin
              + " holds what " + app + " lacks (CREATEROLE; member of pg_read_server_files), and logging in as " + app
              + " failed: ");
    }
  }

  @Test
  void onACallersSessionRunsOnlyAsApplyRole(TestDatabase db) throws SQLException {
    String app = seed(db);
    try (java.sql.Connection c = db.connectAs(app)) {
      c.setAutoCommit(false);
      assertThat(first(PackageQueries.onSession(c, app), "select count(*) from public.victim")).isEqualTo("1");
      assertThatThrownBy(() -> first(PackageQueries.onSession(c, app), "commit")).hasMessageStartingWith("not run: ");
      c.rollback();
    }
    try (java.sql.Connection c = db.superuser()) {
      assertThatThrownBy(() -> first(PackageQueries.onSession(c, app), "select 1")).isInstanceOf(CutterException.class)
          .hasMessage("not run: the session runs as " + db.server().superuser() + "; package SQL runs only as apply_role " + app);
    }
  }
}
