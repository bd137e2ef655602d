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
 * A check's own session is READ ONLY, but a foreign table of {@code postgres_fdw} is read through a
 * session of its own on the server it names (the target itself, here), and on PostgreSQL 15 that
 * session's transaction is not read-only: a view there that calls {@code nextval} (or any function
 * whose effect outlives a rollback) writes on the target while the check's transaction keeps no id
 * and stays read-only. So package SQL is not run while apply_role has a user mapping (its own or
 * PUBLIC's) for a server of {@code postgres_fdw}.
 */
@WithPostgres
class CheckForeignServerAttackTest {

  @Test
  void aCheckCannotWriteThroughTheSessionAForeignTableOpens(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    db.execute("create extension if not exists postgres_fdw");
    db.execute("create schema " + app + " authorization " + app);
    String server = "loop_" + app;
    db.execute("create server " + server + " foreign data wrapper postgres_fdw options (host 'localhost', port '"
        + db.server().port() + "', dbname '" + db.name() + "')");
    db.execute("create user mapping for " + app + " server " + server + " options (user '" + app
        + "', password_required 'false')");
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create sequence " + app + ".s");
      st.execute("create view " + app + ".v as select pg_catalog.nextval('" + app + ".s') as n");
    }
    db.execute("grant usage on foreign server " + server + " to " + app);
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create foreign table " + app + ".ft (n bigint) server " + server + " options (schema_name '" + app
          + "', table_name 'v')");
    }
    TargetAccess access = new TargetAccess(new ConnectionSpec("localhost", db.server().port(), db.name(),
        db.server().superuser(), Optional.empty()), (spec, role) -> Optional.empty());

    Throwable refused;
    try (PackageQueries q = new PackageQueries(access, app, "test")) {
      refused = catchThrowable(() -> q.run("select n > 0 from " + app + ".ft", rs -> rs.next() ? rs.getString(1) : null));
    }

    assertThat(db.queryValue("select is_called from " + app + ".s")).as("a read-only check advanced a sequence")
        .isEqualTo("f");
    assertThat(refused).isInstanceOf(CutterException.class);
    assertThat(((CutterException) refused).typedCause())
        .isEqualTo(new Cause.CheckCanUseForeignServer(app, server));

    // once the mapping is gone, checks run again
    db.execute("drop user mapping for " + app + " server " + server);
    try (PackageQueries q = new PackageQueries(access, app, "test")) {
      String one = q.run("select 1", rs -> rs.next() ? rs.getString(1) : null);
      assertThat(one).isEqualTo("1");
    } finally {
      db.execute("drop server " + server + " cascade");
    }
  }
}
