package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.check;
import static dev.cutter.core.check.TestPackages.createTables;
import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.preflight;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.derived.ApplyRolePrivileges;
import dev.cutter.core.check.derived.BackupRolePrivileges;
import dev.cutter.core.check.derived.BackupScopeCheck;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.lint.LintCheck;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.Target;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@WithPostgres
class PreflightTest {

  /** The seed situation: schema owned by an admin role, the apply role has USAGE only. */
  private record Seed(String admin, String apply) {}

  private static Seed seed(TestDatabase db) throws SQLException {
    String admin = db.createRole("wf_admin");
    String apply = db.createRole("app");
    db.createSchema("gov", admin);
    db.execute("grant usage on schema gov to " + apply);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(admin, apply));
    }
    return new Seed(admin, apply);
  }

  private static CheckResult byId(List<CheckResult> results, String id) {
    return results.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void blocksWhenApplyRoleLacksCreateOnTheSchema(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    Preflight.Outcome out = preflight(Map.of(), createTables("gov", 12))
        .run(login(db, s.apply()), pkg(target(db, s.apply())), createTables("gov", 12), false);

    assertThat(out.passed()).isFalse();
    assertThat(out.results()).extracting(CheckResult::id)
        .containsExactly(IdentityCheck.ID, JournalCheck.ID, ApplyRolePrivileges.ID, BackupRolePrivileges.ID, BackupScopeCheck.ID,
            LintCheck.ID);
    assertThat(byId(out.results(), IdentityCheck.ID).status()).isEqualTo(CheckStatus.PASS);
    CheckResult priv = byId(out.results(), ApplyRolePrivileges.ID);
    assertThat(priv.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(priv.actual()).as("names the missing privilege and where it is needed")
        .isEqualTo("missing: CREATE on schema gov (statements 1-12, first at line 1)");
    assertThat(priv.message()).contains("apply_role " + s.apply() + " lacks CREATE on schema gov");
  }

  @Test
  void passesWhenPinnedToTheSchemaOwner(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    Preflight.Outcome out = preflight(Map.of(), createTables("gov", 12))
        .run(login(db, s.admin()), pkg(target(db, s.admin())), createTables("gov", 12), false);

    assertThat(out.results()).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(CheckStatus.PASS, CheckStatus.SKIPPED));
    assertThat(out.passed()).isTrue();
  }

  @Test
  void passesWhenTheLoginRoleSetsRoleToTheOwner(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    String operator = db.createRole("operator");
    db.execute("grant " + s.admin() + " to " + operator);
    Preflight.Outcome out = preflight(Map.of(), createTables("gov", 3))
        .run(login(db, operator), pkg(target(db, s.admin())), createTables("gov", 3), false);

    assertThat(byId(out.results(), ApplyRolePrivileges.ID).status()).isEqualTo(CheckStatus.PASS);
  }

  @Test
  void blocksOnAnotherClustersSystemIdentifierAndRunsNothingElse(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    Target wrong = new Target(db.name(), "7000000000000000001", Optional.empty(), s.admin(), Optional.empty());
    Preflight.Outcome out = preflight(Map.of(), List.of()).run(login(db, s.admin()), pkg(wrong), List.of(), false);

    CheckResult id = out.results().get(0);
    assertThat(id.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(id.expected()).contains("system_identifier 7000000000000000001");
    assertThat(id.message()).contains("another cluster");
    assertThat(out.results().subList(1, out.results().size()))
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(CheckStatus.SKIPPED));
  }

  @Test
  void blocksWhenThePinnedServerMajorDiffers(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    Target t = target(db, s.admin());
    Target pinned = new Target(t.database(), t.systemIdentifier(), Optional.of("9"), t.applyRole(), Optional.empty());
    Preflight.Outcome out = preflight(Map.of(), List.of()).run(login(db, s.admin()), pkg(pinned), List.of(), false);

    assertThat(out.results().get(0).status()).isEqualTo(CheckStatus.FAIL);
    assertThat(out.results().get(0).message()).contains("server major is " + db.server().major());
  }

  @Test
  void reportsARevokedPgControlSystemClearly(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    try {
      db.execute("revoke execute on function pg_control_system() from public");
      Preflight.Outcome out = preflight(Map.of(), List.of()).run(login(db, s.apply()), pkg(target(db, s.apply())),
          List.of(), false);
      CheckResult id = out.results().get(0);
      assertThat(id.status()).isEqualTo(CheckStatus.ERROR);
      assertThat(id.message()).contains("pg_control_system()", "42501", "grant execute on function");
      assertThat(out.passed()).isFalse();
    } finally {
      db.execute("grant execute on function pg_control_system() to public");
    }
  }

  @Test
  void blocksWhenTheJournalIsMissing(TestDatabase db) {
    String admin = db.createRole("wf_admin");
    Preflight.Outcome out = preflight(Map.of(), List.of()).run(login(db, admin), pkg(target(db, admin)), List.of(), false);

    CheckResult j = byId(out.results(), JournalCheck.ID);
    assertThat(j.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(j.message()).startsWith("journal cutter.journal not found: run cutter init");
  }

  @Test
  void blocksWhenBackupRoleLacksUsageOnASchema(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    String backup = db.createRole("bk");
    db.createSchema("hidden", s.admin());
    db.execute("create table gov.a (id int); create sequence gov.s; grant usage on schema gov, cutter to " + backup
        + "; grant select on all tables in schema gov, cutter to " + backup
        + "; grant select on all sequences in schema gov, cutter to " + backup);
    Target t = target(db, s.admin());
    Target withBackup = new Target(t.database(), t.systemIdentifier(), Optional.empty(), s.admin(), Optional.of(backup));
    BackupPolicy whole = new BackupPolicy(true, List.of(), Path.of("/tmp"), 1, List.of(), Optional.empty());
    Preflight.Outcome out = preflight(Map.of(), List.of()).run(login(db, s.admin()), pkg(withBackup, whole, List.of()),
        List.of(), false);

    CheckResult b = byId(out.results(), BackupRolePrivileges.ID);
    assertThat(b.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(b.actual()).isEqualTo("missing: USAGE on schema hidden");

    db.execute("grant usage on schema hidden to " + backup + "; create table hidden.secret (x int)");
    out = preflight(Map.of(), List.of()).run(login(db, s.admin()), pkg(withBackup, whole, List.of()), List.of(), false);
    assertThat(byId(out.results(), BackupRolePrivileges.ID).actual()).isEqualTo("missing: SELECT on 1 table: hidden.secret");

    BackupPolicy onlyGov = new BackupPolicy(true, List.of("gov"), Path.of("/tmp"), 1, List.of(), Optional.empty());
    out = preflight(Map.of(), List.of()).run(login(db, s.admin()), pkg(withBackup, onlyGov, List.of()), List.of(), false);
    assertThat(byId(out.results(), BackupRolePrivileges.ID).status()).as("scope is the listed schemas only")
        .isEqualTo(CheckStatus.PASS);
  }

  /** A check type for tests: runs its argument as SQL on the read-only connection. */
  private static final CheckType RUN_SQL = new CheckType() {
    @Override
    public String name() {
      return "run_sql";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {
      // tests build valid arguments
    }

    @Override
    public CheckResult run(YamlValue args, CheckContext ctx) throws SQLException {
      try (Statement st = ctx.connection().createStatement()) {
        st.execute(((YamlValue.Scalar) args).value());
      }
      return ctx.pass("ran", "ran", null);
    }
  };

  @Test
  void aCheckThatWritesFailsInTheReadOnlyTransaction(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    db.execute("create table gov.victim (id int)");
    List<CheckSpec> checks = List.of(check("run_sql", "insert into gov.victim values (1)"),
        check("run_sql", "create table gov.sneaky (id int)"), check("run_sql", "select nextval('cutter.journal_id_seq')"));
    Preflight.Outcome out = preflight(Map.of("run_sql", RUN_SQL), List.of())
        .run(login(db, "postgres"), pkg(target(db, s.admin()), BackupPolicy.none(), checks), List.of(), false);

    for (String id : List.of("run_sql#1", "run_sql#2", "run_sql#3")) {
      CheckResult r = byId(out.results(), id);
      assertThat(r.status()).as(id).isEqualTo(CheckStatus.ERROR);
      assertThat(r.message()).as(id).contains("read-only transaction", "25006");
    }
    assertThat(db.queryValue("select count(*) from gov.victim")).isEqualTo("0");
    assertThat(db.queryValue("select to_regclass('gov.sneaky') is null")).isEqualTo("t");
  }

  @Test
  void resultsComeInPackageOrderWhateverFinishesFirst(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    List<CheckSpec> checks = new ArrayList<>();
    IntStream.rangeClosed(1, 8).forEach(i -> checks.add(check("run_sql", "select pg_sleep(" + ((9 - i) * 0.03) + ")")));
    Preflight.Outcome out = preflight(Map.of("run_sql", RUN_SQL), List.of())
        .run(login(db, s.admin()), pkg(target(db, s.admin()), BackupPolicy.none(), checks), List.of(), false);

    List<String> expected = new ArrayList<>(List.of(IdentityCheck.ID, JournalCheck.ID));
    IntStream.rangeClosed(1, 8).forEach(i -> expected.add("run_sql#" + i));
    expected.addAll(List.of(ApplyRolePrivileges.ID, BackupRolePrivileges.ID, BackupScopeCheck.ID, LintCheck.ID));
    assertThat(out.results()).extracting(CheckResult::id).containsExactlyElementsOf(expected);
    assertThat(out.passed()).isTrue();
  }

  @Test
  void anUninstalledCheckTypeIsAnErrorNotACrash(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    Preflight.Outcome out = preflight(Map.of(), List.of()).run(login(db, s.admin()),
        pkg(target(db, s.admin()), BackupPolicy.none(), List.of(check("nope", "x"))), List.of(), false);

    assertThat(byId(out.results(), "nope#1").status()).isEqualTo(CheckStatus.ERROR);
    assertThat(byId(out.results(), "nope#1").message()).contains("not installed");
  }

  @Test
  void anUnreachableTargetIsAnIdentityError(TestDatabase db) {
    var spec = new dev.cutter.core.db.ConnectionSpec("localhost", 1, db.name(), "nobody", Optional.empty());
    Preflight.Outcome out = preflight(Map.of(), List.of()).run(spec, pkg(target(db, "x")), List.of(), false);

    assertThat(out.results().get(0).status()).isEqualTo(CheckStatus.ERROR);
    assertThat(out.results().get(0).message()).contains("cannot connect");
  }

  @Test
  void derivedChecksSeeObjectsTheArtifactCreatesItself(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    db.execute("create table gov.owned_by_admin (id int primary key)");
    List<ExecStatement> stmts = List.of(
        new ExecStatement(1, 1, "create schema app_data"),
        new ExecStatement(2, 2, "create table app_data.a (id int primary key, o int references gov.owned_by_admin)"),
        new ExecStatement(3, 5, "create index on app_data.a (o)"),
        new ExecStatement(4, 6, "alter table gov.owned_by_admin add column x int"),
        new ExecStatement(5, 7, "drop table if exists gov.gone"),
        new ExecStatement(6, 8, "drop view gov.never_was"));
    db.execute("grant create on database " + db.name() + " to " + s.apply());
    Preflight.Outcome out = preflight(Map.of(), stmts).run(login(db, s.apply()), pkg(target(db, s.apply())), stmts, false);

    CheckResult r = byId(out.results(), ApplyRolePrivileges.ID);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.actual()).isEqualTo("missing: REFERENCES on gov.owned_by_admin (statement 2, line 2); "
        + "ownership of table gov.owned_by_admin (statement 4, line 6); "
        + "view gov.never_was to DROP (statement 6, line 8) does not exist");
    assertThat(r.expected()).contains("CREATE on database (statement 1, line 1)", "USAGE on schema gov");
  }

  @Test
  void unqualifiedNamesResolveThroughApplyRolesSearchPath(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    db.execute("alter role " + s.apply() + " in database " + db.name() + " set search_path = gov, public");
    List<ExecStatement> stmts = List.of(new ExecStatement(1, 1, "create table plain (id int)"));
    String operator = db.createRole("operator");
    Preflight.Outcome out = preflight(Map.of(), stmts).run(login(db, operator), pkg(target(db, s.apply())), stmts, false);

    CheckResult r = byId(out.results(), ApplyRolePrivileges.ID);
    assertThat(r.actual()).isEqualTo("missing: CREATE on schema gov (statement 1, line 1)");
    assertThat(r.message()).contains("search_path gov, public (ALTER ROLE/DATABASE … SET) → gov, public");
  }

  @Test
  void derivedChecksQuoteHostileSchemaNamesAndInjectNothing(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    String hostile = "Gov\"; drop table victim; --ü";
    String quoted = "\"" + hostile.replace("\"", "\"\"") + "\"";
    db.execute("create table victim (id int); create schema " + quoted + " authorization " + s.admin()
        + "; grant usage on schema " + quoted + " to " + s.apply());
    List<ExecStatement> stmts = List.of(new ExecStatement(1, 3, "create table " + quoted + ".t (id int)"));
    Preflight.Outcome out = preflight(Map.of(), stmts).run(login(db, s.apply()), pkg(target(db, s.apply())), stmts, false);

    CheckResult r = byId(out.results(), ApplyRolePrivileges.ID);
    assertThat(r.actual()).isEqualTo("missing: CREATE on schema " + quoted + " (statement 1, line 3)");
    assertThat(db.queryValue("select to_regclass('public.victim') is not null")).isEqualTo("t");
  }

  /** Counts the other preflight sessions busy in a transaction while it runs; runs alone. */
  private static final CheckType LONER = new CheckType() {
    @Override
    public String name() {
      return "loner";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {
      // no arguments
    }

    @Override
    public boolean runsAlone() {
      return true;
    }

    @Override
    public CheckResult run(YamlValue args, CheckContext ctx) throws SQLException {
      try (Statement st = ctx.connection().createStatement();
          java.sql.ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where application_name ="
              + " 'cutter preflight' and pid <> pg_backend_pid() and state <> 'idle'")) {
        rs.next();
        return ctx.result(rs.getInt(1) == 0, () -> new dev.cutter.core.cause.Cause.CheckQueryDiffers(ctx.id(), "0", "busy"), "0 busy", rs.getInt(1) + " busy", null);
      }
    }
  };

  @Test
  void aCheckThatRunsAloneWaitsForEveryOtherCheck(TestDatabase db) throws SQLException {
    Seed s = seed(db);
    List<CheckSpec> checks = List.of(check("loner", "x"), check("run_sql", "select pg_sleep(0.4)"),
        check("run_sql", "select pg_sleep(0.4)"), check("run_sql", "select pg_sleep(0.4)"));
    Preflight.Outcome out = preflight(Map.of("run_sql", RUN_SQL, "loner", LONER), List.of())
        .run(login(db, s.admin()), pkg(target(db, s.admin()), BackupPolicy.none(), checks), List.of(), false);

    assertThat(out.results()).extracting(CheckResult::id).containsSubsequence("loner#1", "run_sql#2", "run_sql#3");
    assertThat(byId(out.results(), "loner#1").actual()).isEqualTo("0 busy");
  }
}
