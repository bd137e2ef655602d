package dev.cutter.checks;

import static dev.cutter.checks.Packages.byId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.check.derived.ArtifactNames;
import dev.cutter.core.check.derived.BackupScopeCheck;
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
 * R47: an artifact that sets its own search_path names objects that every check must read where
 * PostgreSQL will find them. The analysis names them in the first schema listed; P1 proves they are
 * there (or created there) and refuses a name PostgreSQL would find elsewhere, and every other check
 * (the backup scope here) reads the schema the artifact writes, not apply_role's.
 */
@WithPostgres
class ArtifactNamesTest {

  @TempDir Path dir;

  private static void seed(TestDatabase db) throws SQLException {
    db.execute("create schema app");
    db.execute("create schema billing");
    db.execute("create table app.t (id int)");
    db.execute("create table public.audit (id int)");
    db.execute("create table billing.invoices (id int)");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
  }

  private CheckResult check(TestDatabase db, String sql, String id) throws Exception {
    return check(db, "postgres", sql, id);
  }

  private CheckResult check(TestDatabase db, String applyRole, String sql, String id) throws Exception {
    ApplyPackage p = Packages.write(dir, db, applyRole, sql, "  - schema_exists: app\n");
    return byId(Packages.preflight(db, "postgres", p, sql), id);
  }

  @Test
  void namesFoundOrCreatedInTheFirstSchemaTheArtifactListsPass(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = check(db, "set search_path = app, public\ninsert into t values (1)\ncreate table u (a int)\n"
        + "insert into u values (1)\nreset search_path\ninsert into audit values (1)", ArtifactNames.ID);
    assertThat(r.status()).as(r.message()).isEqualTo(CheckStatus.PASS);
    assertThat(r.actual()).contains("app");
  }

  /**
   * The splitter gives each statement with its terminating semicolon, as every real artifact ends
   * them. Before: {@code set search_path = app, public;} read as a value cutter does not read, and
   * every unqualified name after it was refused (a false BLOCK of any real artifact that sets its path).
   */
  @Test
  void aSetEndedBySemicolonAsTheSplitterGivesItIsFollowed(TestDatabase db) throws Exception {
    seed(db);
    for (String set : List.of("set search_path = app, public;", "select pg_catalog.set_config('search_path', 'app, public', false);",
        "set schema 'app' ;")) {
      CheckResult r = check(db, set + "\ninsert into t values (1);", ArtifactNames.ID);
      assertThat(r.status()).as(set + ": " + r.message()).isEqualTo(CheckStatus.PASS);
      assertThat(r.actual()).contains("app");
    }
  }

  /** PostgreSQL would find {@code audit} in public, the second schema: every check read app.audit. */
  @Test
  void aNameTheArtifactsPathFindsOnlyInALaterSchemaIsRefused(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = check(db, "set search_path = app, public\ninsert into audit values (1)", ArtifactNames.ID);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.cause()).isEqualTo(new Cause.NameUnproven(List.of("statement 2 (line 2): table audit")));
    assertThat(r.message()).contains("search_path the artifact set at statement 1 (line 1) to app, public")
        .contains("schema app holds no table of that name").contains("Qualify the name");
  }

  @Test
  void aSchemaListedFirstThatDoesNotExistOrMayNotBeUsedIsRefused(TestDatabase db) throws Exception {
    seed(db);
    CheckResult absent = check(db, "set search_path = nowhere, public\ncreate table n (a int)", ArtifactNames.ID);
    assertThat(absent.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(absent.message()).contains("schema nowhere does not exist");
    String role = db.createRole("writer");
    db.execute("grant create on schema public to " + role);
    CheckResult unusable = check(db, role, "set search_path = billing, public\ncreate table n (a int)", ArtifactNames.ID);
    assertThat(unusable.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(unusable.message()).contains("may not use schema billing");
  }

  @Test
  void aSchemaTheArtifactCreatesBeforeListingItPasses(TestDatabase db) throws Exception {
    seed(db);
    passes(db, "create schema fresh\nset search_path = fresh\ncreate table n (a int)\ninsert into n values (1)");
  }

  @Test
  void aChangeOfThePathTheTextDoesNotTellRefusesTheNamesAfterIt(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = check(db, "select set_config('search_path', current_user, false)\ncreate table n (a int)",
        ArtifactNames.ID);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("cannot follow").contains("cutter cannot tell which schema");
    CheckResult user = check(db, "set search_path = \"$user\", app\ninsert into t values (1)", ArtifactNames.ID);
    assertThat(user.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(user.message()).contains("lists \"$user\" first");
  }

  /**
   * The backup scope reads the schema the artifact's own path writes: apply_role's path finds no
   * {@code invoices} and took it for a new object in public, inside the scope.
   */
  @Test
  void theBackupScopeSeesTheSchemaTheArtifactsOwnPathDropsFrom(TestDatabase db) throws Exception {
    seed(db);
    String sql = "set search_path = billing\ndrop table invoices";
    ApplyPackage p = Packages.write(dir, db, "postgres", sql, "  - schema_exists: app\n");
    ApplyPackage scoped = Packages.with(p, p.preflight(),
        new BackupPolicy(true, List.of("public"), dir.resolve("backups"), 0, List.of(), Optional.empty()));
    CheckResult r = byId(Packages.preflight(db, "postgres", scoped, sql), BackupScopeCheck.ID);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("schema billing").contains("DROP table billing.invoices");
  }

  @Test
  void anArtifactThatNamesNoSearchPathHasNothingToProve(TestDatabase db) throws Exception {
    seed(db);
    List<CheckResult> all = Packages.preflight(db, "postgres",
        Packages.write(dir, db, "postgres", "insert into audit values (1)", "  - schema_exists: app\n"), "insert into audit values (1)");
    assertThat(all).extracting(CheckResult::id).doesNotContain(ArtifactNames.ID).contains(BackupScopeCheck.ID);
  }

  private void passes(TestDatabase db, String sql) throws Exception {
    CheckResult r = check(db, sql, ArtifactNames.ID);
    assertThat(r.status()).as(r.message()).isEqualTo(CheckStatus.PASS);
  }

  private void refused(TestDatabase db, String sql) throws Exception {
    refused(db, "postgres", sql);
  }

  private void refused(TestDatabase db, String applyRole, String sql) throws Exception {
    CheckResult r = check(db, applyRole, sql, ArtifactNames.ID);
    assertThat(r.status()).as("%s: %s", sql, r.message()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.cause()).isInstanceOf(Cause.NameUnproven.class);
  }

  /**
   * The server looks a setting's name up ignoring case and after decoding escapes, and {@code
   * set_config} takes any text: each of these sets the search_path to app. Before: no statement
   * spelled search_path as the analysis looked for it, so nothing was followed and no check ran.
   */
  @Test
  void aSearchPathSetUnderANameSpelledOtherwiseIsFollowedOrRefused(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create table public.t (id int)");
    for (String set : List.of("select set_config(E'search\\137path', 'app', false)",
        "select set_config('search' || '_path', 'app', false)", "set U&\"search\\005fpath\" = app",
        "reset U&\"search\\005fpath\"", "update pg_settings set setting = 'app' where name = 'search' || '_path'")) {
      refused(db, set + "\ninsert into t values (1)");
    }
  }

  /**
   * A SELECT that runs {@code set_config} while creating a table, or a volatile column default the
   * server evaluates for every row while adding the column, sets the session's search_path too.
   * Before: CREATE and ALTER were read as setting no session's path (PASS, names read through
   * apply_role's path).
   */
  @Test
  void aCreateOrAlterThatRunsSetConfigIsNotFollowed(TestDatabase db) throws Exception {
    seed(db);
    refused(db, "create table public.x as select set_config('search_path', 'app', false)\ninsert into t values (1)");
    refused(db, "alter table public.audit add column z text default set_config('search_path', 'app', false)\n"
        + "insert into t values (1)");
  }

  /** {@code E'\\x61pp'} is app: the analysis read the backslashes away and named x61pp. Before: PASS (x61pp.t exists). */
  @Test
  void aSchemaNameWrittenWithEscapesIsNotReadAsAnother(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create schema x61pp");
    db.execute("create table x61pp.t (id int)");
    refused(db, "set search_path = E'\\x61pp', public\ninsert into t values (1)");
    refused(db, "set search_path = U&'\\0061pp', public\ninsert into t values (1)");
  }

  /**
   * Once the artifact drops or renames {@code app.t}, or drops schema app, the server finds {@code t}
   * further along the path (public.t). Before: P1 saw app.t and proved it (PASS).
   */
  @Test
  void aNameTheArtifactTookAwayFromTheFirstSchemaIsNotFoundThereAfter(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create table public.t (id int)");
    refused(db, "set search_path = app, public\ndrop table t\ninsert into t values (1)");
    refused(db, "set search_path = app, public\nalter table t rename to t_old\ninsert into t values (1)");
    refused(db, "set search_path = app, public\nalter table t set schema billing\ninsert into t values (1)");
    refused(db, "drop schema app cascade\nset search_path = app, public\ninsert into t values (1)");
  }

  /**
   * {@code DROP … CASCADE} (or {@code DROP OWNED}) drops what depends on it, in any schema: app.v, a
   * view over public.audit, is gone and {@code v} is found in public. Before: P1 saw app.v and
   * proved it (PASS) while the insert wrote public.v.
   */
  @Test
  void aNameACascadeMayHaveDroppedIsNotFoundThereAfter(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create view app.v as select * from public.audit");
    db.execute("create table public.v (id int)");
    refused(db, "drop table public.audit cascade\nset search_path = app, public\ninsert into v values (1)");
    refused(db, "set search_path = app, public\ndrop owned by nobody_here\ninsert into v values (1)");
    passes(db, "drop table public.audit cascade\nset search_path = app, public\ncreate table v2 (a int)\n"
        + "insert into v2 values (1)");
    passes(db, "drop table public.audit cascade\nset search_path = app, public\ninsert into t values (1)"); // depends on nothing
  }

  /** {@code DROP FUNCTION f(int)} drops public.f(int) though app holds an f(text). Before: PASS (app holds an f). */
  @Test
  void aRoutineOfThatNameInAnotherSchemaOfThePathIsRefused(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create function app.f(text) returns int language sql as 'select 1'");
    db.execute("create function public.f(int) returns int language sql as 'select 2'");
    refused(db, "set search_path = app, public\ndrop function f(int)");
    passes(db, "set search_path = app, public\ncreate function g(int) returns int language sql as 'select 3'");
  }

  /**
   * An unqualified CREATE goes to the first schema listed whatever the catalog holds when the path does
   * not list pg_catalog first: {@code create function version()} makes app.version(). Before: refused
   * ("pg_catalog holds a function of that name"), a false BLOCK; naming the catalog's one later is
   * still refused.
   */
  @Test
  void aCreateUnderANameTheCatalogAlsoHoldsGoesToTheFirstSchemaAndPasses(TestDatabase db) throws Exception {
    seed(db);
    passes(db, "set search_path = app, public\ncreate function version() returns text language sql as 'select 1'");
    refused(db, "set search_path = app, public\ncreate function version() returns text language sql as 'select 1'\n"
        + "alter function version() owner to postgres");
  }

  /**
   * Listed before app, pg_temp is where an unqualified CREATE TABLE goes: the table the analysis named
   * app.n is a temporary one, and after {@code DROP TABLE n} the name is found in app. Before: PASS.
   */
  @Test
  void aRelationCreatedWherePgTempIsListedFirstIsRefused(TestDatabase db) throws Exception {
    seed(db);
    refused(db, "set search_path = pg_temp, app\ncreate table n (a int)");
  }

  /**
   * A prepared statement or a cursor runs its {@code set_config} when executed or fetched, not where
   * the text names search_path. Before: PASS (app.t), while EXECUTE set billing, public and the
   * insert wrote public.t.
   */
  @Test
  void aPathSetByExecutingAPreparedStatementOrFetchingACursorIsNotFollowed(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create table public.t (id int)");
    refused(db, "prepare p as select set_config('search_path', 'billing, public', false);\nset search_path = app, public;\n"
        + "execute p;\ninsert into t values (1);");
    refused(db, "declare c cursor for select set_config('search_path', 'billing, public', false);\n"
        + "set search_path = app, public;\nfetch c;\ninsert into t values (1);");
  }

  /**
   * A role the artifact switches to may lack USAGE on app, and the server then skips app; P1 proved
   * USAGE for apply_role. Before: PASS, and the insert of a role without USAGE on app went to public.t.
   * A role named plainly is the one proved; one cutter cannot name is refused.
   */
  @Test
  void aRoleTheArtifactSwitchesToIsNotTheOneProvedToUseTheSchema(TestDatabase db) throws Exception {
    seed(db);
    String role = db.createRole("writer");
    db.execute("create table public.t (id int)");
    db.execute("grant insert on public.t to " + role);
    refused(db, "set search_path = app, public\nset role " + role + "\ninsert into t values (1)");
    refused(db, "set role " + role + "\nset search_path = app, public\ninsert into t values (1)");
    refused(db, "set search_path = app, public\nselect set_config('role', '" + role + "', false)\ninsert into t values (1)");
    db.execute("grant usage on schema app to " + role);
    passes(db, "set role " + role + "\nset search_path = app, public\ninsert into t values (1)");
  }

  /**
   * What an operator writes and cutter follows still passes: pg_dump's header with everything
   * qualified, and a set_config of another setting.
   */
  @Test
  void aDumpsHeaderAndASetConfigOfAnotherSettingAreNoReasonToRefuse(TestDatabase db) throws Exception {
    seed(db);
    String dump = """
        \\restrict AbCdEf0123
        SET statement_timeout = 0;
        SET lock_timeout = 0;
        SET client_encoding = 'UTF8';
        SET standard_conforming_strings = on;
        SELECT pg_catalog.set_config('search_path', '', false);
        SET check_function_bodies = false;
        CREATE SCHEMA dumped;
        CREATE TYPE dumped.mood AS ENUM (
            'a',
            'b'
        );
        CREATE FUNCTION dumped.trg() RETURNS trigger
            LANGUAGE plpgsql
            AS $$ begin return new; end $$;
        SET default_tablespace = '';
        SET default_table_access_method = heap;
        CREATE TABLE dumped.c (
            id integer NOT NULL,
            t_id integer
        );
        CREATE SEQUENCE dumped.c_id_seq
            AS integer
            START WITH 1
            INCREMENT BY 1
            NO MINVALUE
            NO MAXVALUE
            CACHE 1;
        ALTER SEQUENCE dumped.c_id_seq OWNED BY dumped.c.id;
        CREATE VIEW dumped.v AS
         SELECT c.id
           FROM dumped.c;
        ALTER TABLE ONLY dumped.c ALTER COLUMN id SET DEFAULT nextval('dumped.c_id_seq'::regclass);
        ALTER TABLE ONLY dumped.c
            ADD CONSTRAINT c_pkey PRIMARY KEY (id);
        CREATE INDEX c_t ON dumped.c USING btree (t_id);
        CREATE RULE r AS
            ON UPDATE TO dumped.v DO INSTEAD NOTHING;
        CREATE TRIGGER tr BEFORE INSERT ON dumped.c FOR EACH ROW EXECUTE FUNCTION dumped.trg();
        CREATE POLICY pol ON dumped.c USING (true);
        ALTER TABLE dumped.c ENABLE ROW LEVEL SECURITY;
        \\unrestrict AbCdEf0123
        """;
    List<CheckResult> all = Packages.preflightSplit(db, "postgres", Packages.write(dir, db, "postgres", dump,
        "  - schema_exists: app\n"), dump);
    CheckResult r = byId(all, ArtifactNames.ID);
    assertThat(r.status()).as(r.message()).isEqualTo(CheckStatus.PASS);
    assertThat(r.actual()).isEqualTo("none named so");
    assertThat(all).as("split as apply splits it: %s", all).filteredOn(x -> x.status() == CheckStatus.FAIL)
        // apply_role postgres owns the journal here; the dump's SET lock_timeout = 0 is a lint finding a package allows
        .extracting(CheckResult::id).containsOnly("journal_writable", "lock_hazards");
    String other = "select set_config('app.tenant', current_user, false)\ninsert into audit values (1)";
    assertThat(Packages.preflight(db, "postgres", Packages.write(dir, db, "postgres", other, "  - schema_exists: app\n"), other))
        .filteredOn(x -> x.id().equals(ArtifactNames.ID)).allSatisfy(x -> assertThat(x.status()).isEqualTo(CheckStatus.PASS));
  }
}
