package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.preflight;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.Journal;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** P1 refuses a journal that apply_role could rewrite, whoever granted what. */
@WithPostgres
class JournalCheckTest {

  private static CheckResult journalCheck(TestDatabase db, String app) {
    return preflight(Map.of(), List.of()).run(login(db, "postgres"), pkg(target(db, app)), List.of(), false).results()
        .stream().filter(r -> r.id().equals(JournalCheck.ID)).findFirst().orElseThrow();
  }

  private static void init(TestDatabase db, String app) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
  }

  @Test
  void aJournalFromBeforeItsFunctionsFailsUntilInitUpgradesIt(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    db.execute("create schema cutter; create table cutter.journal (id bigint generated always as identity primary key,"
        + " package_id text not null, package_sha256 text not null, run_id text not null unique, verdict text not null,"
        + " signer_fingerprints text[] not null default '{}', login_role text not null, apply_role text not null,"
        + " started timestamptz not null, finished timestamptz, report_sha256 text);"
        + " grant usage on schema cutter to " + app + "; grant select, insert on cutter.journal to " + app + ";"
        + " grant update (verdict, finished, report_sha256) on cutter.journal to " + app);
    CheckResult before = journalCheck(db, app);
    assertThat(before.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(before.message()).contains("predates its functions: run cutter init --grant " + app);

    init(db, app);
    CheckResult after = journalCheck(db, app);
    assertThat(after.status()).as(after.toString()).isEqualTo(CheckStatus.PASS);
  }

  @Test
  void anyWayToWriteTheTableDirectlyFails(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    init(db, app);
    for (String grant : List.of("update (verdict) on cutter.journal", "delete on cutter.journal",
        "trigger on cutter.journal", "insert (verdict) on cutter.journal")) {
      db.execute("grant " + grant + " to " + app);
      CheckResult r = journalCheck(db, app);
      assertThat(r.status()).as(grant).isEqualTo(CheckStatus.FAIL);
      assertThat(r.message()).as(grant).contains("may write cutter.journal directly");
      init(db, app);
      assertThat(journalCheck(db, app).status()).as("init revokes " + grant).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void anApplyRoleThatMayActAsTheJournalsOwnerFails(TestDatabase db) throws SQLException {
    String admin = db.createRole("admin");
    String app = db.createRole("app");
    db.execute("grant create on database " + db.name() + " to " + admin);
    try (Connection c = db.connectAs(admin)) {
      Journal.init(c, List.of(app));
    }
    db.execute("grant " + admin + " to " + app);
    CheckResult r = journalCheck(db, app);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("may act as " + admin + ", the owner of cutter.journal");
  }

  @Test
  void anApplyRoleWithCreateroleFailsBeforeServer16WhenTheOwnerIsNotASuperuser(TestDatabase db) throws SQLException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Integer.parseInt(db.queryValue("show server_version_num")) < 160000, "CREATEROLE needs ADMIN OPTION from 16 on");
    String admin = db.createRole("admin");
    String app = db.createRole("app", "CREATEROLE");
    db.execute("grant create on database " + db.name() + " to " + admin);
    try (Connection c = db.connectAs(admin)) {
      Journal.init(c, List.of(app));
    }
    CheckResult r = journalCheck(db, app);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("has CREATEROLE");
    try (Connection c = db.connectAs(app); java.sql.Statement st = c.createStatement()) {
      st.execute("grant " + admin + " to " + app); // what it could do
    }
  }

  @Test
  void anApplyRoleThatOwnsTheJournalsSchemaFails(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    init(db, app);
    db.execute("alter schema cutter owner to " + app);
    CheckResult r = journalCheck(db, app);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("may act as " + app + ", the owner of cutter.journal or of schema cutter");
    try (Connection c = db.connectAs(app); java.sql.Statement st = c.createStatement()) {
      st.execute("drop schema cutter cascade"); // what it could do: the journal, and every consumed package, gone
    }
  }

  @Test
  void aJournalFromBeforeRunPhasesFailsUntilInitUpgradesIt(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    init(db, app);
    db.execute("alter table cutter.journal drop column phase");
    CheckResult before = journalCheck(db, app);
    assertThat(before.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(before.message()).isEqualTo("journal cutter.journal predates run phases (online steps): run cutter init"
        + " --grant " + app + " (as an administrator) to upgrade it in place");

    init(db, app);
    assertThat(journalCheck(db, app).status()).isEqualTo(CheckStatus.PASS);
    db.execute("revoke execute on function cutter.record_phase(text, text, text) from " + app);
    assertThat(journalCheck(db, app).message()).endsWith("(or grant EXECUTE on cutter.record_phase)");
  }
}
