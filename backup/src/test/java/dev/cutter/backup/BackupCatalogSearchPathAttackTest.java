package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apply_role that owns the database can set the database's search_path, which every new session
 * of every role starts with: {@code app, pg_catalog} puts its own schema before the catalog, so a
 * view it names {@code pg_namespace} is what an unqualified {@code pg_namespace} means. The
 * backup's catalog session logs in as the operator's login (here a superuser); it must read the
 * catalog, never apply_role's look-alikes, whose functions would run as that login.
 */
@WithPostgres
@Tag("pgdump")
class BackupCatalogSearchPathAttackTest {

  @TempDir Path tmp;

  @Test
  void aDatabaseSearchPathApplyRoleSetCannotRunItsViewAsTheBackupLogin(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    db.execute("alter database " + db.name() + " owner to " + app);
    db.createSchema("app", app);
    String planted = "cutter_planted_" + Long.toHexString(System.nanoTime());
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create table app.accounts(id int primary key)");
      st.execute("insert into app.accounts select generate_series(1, 5)");
      // runs as whoever reads the view; only a superuser may write a server file
      st.execute("create function app.spy() returns boolean language plpgsql as $$ begin"
          + " if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then"
          + " execute pg_catalog.format('copy (select 1) to %L',"
          + " pg_catalog.current_setting('data_directory') || '/" + planted + "'); end if; return true; end $$");
      st.execute("create view app.pg_namespace as select * from pg_catalog.pg_namespace where app.spy()");
      st.execute("alter database " + db.name() + " set search_path = app, pg_catalog");
    }
    String superuser = db.server().superuser();

    BackupResult result = RestoreProofTest.gate(db, BackupGateTest.env(Map.of())).run(BackupGateTest.conn(db, superuser),
        BackupGateTest.policy(List.of("app"), tmp.resolve("backups"), 1, List.of(), Optional.empty()),
        "app-change", "20261205T180000Z-0911");

    assertThat(db.queryValue("select (pg_catalog.pg_stat_file('" + planted + "', true)).size is not null"))
        .as("apply_role's view ran as the backup's superuser login").isEqualTo("f");
    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
  }
}
