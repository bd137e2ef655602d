package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import org.junit.jupiter.api.Test;

@WithPostgres
class InitCommandTest {

  @Test
  void anOperatorTheDatabasesOwnerPutBeforeTheCatalogIsNotBoundIntoTheJournal(TestDatabase db) throws Exception {
    // apply_role owns the database and sets its search_path to app, pg_catalog: an operator ~ of its
    // own would be bound into the journal's CHECK at init, and run by record_commit (SECURITY
    // DEFINER) as the journal's owner, here the superuser, at every run
    String app = db.createRole("app");
    db.execute("alter database " + db.name() + " owner to " + app);
    db.createSchema("app", app);
    String planted = TestDatabase.unique("planted");
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create function app.matches(a text, b text) returns boolean language plpgsql as $$ begin"
          + " if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then"
          + " execute pg_catalog.format('copy (select 1) to %L',"
          + " pg_catalog.concat(pg_catalog.current_setting('data_directory'), '/" + planted + "')); end if;"
          + " return pg_catalog.textregexeq(a, b); end $$");
      st.execute("create operator app.~ (leftarg = text, rightarg = text, function = app.matches)");
      st.execute("alter database " + db.name() + " set search_path = app, pg_catalog");
    }

    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", app);
    assertThat(r.exit()).as(r.err()).isZero();
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("select cutter.record_commit('p', pg_catalog.repeat('a', 64), 'r1', '{}', 'l', '" + app
          + "', pg_catalog.now(), null)");
    }

    assertThat(db.queryValue("select (pg_catalog.pg_stat_file('" + planted + "', true)).size is not null"))
        .as("apply_role's operator ran as the journal's owner").isEqualTo("f");
    assertThat(db.queryValue("select pg_get_constraintdef(oid) from pg_constraint where conrelid = 'cutter.journal'::regclass"
        + " and contype = 'c'")).isEqualTo("CHECK ((package_sha256 OPERATOR(pg_catalog.~) '^[0-9a-f]{64}$'::text))");
  }

  @Test
  void createsTheJournalOnceAndGrantsTheApplyRole(TestDatabase db) {
    String app = db.createRole("app");
    Cli first = Cli.run("init", "--target", db.uri("postgres"), "--grant", app);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("cutter.journal ready");
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", app).exit()).as("idempotent").isZero();
    assertThat(db.queryValue("select has_table_privilege('" + app + "', 'cutter.journal', 'INSERT')")).isEqualTo("f");
    assertThat(db.queryValue("select has_function_privilege('" + app + "', 'cutter.record_commit(text, text, text,"
        + " text[], text, text, timestamptz, text)', 'EXECUTE')")).isEqualTo("t");
  }

  @Test
  void upgradesAJournalWhoseApplyRoleCouldRewriteIt(TestDatabase db) {
    String app = db.createRole("app");
    db.execute("create schema cutter; create table cutter.journal (id bigint generated always as identity primary key,"
        + " package_id text not null, package_sha256 text not null, run_id text not null unique, verdict text not null,"
        + " signer_fingerprints text[] not null default '{}', login_role text not null, apply_role text not null,"
        + " started timestamptz not null, finished timestamptz, report_sha256 text);"
        + " grant usage on schema cutter to " + app + "; grant select, insert on cutter.journal to " + app + ";"
        + " grant update (verdict, finished, report_sha256) on cutter.journal to " + app + ";"
        + " insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role, apply_role, started)"
        + " values ('p', '" + "a".repeat(64) + "', 'r1', 'PASS', 'x', 'x', now())");
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", app);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("revoked direct writes on cutter.journal from " + app);
    assertThat(db.queryValue("select has_any_column_privilege('" + app + "', 'cutter.journal', 'UPDATE')")).isEqualTo("f");
    assertThat(db.queryValue("select verdict from cutter.journal")).isEqualTo("PASS");
  }

  @Test
  void refusesToGrantTheJournalsOwner(TestDatabase db) {
    String admin = db.createRole("admin", "SUPERUSER");
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", admin);
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("could rewrite the journal").doesNotContain("\tat ");
  }

  @Test
  void unreachableTargetIsOneLineNotAStackTrace() {
    Cli r = Cli.run("init", "--target", "postgresql://nobody@127.0.0.1:1/none");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("cannot connect to postgresql://nobody@127.0.0.1:1/none").doesNotContain("\tat ");
  }

  @Test
  void printsTheExitCodesInHelp() {
    Cli r = Cli.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Exit codes:").contains("ESCALATE").contains("ROLLED_BACK");
  }

  @Test
  void versionNamesTheCommit() {
    Cli r = Cli.run("--version");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("cutter " + dev.cutter.core.CutterBuild.version() + " (commit "
        + dev.cutter.core.CutterBuild.commit() + ")\n");
  }
}
