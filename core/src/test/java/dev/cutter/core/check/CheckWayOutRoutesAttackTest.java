package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutter.core.CutterException;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.PrivateCluster;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Ways out of a check's READ ONLY transaction that the look before package SQL did not see: the
 * server allows each in a read-only transaction, and what it does stays after the rollback. A
 * replication slot a REPLICATION role creates (it keeps the server's WAL from then on), a file
 * {@code lo_export} writes once EXECUTE on it was granted, a foreign server whose wrapper is
 * postgres_fdw's handler under another name, and dblink's connecting code declared outside the
 * extension (a function left from before extensions, or made by hand), and a logical decoding
 * message {@code pg_logical_emit_message} writes outside the transaction (EXECUTE to PUBLIC by
 * default) while a logical replication slot would hand it on.
 */
@WithPostgres
class CheckWayOutRoutesAttackTest {

  @Test
  void aCheckOfAReplicationRoleCannotCreateAReplicationSlot(TestDatabase db) throws Exception {
    String app = db.createRole("app", "replication");
    String slot = "slot_" + app;

    Throwable refused = CheckDefinerRouteAttackTest.refusal(db, app, "select pg_catalog.pg_create_physical_replication_slot('" + slot + "', true)");

    try {
      assertThat(db.queryValue("select count(*) from pg_replication_slots where slot_name = '" + slot + "'"))
          .as("a read-only check left a replication slot").isEqualTo("0");
    } finally {
      db.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '" + slot + "'");
    }
    assertThat(refused).isInstanceOf(CutterException.class);
    assertThat(((CutterException) refused).typedCause()).isEqualTo(new Cause.CheckCanWriteServerFiles(app, app));

    db.execute("alter role " + app + " noreplication");
    assertThat(CheckDefinerRouteAttackTest.selectOne(db, app)).isEqualTo("1");
  }

  @Test
  void aCheckCannotEmitALogicalMessageThatOutlivesItsRollback(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String slot = "slot_" + app;
    // a logical slot waits for the transactions running now: bounded, should one be left open
    db.execute("set statement_timeout = '60s'; select pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
    try {
      // EXECUTE on pg_logical_emit_message goes to PUBLIC by default; a message outside the transaction is in the WAL at once
      Throwable refused = CheckDefinerRouteAttackTest.refusal(db, app,
          "select pg_catalog.pg_logical_emit_message(false, 'cutter', 'sent from a check') is not null");
      db.execute("select pg_switch_wal()"); // the message is not flushed by itself: the slot reads flushed WAL only

      assertThat(db.queryValue("select count(*) from pg_logical_slot_peek_changes('" + slot + "', null, null)"
          + " where data like '%sent from a check%'")).as("a read-only check's message reached the slot after its rollback")
          .isEqualTo("0");
      assertThat(refused).isInstanceOf(CutterException.class);
      assertThat(((CutterException) refused).typedCause()).isEqualTo(new Cause.CheckCanEmitLogicalMessages(app,
          "pg_logical_emit_message(boolean,text,text)", slot));

      // once PUBLIC may no longer execute it, checks run again
      db.execute("revoke execute on function pg_logical_emit_message(boolean, text, text),"
          + " pg_logical_emit_message(boolean, text, bytea) from public");
      try {
        assertThat(CheckDefinerRouteAttackTest.selectOne(db, app)).isEqualTo("1");
      } finally {
        db.execute("grant execute on function pg_logical_emit_message(boolean, text, text),"
            + " pg_logical_emit_message(boolean, text, bytea) to public");
      }
    } finally {
      db.execute("select pg_drop_replication_slot('" + slot + "')");
    }
  }

  @Test
  void aCheckCannotWriteAServerFileThroughAGrantedLoExport(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String file = db.queryValue("select current_setting('data_directory')") + "/cutter_lo_export_" + app;
    String lo = db.queryValue("select pg_catalog.lo_from_bytea(0, 'written'::bytea)");
    db.execute("grant select on large object " + lo + " to " + app);
    db.execute("grant execute on function pg_catalog.lo_export(oid, text) to " + app);
    try {
      Throwable refused = CheckDefinerRouteAttackTest.refusal(db, app, "select pg_catalog.lo_export(" + lo + ", '" + file + "')");

      assertThat(db.queryValue("select (pg_stat_file('" + file + "', true)).size is not null"))
          .as("a read-only check wrote a file").isEqualTo("f");
      assertThat(refused).isInstanceOf(CutterException.class);
      assertThat(((CutterException) refused).typedCause()).isEqualTo(new Cause.CheckCanWriteServerFiles(app, app));

      db.execute("revoke execute on function pg_catalog.lo_export(oid, text) from " + app);
      assertThat(CheckDefinerRouteAttackTest.selectOne(db, app)).isEqualTo("1");
    } finally {
      db.execute("select pg_catalog.lo_unlink(" + lo + ")");
    }
  }

  @Test
  void aCheckCannotWriteThroughPostgresFdwUnderAnotherWrappersName(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String wrapper = "loop_fdw_" + app;
    String server = "loop_" + app;
    db.execute("create extension if not exists postgres_fdw");
    db.execute("create foreign data wrapper " + wrapper + " handler public.postgres_fdw_handler"
        + " validator public.postgres_fdw_validator");
    try {
      db.execute("create server " + server + " foreign data wrapper " + wrapper + " options (host 'localhost', port '"
          + db.server().port() + "', dbname '" + db.name() + "')");
      db.execute("create user mapping for " + app + " server " + server + " options (user '" + db.server().superuser()
          + "', password_required 'false')");
      db.execute("create schema " + app + " authorization " + app);
      db.execute("create sequence " + app + ".s");
      db.execute("create view " + app + ".v as select pg_catalog.nextval('" + app + ".s') as n");
      db.execute("create foreign table " + app + ".ft (n bigint) server " + server + " options (schema_name '" + app
          + "', table_name 'v')");
      db.execute("grant select on " + app + ".ft to " + app);

      Throwable refused = CheckDefinerRouteAttackTest.refusal(db, app, "select n from " + app + ".ft");

      assertThat(db.queryValue("select is_called from " + app + ".s")).as("a read-only check advanced a sequence")
          .isEqualTo("f");
      assertThat(refused).isInstanceOf(CutterException.class);
      assertThat(((CutterException) refused).typedCause()).isEqualTo(new Cause.CheckCanUseForeignServer(app, server));

      db.execute("drop user mapping for " + app + " server " + server);
      assertThat(CheckDefinerRouteAttackTest.selectOne(db, app)).isEqualTo("1");
    } finally {
      db.execute("drop foreign data wrapper " + wrapper + " cascade");
      db.execute("drop schema if exists " + app + " cascade");
    }
  }

  @Test
  void aCheckCannotWriteThroughDblinksCodeDeclaredOutsideTheExtension() throws Exception {
    try (PrivateCluster pc = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of(
        "local all postgres trust", "local all all scram-sha-256", "host all postgres 127.0.0.1/32 trust",
        "host all all 127.0.0.1/32 scram-sha-256")))) {
      // as a dump of a database from before extensions declares it: no extension, EXECUTE to PUBLIC
      pc.psql("postgres", "create role app login password 'apply-secret'; create schema app authorization app;"
          + " create table app.t(x int); alter table app.t owner to app; create schema ops;"
          + " create function ops.remote_exec(text, text) returns text language c strict as '$libdir/dblink', 'dblink_exec';"
          + " grant usage on schema ops to app");
      TargetAccess access = new TargetAccess(new ConnectionSpec("localhost", pc.port(), "postgres", "postgres",
          Optional.empty()), (spec, role) -> Optional.of(new ConnectionSpec.Secret("apply-secret")));
      String check = "select ops.remote_exec('host=localhost port=" + pc.port() + " dbname=postgres user=app"
          + " password=apply-secret', 'insert into app.t values (1)') is not null";
      Throwable refused;
      try (PackageQueries q = new PackageQueries(access, "app", "test")) {
        refused = catchThrowable(() -> q.run(check, rs -> rs.next() ? rs.getString(1) : null));
      }

      assertThat(pc.psql("postgres", "select count(*) from app.t")).as("a read-only check wrote").isEqualTo("0");
      assertThat(refused).isInstanceOf(CutterException.class);
      assertThat(((CutterException) refused).typedCause())
          .isEqualTo(new Cause.CheckCanOpenSessions("app", "ops.remote_exec(text,text)"));

      pc.psql("postgres", "revoke execute on function ops.remote_exec(text, text) from public");
      try (PackageQueries q = new PackageQueries(access, "app", "test")) {
        String one = q.run("select 1", rs -> rs.next() ? rs.getString(1) : null);
        assertThat(one).isEqualTo("1");
      }
    }
  }

  @Test
  void theLookOnTheApplySessionIsNotBlindedByOperatorsApplyRolePutBeforeTheCatalog(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String ops = "ops_" + app;
    db.execute("create extension if not exists dblink");
    db.execute("revoke execute on all functions in schema public from public");
    db.execute("create schema " + app + " authorization " + app);
    CheckDefinerRouteAttackTest.dblinkLog(db, ops, app);
    try (var c = db.connectAs(app)) {
      try (var st = c.createStatement()) {
        // operators of apply_role's that say "no" to the look's comparisons of names and libraries
        st.execute("create function " + app + ".no(text, text) returns boolean language sql as 'select false'");
        st.execute("create function " + app + ".no(name, name) returns boolean language sql as 'select false'");
        st.execute("create operator " + app + ".~ (leftarg = text, rightarg = text, function = " + app + ".no)");
        st.execute("create operator " + app + ".<> (leftarg = name, rightarg = name, function = " + app + ".no)");
      }
      c.setAutoCommit(false);
      try (var st = c.createStatement()) {
        // the apply session at BEGIN: apply_role's search_path, its schema before the catalog
        st.execute("set local search_path = " + app + ", pg_catalog");
      }
      Throwable refused = catchThrowable(() -> BeginRecheck.readOnly(c, conn -> PackageQueries.onSession(conn, app)
          .run("select " + ops + ".log_event('checked at begin')", rs -> rs.next() ? rs.getString(1) : null)));
      c.rollback();

      assertThat(db.queryValue("select count(*) from " + ops + ".events")).as("a check at BEGIN wrote").isEqualTo("0");
      assertThat(refused).isInstanceOf(CutterException.class);
      assertThat(((CutterException) refused).typedCause())
          .isEqualTo(new Cause.CheckCanOpenSessions(app, ops + ".log_event(text)"));
    } finally {
      db.execute("drop schema " + ops + " cascade");
      db.execute("drop schema " + app + " cascade");
    }
  }
}
