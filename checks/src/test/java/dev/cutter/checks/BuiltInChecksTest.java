package dev.cutter.checks;

import static dev.cutter.checks.Packages.byId;
import static dev.cutter.checks.Packages.preflight;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.BaselineBlock;
import dev.cutter.core.catalog.BaselineReader;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithPostgres
class BuiltInChecksTest {

  @TempDir Path dir;

  private static final String TWELVE_TABLES = IntStream.rangeClosed(1, 12)
      .mapToObj(i -> "create table gov.t" + i + " (id bigint primary key, note text not null);")
      .collect(Collectors.joining("\n", "", "\n"));

  private static String seed(TestDatabase db, String admin, String app) throws SQLException {
    db.createSchema("gov", admin);
    db.execute("grant usage on schema gov to " + app + "; create table gov.existing (id int primary key, "
        + "code text unique, n int check (n > 0)); alter table gov.existing owner to " + admin);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(admin, app));
    }
    return "gov";
  }

  private static String checksFor(String role, int major) {
    return """
          - schema_exists: gov
          - objects_absent: { schema: gov, tables: [t1, t2, t12] }
          - baseline: { schema: gov, constraints: { p: 1, u: 1, c: 1, f: 0 }, relations: { r: 1, i: 2, v: 0 } }
          - privilege: { role: %s, schema: gov, has: [USAGE, CREATE] }
          - sql: { name: no tables yet, query: "select count(*) from pg_tables where schemaname = 'gov' and tablename like 't%%'", expect: 0 }
          - server_version: "%s"
          - journal_writable: true
          - rehearse: true
        """.formatted(role, major);
  }

  @Test
  void blocksTheSeedSituationNamingTheMissingCreate(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    String app = db.createRole("app");
    seed(db, admin, app);
    ApplyPackage pkg = Packages.write(dir, db, app, TWELVE_TABLES, checksFor(app, db.server().major()));
    List<CheckResult> r = preflight(db, app, pkg, TWELVE_TABLES);

    assertThat(r).extracting(CheckResult::id).containsExactly("identity", "schema_exists#1", "objects_absent#2",
        "baseline#3", "privilege#4", "sql#5", "server_version#6", "journal_writable#7", "rehearse#8",
        "apply_role_privileges", "backup_role_privileges", "backup_scope", "lock_hazards");
    assertThat(byId(r, "privilege#4").status()).isEqualTo(CheckStatus.FAIL);
    assertThat(byId(r, "privilege#4").actual()).isEqualTo("lacks CREATE");
    assertThat(byId(r, "apply_role_privileges").actual())
        .isEqualTo("missing: CREATE on schema gov (statements 1-12, first at line 1)");
    CheckResult rehearse = byId(r, "rehearse#8");
    assertThat(rehearse.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(rehearse.actual()).isEqualTo("statement 1 (line 1) failed: permission denied for schema gov (SQLSTATE 42501)");
    assertThat(r.stream().filter(x -> x.status() == CheckStatus.PASS).map(CheckResult::id)).containsExactly("identity",
        "schema_exists#1", "objects_absent#2", "baseline#3", "sql#5", "server_version#6", "journal_writable#7",
        "lock_hazards");
  }

  @Test
  void passesWhenPinnedToTheOwnerAndLeavesTheTargetUnchanged(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    String app = db.createRole("app");
    seed(db, admin, app);
    ApplyPackage pkg = Packages.write(dir, db, admin, TWELVE_TABLES, checksFor(admin, db.server().major()));
    List<CheckResult> r = preflight(db, admin, pkg, TWELVE_TABLES);

    assertThat(r).allSatisfy(x -> assertThat(x.status()).as(x.toString()).isIn(CheckStatus.PASS, CheckStatus.SKIPPED));
    assertThat(byId(r, "rehearse#8").actual()).isEqualTo("all 12 ran; rolled back");
    assertThat(db.queryValue("select count(*) from pg_tables where schemaname = 'gov'")).as("rehearsal rolled back")
        .isEqualTo("1");
  }

  @Test
  void reportsEveryDriftedCount(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    seed(db, admin, db.createRole("app"));
    String checks = "  - baseline: { schema: gov, constraints: { p: 1, u: 1, c: 1 }, relations: { r: 1, i: 2 } }";
    ApplyPackage pkg = Packages.write(dir, db, admin, "select 1;\n", checks);
    assertThat(byId(preflight(db, admin, pkg, "select 1;\n"), "baseline#1").status()).isEqualTo(CheckStatus.PASS);

    db.execute("create table gov.intruder (x int); alter table gov.existing drop constraint existing_n_check");
    CheckResult b = byId(preflight(db, admin, pkg, "select 1;\n"), "baseline#1");

    assertThat(b.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(b.expected()).isEqualTo("constraints {p: 1, u: 1, c: 1}, relations {r: 1, i: 2}");
    assertThat(b.actual()).isEqualTo("constraints {p: 1, u: 1, c: 0}, relations {r: 2, i: 2}");
    assertThat(b.message()).isEqualTo("schema gov drifted from the baseline: constraints.c expected 1, actual 0; "
        + "relations.r expected 1, actual 2");
  }

  @Test
  void aBaselinePrintedFromTheLiveCatalogLoadsAndHolds(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    seed(db, admin, db.createRole("app"));
    String entry;
    try (Connection c = db.superuser()) {
      entry = BaselineBlock.entry(BaselineReader.read(c, List.of("gov")).schemas().get("gov"));
    }
    ApplyPackage pkg = Packages.write(dir, db, admin, "select 1;\n", "  " + entry);
    assertThat(byId(preflight(db, admin, pkg, "select 1;\n"), "baseline#1").status()).isEqualTo(CheckStatus.PASS);

    db.execute("create view gov.first_view as select 1");
    CheckResult drift = byId(preflight(db, admin, pkg, "select 1;\n"), "baseline#1");
    assertThat(drift.message()).as("zeros are written, so a first view is drift").endsWith("relations.v expected 0, actual 1");
  }

  @Test
  void rehearsalReportsTheFirstFailingStatementAsApplyWould(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    String operator = db.createRole("operator");
    db.execute("grant " + admin + " to " + operator);
    seed(db, admin, db.createRole("app"));
    String sql = "create table gov.a (id int);\n\ncreate table gov.existing (id int);\ncreate table gov.b (id int);\n";
    ApplyPackage pkg = Packages.write(dir, db, admin, sql, "  - rehearse: true");
    CheckResult r = byId(preflight(db, operator, pkg, sql), "rehearse#1");

    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.actual()).isEqualTo("statement 2 (line 3) failed: relation \"existing\" already exists (SQLSTATE 42P07)");
    assertThat(r.message()).contains("logged in as " + operator + ", SET ROLE " + admin);
    assertThat(db.queryValue("select to_regclass('gov.a') is null")).isEqualTo("t");
  }

  @Test
  void rehearsalLogsInAsApplyRoleWhenTheLoginRoleIsNoMember(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    String stranger = db.createRole("stranger");
    seed(db, admin, db.createRole("app"));
    String sql = "create table gov.a (id int);\n";
    ApplyPackage pkg = Packages.write(dir, db, admin, sql, "  - rehearse: true");
    CheckResult r = byId(preflight(db, stranger, pkg, sql), "rehearse#1");

    assertThat(r.status()).isEqualTo(CheckStatus.PASS);
    assertThat(r.message()).contains("a separate login as " + admin);
  }

  @Test
  void rehearsalFindsADeferredConstraintThatWouldFailAtCommit(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    seed(db, admin, db.createRole("app"));
    db.execute("create table gov.parent (id int primary key); create table gov.child (p int references gov.parent "
        + "deferrable initially deferred); alter table gov.parent owner to " + admin + "; alter table gov.child owner to " + admin);
    String sql = "insert into gov.child values (42);\n";
    ApplyPackage pkg = Packages.write(dir, db, admin, sql, "  - rehearse: true");
    CheckResult r = byId(preflight(db, admin, pkg, sql), "rehearse#1");

    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.actual()).startsWith("a deferred constraint fails at COMMIT: insert or update on table \"child\"")
        .endsWith("(SQLSTATE 23503)");
  }

  @Test
  void sqlChecksCompareTheirSingleValueAndCannotWrite(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    seed(db, admin, db.createRole("app"));
    String checks = """
          - sql: { query: "select 0.0", expect: 0 }
          - sql: { query: "select null::int", expect: null }
          - sql: { query: "select 1 = 1", expect: true }
          - sql: { query: "select 'x'", expect: "y" }
          - sql: { name: sneaky, query: "with d as (delete from gov.existing returning 1) select count(*) from d", expect: 1 }
          - sql: { query: "select 1 from gov.existing where false", expect: 1 }
          - sql: { query: "select 1 = 2", expect: true }
          - sql: { query: "select 1 = 1", expect: "true" }
          - sql: { query: "select 'f'::text", expect: "f" }
        """;
    db.execute("insert into gov.existing values (1, 'a', 1)");
    ApplyPackage pkg = Packages.write(dir, db, admin, "select 1;\n", checks);
    List<CheckResult> r = preflight(db, admin, pkg, "select 1;\n");

    assertThat(byId(r, "sql#1").status()).isEqualTo(CheckStatus.PASS);
    assertThat(byId(r, "sql#2").status()).isEqualTo(CheckStatus.PASS);
    assertThat(byId(r, "sql#3").status()).isEqualTo(CheckStatus.PASS);
    assertThat(byId(r, "sql#4").status()).isEqualTo(CheckStatus.FAIL);
    assertThat(byId(r, "sql#4").message()).isEqualTo("select 'x': expected y, got x");
    assertThat(byId(r, "sql#5").status()).isEqualTo(CheckStatus.ERROR);
    assertThat(byId(r, "sql#5").message()).contains("read-only transaction", "25006");
    assertThat(byId(r, "sql#6").actual()).isEqualTo("no rows");
    assertThat(byId(r, "sql#7").message()).isEqualTo(
        "select 1 = 2: expected true, got f (false: PostgreSQL writes a boolean as t or f)");
    assertThat(byId(r, "sql#8").status()).isEqualTo(CheckStatus.FAIL);
    assertThat(byId(r, "sql#8").message()).isEqualTo("select 1 = 1: expected true, got t (PostgreSQL writes a boolean"
        + " as t or f, and a quoted \"true\" is compared as text: write expect: true without quotes to compare truth values)");
    assertThat(byId(r, "sql#9").status()).isEqualTo(CheckStatus.PASS);
    assertThat(db.queryValue("select count(*) from gov.existing")).isEqualTo("1");
  }

  @Test
  void objectAndPrivilegeChecksHandleHostileNames(TestDatabase db) throws IOException, SQLException {
    String admin = db.createRole("wf_admin");
    seed(db, admin, db.createRole("app"));
    String hostile = "t'; drop table gov.existing; --";
    String quoted = "\"" + hostile.replace("\"", "\"\"") + "\"";
    db.execute("create table gov." + quoted + " (id int); create table gov.\"Ünïcødé\" (id int); grant select on gov."
        + quoted + " to " + admin);
    String checks = """
          - objects_present: { schema: gov, tables: ["t'; drop table gov.existing; --", "Ünïcødé"], roles: [%s] }
          - objects_absent: { schema: gov, tables: ["x\\"; select 1", "t'; drop table gov.existing; --"] }
          - privilege: { role: %s, schema: gov, table: "t'; drop table gov.existing; --", has: [SELECT, OWNER], lacks: [TRUNCATE] }
        """.formatted(admin, admin);
    ApplyPackage pkg = Packages.write(dir, db, admin, "select 1;\n", checks);
    List<CheckResult> r = preflight(db, admin, pkg, "select 1;\n");

    assertThat(byId(r, "objects_present#1").status()).isEqualTo(CheckStatus.PASS);
    assertThat(byId(r, "objects_absent#2").status()).isEqualTo(CheckStatus.FAIL);
    assertThat(byId(r, "objects_absent#2").actual()).isEqualTo("present: tables \"t'; drop table gov.existing; --\"");
    CheckResult p = byId(r, "privilege#3");
    assertThat(p.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(p.actual()).as("SELECT granted; owned by the superuser; TRUNCATE not granted").isEqualTo("lacks OWNER");
    assertThat(db.queryValue("select to_regclass('gov.existing') is not null")).isEqualTo("t");
  }
}
