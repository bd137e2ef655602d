package dev.cutter.checks;

import static dev.cutter.checks.Packages.byId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19.8: with {@code backup.scope: {schemas: [app]}}, an artifact that drops
 * {@code billing.invoices} passed P1 and the dropped table was in no backup. P1 now refuses a
 * change that touches a schema outside the scope, qualified or through the search_path.
 */
@WithPostgres
class BackupScopeTest {

  @TempDir Path dir;

  private static void seed(TestDatabase db) throws SQLException {
    db.execute("create schema app");
    db.execute("create schema billing");
    db.execute("create table app.t (id int)");
    db.execute("create table billing.invoices (id int)");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
  }

  private ApplyPackage scoped(TestDatabase db, String sql, List<String> schemas) throws Exception {
    ApplyPackage p = Packages.write(dir, db, "postgres", sql, "  - schema_exists: app\n");
    BackupPolicy backup = new BackupPolicy(true, schemas, dir.resolve("backups"), 0, List.of(), Optional.empty());
    return Packages.with(p, p.preflight(), backup);
  }

  private CheckResult scope(TestDatabase db, String sql, List<String> schemas) throws Exception {
    return byId(Packages.preflight(db, "postgres", scoped(db, sql, schemas), sql), "backup_scope");
  }

  @Test
  void droppingATableOutsideTheScopeIsRefusedNamingTheSchema(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = scope(db, "drop table billing.invoices", List.of("app"));

    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("schema billing").contains("DROP table billing.invoices")
        .contains("outside the backup scope");
  }

  @Test
  void anUnqualifiedNameResolvesThroughApplyRolesSearchPath(TestDatabase db) throws Exception {
    seed(db);
    db.execute("alter database " + db.name() + " set search_path = billing, app");
    CheckResult r = scope(db, "truncate invoices", List.of("app"));

    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("schema billing");
  }

  @Test
  void changesInsideTheScopeAndNewObjectsPass(TestDatabase db) throws Exception {
    seed(db);
    assertThat(scope(db, "alter table app.t add column x int\ncreate schema reports\ncreate table reports.r (id int)",
        List.of("app")).status()).isEqualTo(CheckStatus.PASS);
    assertThat(scope(db, "drop table billing.invoices", List.of()).status()).as("scope: database")
        .isEqualTo(CheckStatus.PASS);
  }

  /**
   * pg_dump {@code --schema=app} dumps neither a partition, nor an inherited child, nor a table a
   * foreign key cascades into, nor a table a view or rule writes, when it lives in another schema:
   * the backup passed (and its restore proof, which compares only the scope) while the change
   * destroyed rows it did not hold.
   */
  @Test
  void aPartitionOrChildTableInAnotherSchemaIsOutsideTheScopeOfTheParentsChange(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create table app.orders (id int, y int) partition by range (y)");
    db.execute("create table billing.orders_2020 partition of app.orders for values from (2020) to (2021)");
    db.execute("create table app.parent (id int)");
    db.execute("create table billing.child () inherits (app.parent)");

    CheckResult delete = scope(db, "delete from app.orders where y = 2020", List.of("app"));
    assertThat(delete.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(delete.message()).contains("schema billing").contains("billing.orders_2020");
    CheckResult drop = scope(db, "drop table app.orders", List.of("app"));
    assertThat(drop.status()).isEqualTo(CheckStatus.FAIL);
    CheckResult truncate = scope(db, "truncate app.parent", List.of("app"));
    assertThat(truncate.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(truncate.message()).contains("billing.child");
    assertThat(scope(db, "delete from app.orders", List.of("app", "billing")).status()).isEqualTo(CheckStatus.PASS);
    CheckResult schema = scope(db, "drop schema app cascade", List.of("app"));
    assertThat(schema.status()).as("a dropped schema takes its tables' partitions and children along")
        .isEqualTo(CheckStatus.FAIL);
    assertThat(schema.message()).contains("DROP schema app reaches billing.");
  }

  /**
   * What the touches reach is read for all of them at once (a query per touched relation was a round trip each:
   * +0.45 s of P1 for a 10,000-statement artifact with a backup): each statement still names what it alone reaches,
   * by the links its kind follows, among hundreds of touched relations that reach nothing, and two touches that
   * reach the same relation by different links each reach it.
   */
  @Test
  void manyTouchesReadTogetherReachWhatEachReachesAlone(TestDatabase db) throws Exception {
    seed(db);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      db.execute("create table app.n" + i + " (id int primary key)");
      many.append("comment on table app.n").append(i).append(" is 'n';\n");
    }
    db.execute("create table app.orders (id int, y int) partition by range (y)");
    db.execute("create table billing.orders_2020 partition of app.orders for values from (2020) to (2021)");
    db.execute("create table app.plain (id int primary key)");
    db.execute("create table billing.refs (plain int references app.plain)");
    db.execute("create table app.customers (id int primary key)");
    db.execute("create table billing.notes (customer int references app.customers on delete cascade)");

    CheckResult r = scope(db, many + "delete from app.plain where id = 1;\ntruncate app.plain cascade;\n"
        + "delete from app.customers;\ninsert into app.orders values (1, 2020);", List.of("app"));
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).as("the first statement to reach billing names it: the TRUNCATE, by the key it must follow")
        .contains("TRUNCATE table app.plain reaches billing.refs").doesNotContain("app.n");
    CheckResult deletes = scope(db, many + "delete from app.plain where id = 1;\ndelete from app.customers;",
        List.of("app"));
    assertThat(deletes.message()).as("a DELETE follows only a key with an action")
        .contains("DELETE table app.customers reaches billing.notes").doesNotContain("billing.refs");
    CheckResult inserts = scope(db, many + "insert into app.orders values (1, 2020);", List.of("app"));
    assertThat(inserts.message()).contains("app.orders reaches billing.orders_2020");
    assertThat(scope(db, many.toString(), List.of("app")).status()).isEqualTo(CheckStatus.PASS);
  }

  @Test
  void aCascadingForeignKeyOrAViewIntoAnotherSchemaIsOutsideTheScopeOfTheChangeThatWritesThroughIt(TestDatabase db)
      throws Exception {
    seed(db);
    db.execute("create table app.customers (id int primary key)");
    db.execute("create table billing.notes (customer int references app.customers on delete cascade)");
    db.execute("create table app.plain (id int primary key)");
    db.execute("create table billing.refs (plain int references app.plain)");
    db.execute("create view app.invoices as select * from billing.invoices");

    CheckResult cascade = scope(db, "delete from app.customers where id = 1", List.of("app"));
    assertThat(cascade.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(cascade.message()).contains("schema billing").contains("billing.notes");
    CheckResult view = scope(db, "delete from app.invoices", List.of("app"));
    assertThat(view.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(view.message()).contains("billing.invoices");
    assertThat(scope(db, "drop view app.invoices", List.of("app")).status()).as("dropping a view drops no rows")
        .isEqualTo(CheckStatus.PASS);
    assertThat(scope(db, "delete from app.plain where id = 1", List.of("app")).status())
        .as("a foreign key without an action deletes nothing of its table").isEqualTo(CheckStatus.PASS);
  }

  /**
   * pg_dump leaves an extension's member tables out of every archive (only the extension's
   * {@code create extension} is dumped, and the data of tables it marks with
   * pg_extension_config_dump), and the backup's TABLE DATA check and restore proof leave them out
   * too: a table apply_role added to an extension it owns (a trusted one needs no superuser) was
   * emptied with a backup read as verified and proven, whatever the scope.
   */
  @Test
  void aTableThatIsAnExtensionsMemberIsInNoBackupAndItsDestructionIsRefusedWhateverTheScope(TestDatabase db)
      throws Exception {
    seed(db);
    db.execute("create extension if not exists dblink");
    db.execute("create table app.ledger (id int)");
    db.execute("alter extension dblink add table app.ledger");
    db.execute("create table app.owners (id int primary key)");
    db.execute("create table app.entries (owner int references app.owners on delete cascade)");
    db.execute("alter extension dblink add table app.entries");

    for (List<String> schemas : List.of(List.of("app"), List.<String>of())) {
      CheckResult delete = scope(db, "delete from app.ledger", schemas);
      assertThat(delete.status()).as("scope " + schemas).isEqualTo(CheckStatus.FAIL);
      assertThat(delete.cause()).isInstanceOf(Cause.NotInAnyBackup.class);
      assertThat(delete.message()).contains("app.ledger").contains("extension dblink");
      assertThat(scope(db, "delete from app.owners", schemas).message()).as("through a cascade")
          .contains("app.entries");
    }
    assertThat(scope(db, "insert into app.ledger values (1)", List.of()).status()).as("an insert destroys nothing")
        .isEqualTo(CheckStatus.PASS);
  }

  /**
   * Large objects belong to no schema, and pg_dump leaves every one of them out of an archive
   * scoped to schemas ({@code --schema}): a change that unlinks, truncates or overwrites one passed
   * P1 with a backup that never held it.
   */
  @Test
  void aChangeThatWritesLargeObjectsNeedsTheWholeDatabaseScope(TestDatabase db) throws Exception {
    seed(db);
    CheckResult unlink = scope(db, "select pg_catalog.lo_unlink(l.oid) from pg_catalog.pg_largeobject_metadata l",
        List.of("app"));
    assertThat(unlink.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(unlink.cause()).isInstanceOf(Cause.OutsideBackupScope.class);
    assertThat(unlink.message()).contains("large objects").contains("lo_unlink");
    assertThat(scope(db, "select lowrite(lo_open(16400, 131072), 'x')", List.of("app")).status())
        .isEqualTo(CheckStatus.FAIL);
    assertThat(scope(db, "select lo_unlink(16400)", List.of()).status()).as("scope: database holds them")
        .isEqualTo(CheckStatus.PASS);
    assertThat(scope(db, "select 'lo_unlink(1)'", List.of("app")).status()).as("a word in a string is no call")
        .isEqualTo(CheckStatus.PASS);
  }

  /**
   * B13: a large-object write whose name is written with Unicode escapes ({@code U&"lo\005funlink"}, also with {@code
   * UESCAPE}) is the server's lo_unlink, which unlinked the object while backup_scope passed a schema scope. A quoted
   * name in upper case is another function, which the server does not find.
   */
  @Test
  void aLargeObjectWriteNamedWithUnicodeEscapesIsSeenAsTheServerReadsIt(TestDatabase db) throws Exception {
    seed(db);
    for (String call : List.of("U&\"lo\\005funlink\"(%s)", "u&\"\\006co_unlink\"(%s)", "U&\"lo!005funlink\" UESCAPE '!'(%s)",
        "pg_catalog.U&\"lo\\+00005Funlink\"(%s)")) {
      String oid = db.queryValue("select pg_catalog.lo_create(0)");
      String sql = "select " + String.format(call, oid);
      CheckResult r = scope(db, sql, List.of("app"));
      assertThat(r.status()).as(sql).isEqualTo(CheckStatus.FAIL);
      assertThat(r.cause()).as(sql).isInstanceOf(Cause.OutsideBackupScope.class);
      db.execute(sql);
      assertThat(db.queryValue("select count(*) from pg_catalog.pg_largeobject_metadata where oid = " + oid))
          .as("the server reads %s as lo_unlink", sql).isEqualTo("0");
    }
    assertThat(scope(db, "select \"LO_UNLINK\"(16400)", List.of("app")).status()).as("another function")
        .isEqualTo(CheckStatus.PASS);
  }

  /**
   * B14: {@code DROP … CASCADE} of a type, a domain, a table (its row type) or a schema drops every column of that
   * type, in any schema: {@code drop type app.color cascade} dropped {@code billing.invoices.color} and its values,
   * which a backup scoped to app does not hold, while backup_scope passed. The server decides what goes (its NOTICE),
   * and the check names it.
   */
  @Test
  void aDropThatCascadesToColumnsOfTablesOutsideTheScopeIsRefused(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create type app.color as enum ('red', 'green')");
    db.execute("create domain app.cents as bigint");
    db.execute("alter table billing.invoices add column color app.color, add column colors app.color[],"
        + " add column amount app.cents, add column row_of app.t");
    db.execute("create schema reports");
    db.execute("create materialized view reports.totals as select count(*) from app.t");
    for (String drop : List.of("drop type app.color cascade", "drop domain app.cents cascade",
        "drop table app.t cascade", "drop schema app cascade")) {
      CheckResult r = scope(db, drop, List.of("app"));
      assertThat(r.status()).as(drop).isEqualTo(CheckStatus.FAIL);
      assertThat(((Cause.OutsideBackupScope) r.cause()).objects()).as(drop).contains("schema billing");
      assertThat(r.message()).as(drop).contains("billing.invoices");
    }
    CheckResult mv = scope(db, "drop table app.t cascade", List.of("app", "billing"));
    assertThat(mv.cause()).as("a materialized view over it").isEqualTo(new Cause.OutsideBackupScope(List.of("schema reports")));
    assertThat(mv.message()).contains("reports.totals");
    db.execute("drop type app.color cascade");
    assertThat(db.queryValue("select count(*) from pg_catalog.pg_attribute where attrelid = 'billing.invoices'::regclass"
        + " and attname in ('color', 'colors') and not attisdropped")).as("the server dropped them").isEqualTo("0");
    assertThat(scope(db, "drop domain app.cents cascade", List.of("app", "billing")).status()).as("both in scope")
        .isEqualTo(CheckStatus.PASS);
    db.execute("create type app.unused as enum ('x')");
    assertThat(scope(db, "drop type app.unused cascade", List.of("app")).status()).as("nothing outside depends on it")
        .isEqualTo(CheckStatus.PASS);
  }

  /**
   * B17: {@code DROP OWNED BY r} names no table, yet drops every one r owns (and every schema r owns, with what is in
   * it), in any schema: it passed a scope of app while it dropped billing.invoices, which the backup does not hold.
   */
  @Test
  void dropOwnedCountsEveryTableItsRolesOwn(TestDatabase db) throws Exception {
    seed(db);
    String owner = db.createRole("owner");
    db.execute("alter table billing.invoices owner to " + owner);
    String quoted = "\"" + owner + "\"";
    for (String drop : List.of("drop owned by " + owner, "DROP OWNED BY postgres, " + quoted + " cascade")) {
      CheckResult r = scope(db, drop, List.of("app"));
      assertThat(r.status()).as(drop).isEqualTo(CheckStatus.FAIL);
      assertThat(((Cause.OutsideBackupScope) r.cause()).objects()).as(drop).contains("schema billing");
      assertThat(r.message()).as(drop).contains("DROP OWNED BY").contains("billing.invoices");
    }
    assertThat(scope(db, "drop owned by " + owner, List.of("app", "billing")).status()).isEqualTo(CheckStatus.PASS);
    db.execute("drop owned by " + owner);
    assertThat(db.queryValue("select count(*) from pg_catalog.pg_class where relname = 'invoices'"))
        .as("the server dropped it").isEqualTo("0");
  }
}
