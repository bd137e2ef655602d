package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore proof restores what apply_role could plant: a CHECK constraint whose function runs
 * for every restored row. Restored by the scratch's superuser, that function would act as the
 * superuser of a server on the operator's host ({@code COPY … TO PROGRAM}, a new superuser role);
 * the proof restores as a role of its own that holds no more than the database it restores into.
 */
@WithPostgres
@Tag("pgdump")
class RestoreProofRunsAsNoSuperuserTest {

  @TempDir Path tmp;

  @Test
  void aCheckConstraintApplyRolePlantedRunsDuringTheRestoreWithoutTheScratchsSuperuser(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String planted = "pwned_" + Long.toHexString(System.nanoTime());
    db.createSchema("ledger", app);
    db.createSchema("\"Stock Room\"", app);
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      // apply_role's own objects: the function does nothing visible unless it runs as a superuser
      st.execute("create function ledger.ok(n int) returns boolean language plpgsql as $$ begin"
          + " if (select rolsuper from pg_catalog.pg_roles where rolname = current_user)"
          + " and not exists (select from pg_catalog.pg_roles where rolname = '" + planted + "') then"
          + " execute 'create role " + planted + " superuser login'; end if; return true; end $$");
      st.execute("create table ledger.accounts(id int primary key, n int check (ledger.ok(n)))");
      st.execute("insert into ledger.accounts select g, g from generate_series(1, 10) g");
    }
    String runId = "20261205T173000Z-0901";
    BackupResult result;
    String made;
    try {
      result = RestoreProofTest.gate(db, BackupGateTest.env(Map.of()))
          .run(BackupGateTest.conn(db, app), RestoreProofTest.proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);
    } finally {
      made = db.queryValue("select count(*) from pg_roles where rolname = '" + planted + "'");
      db.execute("drop role if exists " + planted);
    }

    assertThat(made).as("the planted function ran as the scratch's superuser during the restore").isEqualTo("0");
    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(((Passed) result).envelope().proof().rowsCompared()).isEqualTo(10);
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
    assertThat(db.queryValue("select count(*) from pg_roles where rolname like 'cutter_proof_20261205t173000z_0901%'"))
        .as("the proof's restore role is dropped with its database").isEqualTo("0");
  }

  /**
   * The proof's own role restores a whole database's tables in {@code public}, the schema most
   * databases keep their tables in: in a database made from template0 only its owner may create
   * there, and the role neither owns the database nor inherits {@code pg_database_owner}.
   */
  @Test
  void aTableInThePublicSchemaIsRestoredByTheProofsOwnRole(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    db.execute("grant create on schema public to " + app);
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create table public.accounts(id int primary key, n int)");
      st.execute("insert into public.accounts select g, g from generate_series(1, 7) g");
    }
    String runId = "20261205T184500Z-0903";
    BackupResult result = RestoreProofTest.gate(db, BackupGateTest.env(Map.of())).run(BackupGateTest.conn(db, app),
        BackupGateTest.policy(List.of(), tmp.resolve("backups"), 1, List.of(), java.util.Optional.empty())
            .withVerify(BackupPolicy.Verify.RESTORE), "public-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(((Passed) result).envelope().proof().rowsCompared()).isEqualTo(7);
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
  }

  /**
   * A scratch admin that is no superuser but holds CREATEROLE (with CREATEDB: what creating the
   * proof's database and a role takes) restored as itself: a planted CHECK function then acted with
   * CREATEROLE on the operator's server (a new role here; on PostgreSQL 15 and earlier also a grant
   * of {@code pg_execute_server_program} to itself, then a program on the server's host, and a new
   * password for every other role that is not a superuser).
   */
  @Test
  void aCheckConstraintApplyRolePlantedDoesNotActWithTheScratchAdminsCreaterole(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String planted = "pwned_" + Long.toHexString(System.nanoTime());
    String admin = db.createRole("proofadmin", "createdb", "createrole", "password 'cr3ate-r0le'");
    db.createSchema("ledger", app);
    db.createSchema("\"Stock Room\"", app);
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create function ledger.ok(n int) returns boolean language plpgsql as $$ begin"
          + " if (select rolcreaterole from pg_catalog.pg_roles where rolname = current_user)"
          + " and not exists (select from pg_catalog.pg_roles where rolname = '" + planted + "') then"
          + " execute 'create role " + planted + " login'; end if; return true; end $$");
      st.execute("create table ledger.accounts(id int primary key, n int check (ledger.ok(n)))");
      st.execute("insert into ledger.accounts select g, g from generate_series(1, 10) g");
    }
    dev.cutter.core.db.ConnectionSpec spec = new dev.cutter.core.db.ConnectionSpec(db.server().host(), db.server().port(),
        "postgres", admin, java.util.Optional.of(new dev.cutter.core.db.ConnectionSpec.Secret("cr3ate-r0le")));
    BackupSettings s = BackupSettings.defaults().withEnvironment(BackupGateTest.env(Map.of())).withProgress(null);
    s = PgDumpSupport.pgBin().map(s::withPgBin).orElse(s).withScratch(() -> ScratchServer.at(spec));
    String runId = "20261205T183000Z-0902";
    BackupResult result;
    String made;
    try {
      result = new BackupGate(s).run(BackupGateTest.conn(db, app), RestoreProofTest.proving(tmp.resolve("backups"), List.of()),
          "ledger-change", runId);
    } finally {
      made = db.queryValue("select count(*) from pg_roles where rolname = '" + planted + "'");
      db.execute("drop role if exists " + planted);
    }

    assertThat(made).as("the planted function acted with the scratch admin's CREATEROLE during the restore").isEqualTo("0");
    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(((Passed) result).envelope().proof().rowsCompared()).isEqualTo(10);
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
    assertThat(db.queryValue("select count(*) from pg_roles where rolname like 'cutter_proof_20261205t183000z_0902%'"))
        .as("the proof's restore role is dropped with its database").isEqualTo("0");
  }

  /**
   * The restore runs apply_role's code as the proof's own role, which may set its own defaults: a
   * CHECK function empties a table restored before it and gives the role a search_path that puts
   * a schema it made before pg_catalog, where an aggregate
   * named count counts as pg_catalog's does but answers 10 for no row (that schema is not in the proof's scope). The comparison's new session then counted with that aggregate, and a
   * restore that lost every row of a table read as proven. It reads with the catalog's names only.
   */
  @Test
  void aSearchPathTheRestoreGaveItsRoleDoesNotForgeTheRowCounts(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    db.createSchema("ledger", app);
    db.createSchema("\"Stock Room\"", app);
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create table ledger.a_victim(id int primary key)");
      st.execute("insert into ledger.a_victim select g from generate_series(1, 10) g");
      st.execute("create function ledger.ok(n int) returns boolean language plpgsql as $$ begin"
          + " if pg_catalog.current_database() operator(pg_catalog.~~) 'cutter_proof_%' then"
          + " if not exists (select from pg_catalog.pg_proc where proname = 'ten') then"
          + " create schema elsewhere;"
          + " create function elsewhere.inc(bigint) returns bigint language sql as 'select $1 operator(pg_catalog.+) 1';"
          + " create function elsewhere.ten(bigint) returns bigint language sql"
          + "   as 'select case when $1 operator(pg_catalog.=) 0 then 10::bigint else $1 end';"
          + " create aggregate elsewhere.count(*) (sfunc = elsewhere.inc, stype = bigint, initcond = '0',"
          + "   finalfunc = elsewhere.ten);"
          + " alter role current_user set search_path = elsewhere, pg_catalog;"
          + " end if; delete from ledger.a_victim; end if; return true; end $$");
      st.execute("create table ledger.z_guard(n int check (ledger.ok(n)))");
      st.execute("insert into ledger.z_guard select g from generate_series(1, 10) g");
    }
    String runId = "20261205T183000Z-0903";
    BackupResult result = RestoreProofTest.gate(db, BackupGateTest.env(Map.of()))
        .run(BackupGateTest.conn(db, app), RestoreProofTest.proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);

    assertThat(result).as("a restore that lost a table's rows read as proven: %s", result)
        .isInstanceOf(BackupResult.Blocked.class);
    assertThat(((BackupResult.Blocked) result).cause()).as("%s", result).isEqualTo(new dev.cutter.core.cause.Cause.RestoreProofFailed(
        dev.cutter.core.cause.Cause.ProofFailure.ROWS_DIFFER, List.of("ledger.a_victim")));
    assertThat(((BackupResult.Blocked) result).details())
        .isEqualTo("rows of ledger.a_victim: 10 in the source at the dump's snapshot, 0 restored");
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
  }

  /**
   * A scratch admin that may create databases but not roles would restore as itself: a planted
   * CHECK function would then act as that admin on the operator's server, here giving it a
   * password the package's author knows (whoever logs in with it may connect to every later
   * proof's database). Such an admin is refused before anything is made or dumped.
   */
  @Test
  void aScratchAdminThatCannotCreateRolesIsRefusedBeforeThePlantedCodeCanSetItsPassword(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    String admin = db.createRole("proofadmin", "createdb", "password 'cr3ate-db'");
    db.createSchema("ledger", app);
    db.createSchema("\"Stock Room\"", app);
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create function ledger.ok(n int) returns boolean language plpgsql as $$ begin"
          + " if pg_catalog.current_database() operator(pg_catalog.~~) 'cutter_proof_%' then"
          + " execute pg_catalog.format('alter role %I password %L', current_user, 'chosen-by-the-author'); end if;"
          + " return true; end $$");
      st.execute("create table ledger.accounts(id int primary key, n int check (ledger.ok(n)))");
      st.execute("insert into ledger.accounts select g, g from generate_series(1, 10) g");
    }
    String before = db.queryValue("select rolpassword from pg_authid where rolname = '" + admin + "'");
    dev.cutter.core.db.ConnectionSpec spec = new dev.cutter.core.db.ConnectionSpec(db.server().host(), db.server().port(),
        "postgres", admin, java.util.Optional.of(new dev.cutter.core.db.ConnectionSpec.Secret("cr3ate-db")));
    BackupSettings s = BackupSettings.defaults().withEnvironment(BackupGateTest.env(Map.of())).withProgress(null);
    s = PgDumpSupport.pgBin().map(s::withPgBin).orElse(s).withScratch(() -> ScratchServer.at(spec));
    String runId = "20261205T183000Z-0904";
    BackupResult result = new BackupGate(s).run(BackupGateTest.conn(db, app),
        RestoreProofTest.proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);

    assertThat(db.queryValue("select rolpassword from pg_authid where rolname = '" + admin + "'"))
        .as("the planted function set the scratch admin's password").isEqualTo(before);
    assertThat(result).as("result %s", result).isInstanceOf(BackupResult.Blocked.class);
    BackupResult.Blocked b = (BackupResult.Blocked) result;
    assertThat(b.cause()).isEqualTo(new dev.cutter.core.cause.Cause.RestoreProofFailed(
        dev.cutter.core.cause.Cause.ProofFailure.SCRATCH_REFUSED, List.of()));
    assertThat(b.reason()).contains(admin + " on ").contains("cannot create roles");
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("nothing was made").isEmpty();
    assertThat(tmp.resolve("backups")).as("nothing was dumped").doesNotExist();
  }

  /**
   * The restore's code runs as the owner of every restored table, so it reads rows apply_role may
   * not read on the target (the backup role may): raised in an error, they reached the report
   * through pg_restore's message, which carries the server's ERROR, DETAIL and HINT. The report
   * keeps pg_restore's own line (which table's COPY failed) and withholds the server's.
   */
  @Test
  void aRestoreErrorCarriesNoRowApplyRoleCannotRead(TestDatabase db) throws Exception {
    String runId = "20261205T183000Z-0907";
    BackupResult.Blocked b = provenWithPlantedCode(db, "", "raise exception '%', s using detail = s, hint = s;", runId);

    assertThat(b.cause()).isEqualTo(new dev.cutter.core.cause.Cause.RestoreProofFailed(
        dev.cutter.core.cause.Cause.ProofFailure.RESTORE_FAILED, List.of()));
    assertThat(b.reason()).startsWith("pg_restore into the restore proof's database exited 1: pg_restore: error: COPY failed"
        + " for table \"z_guard\"; the server's message is withheld");
    assertThat(b.details()).isEqualTo("pg_restore: error: COPY failed for table \"z_guard\"\n"
        + "[the rest of the last line and 4 lines withheld: the server's message]");
    try (var files = java.nio.file.Files.walk(tmp.resolve("backups"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".reason")).toList()) {
        assertThat(java.nio.file.Files.readString(f)).as("the quarantine's reason file").doesNotContain(SECRET);
      }
    }
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
  }

  /**
   * As above for a directory-format backup restored by two jobs: each job's process writes its own
   * failure to the same stderr. Nothing of the server's message is kept either.
   */
  @Test
  void aRestoreErrorOfAParallelRestoreCarriesNoRowApplyRoleCannotRead(TestDatabase db) throws Exception {
    assumeTrue(PgDumpSupport.pgBin().isPresent(), "the real pg_dump's directory format");
    String runId = "20261205T183000Z-0910";
    BackupResult.Blocked b = provenWithPlantedCode(db, "", "raise exception '%', s using detail = s, hint = s;", runId,
        RestoreProofTest.proving(tmp.resolve("backups"), List.of()).withFormat(BackupPolicy.Format.DIRECTORY, 2));

    assertThat(b.cause()).isEqualTo(new dev.cutter.core.cause.Cause.RestoreProofFailed(
        dev.cutter.core.cause.Cause.ProofFailure.RESTORE_FAILED, List.of()));
    assertThat(b.reason()).startsWith("pg_restore into the restore proof's database exited 1: ")
        .contains("the server's message is withheld");
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
  }

  /**
   * The restore's code reads a row apply_role cannot read and names what it creates in the proof's
   * database after it: a table, an index, a function, a column of a restored table, and a default
   * quoting it. The comparison found them all and named them in its differences (the restored
   * side's names and definitions); they are counted by kind, and the changed column shows the
   * source's definition only.
   */
  @Test
  void objectsTheRestoresCodeNamesAfterARowAreCountedNeverNamed(TestDatabase db) throws Exception {
    String runId = "20261205T183000Z-0908";
    BackupResult.Blocked b = provenWithPlantedCode(db,
        "create table ledger.a_other(id int primary key, n text); insert into ledger.a_other values (1, 'x')",
        "execute pg_catalog.format('create table ledger.%I ()', s);"
            + " execute pg_catalog.format('create index %I on ledger.a_other (n)', s || '-idx');"
            + " execute pg_catalog.format('create function ledger.%I() returns int language sql as ''select 1''', s);"
            + " execute pg_catalog.format('alter table ledger.a_other add column %I int', s);"
            + " execute pg_catalog.format('alter table ledger.a_other alter column n set default %L', s);", runId);

    assertThat(b.cause()).isEqualTo(new dev.cutter.core.cause.Cause.RestoreProofFailed(
        dev.cutter.core.cause.Cause.ProofFailure.RELATIONS_DIFFER, List.of()));
    assertThat(b.details()).contains("not in the source: 2 relations (1 index, 1 table; names withheld")
        .contains("catalog: changed: ledger.a_other column n (in the source: text null; the restored definition is withheld)")
        .contains("catalog: not in the source: 4 objects (1 column, 1 function, 1 index, 1 relation; names and definitions"
            + " withheld");
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
  }

  /**
   * The restore's code makes a table named after a row that the comparison cannot count (row
   * security forced on it, with a policy): the server's error named that table, and the report
   * quoted the error. It says that the restored database could not be read, and no more.
   */
  @Test
  void aRestoredTableThatCannotBeCountedIsNotNamedInTheReport(TestDatabase db) throws Exception {
    String runId = "20261205T183000Z-0909";
    BackupResult.Blocked b = provenWithPlantedCode(db, "",
        "execute pg_catalog.format('create table ledger.%I (x int)', s);"
            + " execute pg_catalog.format('alter table ledger.%I enable row level security', s);"
            + " execute pg_catalog.format('alter table ledger.%I force row level security', s);"
            + " execute pg_catalog.format('create policy p on ledger.%I using (true)', s);", runId);

    assertThat(b.cause()).isEqualTo(new dev.cutter.core.cause.Cause.RestoreProofFailed(
        dev.cutter.core.cause.Cause.ProofFailure.RESTORE_FAILED, List.of()));
    assertThat(b.reason()).startsWith("cannot read the restored database; the server's message is withheld");
    assertThat(RestoreProofTest.proofDatabases(db, runId)).as("the scratch database is dropped").isEmpty();
  }

  private static final String SECRET = "Payroll-Row-7731";

  /**
   * A row apply_role cannot read ({@code ledger.secrets}, the backup login's), apply_role's own
   * {@code setup}, and its CHECK function on {@code ledger.z_guard} that runs {@code body} once,
   * in the proof's database only, with the secret in {@code s}; the proof run as the backup login
   * must block without the secret in its reason or details (in any case).
   */
  private BackupResult.Blocked provenWithPlantedCode(TestDatabase db, String setup, String body, String runId)
      throws Exception {
    return provenWithPlantedCode(db, setup, body, runId, RestoreProofTest.proving(tmp.resolve("backups"), List.of()));
  }

  private BackupResult.Blocked provenWithPlantedCode(TestDatabase db, String setup, String body, String runId,
      BackupPolicy policy) throws Exception {
    String app = db.createRole("app");
    db.createSchema("ledger", app);
    db.createSchema("\"Stock Room\"", app);
    db.execute("create table ledger.secrets(v text); insert into ledger.secrets values ('" + SECRET + "')");
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      if (!setup.isEmpty()) {
        st.execute(setup);
      }
      st.execute("create function ledger.ok(n int) returns boolean language plpgsql as $$ declare s text; begin"
          + " if pg_catalog.current_database() operator(pg_catalog.~~) 'cutter_proof_%'"
          + " and not exists (select from pg_catalog.pg_class where relname operator(pg_catalog.~~) 'Payroll%') then"
          + " s := (select pg_catalog.string_agg(v, ',') from ledger.secrets); " + body
          + " end if; return true; end $$");
      st.execute("create table ledger.z_guard(n int check (ledger.ok(n)))");
      st.execute("insert into ledger.z_guard values (1)");
      assertThat(catchThrowable(() -> st.executeQuery("select * from ledger.secrets"))).as("apply_role reads the secrets")
          .isNotNull();
    }
    BackupResult result = RestoreProofTest.gate(db, BackupGateTest.env(Map.of())).run(
        BackupGateTest.conn(db, RestoreProofTest.reader(db)), policy, "ledger-change", runId);
    assertThat(result).as("result %s", result).isInstanceOf(BackupResult.Blocked.class);
    BackupResult.Blocked b = (BackupResult.Blocked) result;
    assertThat(b.reason() + "\n" + b.details()).doesNotContainIgnoringCase(SECRET);
    return b;
  }
}
