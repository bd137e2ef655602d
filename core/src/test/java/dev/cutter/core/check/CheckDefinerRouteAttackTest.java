package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutter.core.CutterException;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * apply_role needs no dblink privilege and no user mapping of its own to reach a session that is
 * not read-only: another role's code does it for it. A SECURITY DEFINER function (EXECUTE goes to
 * PUBLIC by default) runs with its owner's right to call {@code dblink_exec} (an "autonomous" log
 * written through dblink, a common pattern), and a view over a foreign table is read through its
 * owner's user mapping; a superuser's SECURITY DEFINER function may {@code COPY … TO} a file. Each
 * time a check writes while its own transaction keeps no id and stays read-only. So package SQL is not run while a role whose code apply_role can reach
 * (a SECURITY DEFINER function it may execute, a view it may read, a role it is a member of, and
 * so on from those roles) may open such a session or write the server's files.
 */
@WithPostgres
public class CheckDefinerRouteAttackTest {

  @Test
  void aCheckCannotWriteThroughASecurityDefinerFunctionWhoseOwnerMayCallDblink(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String ops = "ops_" + app;
    db.execute("create extension if not exists dblink");
    db.execute("revoke execute on all functions in schema public from public");
    // cutter's own journal functions, SECURITY DEFINER and owned here by a superuser, are no such route
    try (var c = db.superuser()) {
      dev.cutter.core.exec.Journal.init(c, java.util.List.of(app));
    }
    dblinkLog(db, ops, app);

    Throwable refused = refusal(db, app, "select " + ops + ".log_event('checked')");

    assertThat(db.queryValue("select count(*) from " + ops + ".events")).as("a read-only check wrote").isEqualTo("0");
    assertThat(refused).isInstanceOf(CutterException.class);
    assertThat(((CutterException) refused).typedCause())
        .isEqualTo(new Cause.CheckCanOpenSessions(app, ops + ".log_event(text)"));

    // once apply_role may no longer execute it, checks run again (the journal's functions stay)
    db.execute("revoke execute on function " + ops + ".log_event(text) from public");
    try {
      assertThat(selectOne(db, app)).isEqualTo("1");
    } finally {
      db.execute("drop schema " + ops + " cascade");
    }
  }

  @Test
  void aCheckCannotWriteThroughAViewWhoseOwnerHasAUserMapping(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String owner = db.createRole("owner");
    db.execute("create extension if not exists postgres_fdw");
    db.execute("create schema " + owner + " authorization " + owner);
    String server = "loop_" + owner;
    db.execute("create server " + server + " foreign data wrapper postgres_fdw options (host 'localhost', port '"
        + db.server().port() + "', dbname '" + db.name() + "')");
    db.execute("create user mapping for " + owner + " server " + server + " options (user '" + owner
        + "', password_required 'false')");
    db.execute("grant usage on foreign server " + server + " to " + owner);
    try (var c = db.connectAs(owner); var st = c.createStatement()) {
      st.execute("create sequence " + owner + ".s");
      st.execute("create view " + owner + ".v as select pg_catalog.nextval('" + owner + ".s') as n");
      st.execute("create foreign table " + owner + ".ft (n bigint) server " + server + " options (schema_name '"
          + owner + "', table_name 'v')");
      st.execute("create view " + owner + ".latest as select n from " + owner + ".ft");
      st.execute("grant usage on schema " + owner + " to " + app);
      st.execute("grant select on " + owner + ".latest to " + app);
    }

    Throwable refused = refusal(db, app, "select n > 0 from " + owner + ".latest");

    assertThat(db.queryValue("select is_called from " + owner + ".s")).as("a read-only check advanced a sequence")
        .isEqualTo("f");
    assertThat(refused).isInstanceOf(CutterException.class);
    assertThat(((CutterException) refused).typedCause())
        .isEqualTo(new Cause.CheckCanUseForeignServer(app, server));

    // once apply_role may no longer read the view, checks run again
    try (var c = db.connectAs(owner); var st = c.createStatement()) {
      st.execute("revoke select on " + owner + ".latest from " + app);
    }
    try {
      assertThat(selectOne(db, app)).isEqualTo("1");
    } finally {
      db.execute("drop server " + server + " cascade");
    }
  }

  @Test
  void aCheckCannotWriteAServerFileThroughASecurityDefinerFunctionOfASuperuser(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String ops = "ops_" + app;
    String file = db.queryValue("select current_setting('data_directory')") + "/cutter_check_wrote_" + app;
    db.execute("create schema " + ops);
    // owned by the superuser that runs the tests; EXECUTE goes to PUBLIC by default
    db.execute("create function " + ops + ".export() returns boolean language plpgsql security definer"
        + " set search_path = pg_catalog as $$ begin copy (select 1) to '" + file + "'; return true; end $$");
    db.execute("grant usage on schema " + ops + " to " + app);

    Throwable refused = refusal(db, app, "select " + ops + ".export()");

    assertThat(db.queryValue("select (pg_stat_file('" + file + "', true)).size is not null")).as("a read-only check wrote a file")
        .isEqualTo("f");
    assertThat(refused).isInstanceOf(CutterException.class);
    assertThat(((CutterException) refused).typedCause())
        .isEqualTo(new Cause.CheckCanWriteServerFiles(app, ops + ".export()"));

    // once apply_role may no longer execute it, checks run again
    db.execute("revoke execute on function " + ops + ".export() from public");
    try {
      assertThat(selectOne(db, app)).isEqualTo("1");
    } finally {
      db.execute("drop schema " + ops + " cascade");
    }
  }

  static TargetAccess access(TestDatabase db) {
    return new TargetAccess(new ConnectionSpec("localhost", db.server().port(), db.name(), db.server().superuser(),
        Optional.empty()), (spec, role) -> Optional.empty());
  }

  /** What running {@code check} as {@code app} threw (null when it ran). */
  static Throwable refusal(TestDatabase db, String app, String check) {
    try (PackageQueries q = new PackageQueries(access(db), app, "test")) {
      return catchThrowable(() -> q.run(check, rs -> rs.next() ? rs.getString(1) : null));
    }
  }

  /** {@code select 1} run as a check as {@code app}. */
  static String selectOne(TestDatabase db, String app) throws Exception {
    try (PackageQueries q = new PackageQueries(access(db), app, "test")) {
      return q.run("select 1", rs -> rs.next() ? rs.getString(1) : null);
    }
  }

  /**
   * Schema {@code ops} with the table {@code events} and {@code log_event(text)}, a SECURITY
   * DEFINER function of the superuser that runs the tests (dblink connects as it without a
   * password, EXECUTE to PUBLIC) that inserts its argument there through {@code dblink_exec};
   * {@code app} may use the schema.
   */
  public static void dblinkLog(TestDatabase db, String ops, String app) {
    db.execute("create schema " + ops);
    db.execute("create table " + ops + ".events(what text)");
    db.execute("create function " + ops + ".log_event(what text) returns boolean language sql security definer"
        + " set search_path = pg_catalog as $$ select public.dblink_exec('host=localhost port=" + db.server().port()
        + " dbname=" + db.name() + " user=" + db.server().superuser() + "', pg_catalog.format('insert into " + ops
        + ".events values (%L)', what)) is not null $$");
    db.execute("grant usage on schema " + ops + " to " + app);
  }
}
