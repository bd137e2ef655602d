package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.RunReport;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.SecretScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutter init --reader ROLE}: what a backup role needs to read the journal (pg_dump of
 * the whole database reads schema cutter too), and nothing more.
 */
@WithPostgres
class InitReaderTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  @Test
  void aReaderPassesTheBackupRolesPreflightCheckWhichFailedWithoutIt(TestDatabase db) {
    String app = db.createRole("app");
    String backup = db.createRole("bk");
    db.execute("grant create on schema public to " + app);
    init(db, "--grant", app);
    Path pkg = approver.write(dir.resolve("pkg"), "reader-backup", db, app, "create table t (a int);\n", "[]", "[]",
        dir.resolve("backups"));
    rewrite(pkg, "  apply_role: " + app + "\n", "  apply_role: " + app + "\n  backup_role: " + backup + "\n");
    rewrite(pkg, "  scope: { schemas: [ public ] }\n", "  scope: database\n");
    try {
      Files.delete(pkg.resolve("package.yaml.asc"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    approver.sign(pkg);

    CheckResult before = backupRoleCheck(db, pkg, "before");

    assertThat(before.status().name()).isEqualTo("FAIL");
    assertThat(before.actual()).isEqualTo("missing: USAGE on schema cutter; SELECT on 1 table and 1 sequence: cutter.journal,"
        + " cutter.journal_id_seq");

    init(db, "--grant", app, "--reader", backup);
    Cli again = Cli.run("init", "--target", db.uri("postgres"), "--reader", backup);
    assertThat(again.exit()).as("idempotent: " + again.err()).isZero();
    assertThat(again.out()).contains("; readable by " + backup);

    CheckResult after = backupRoleCheck(db, pkg, "after");

    assertThat(after.status().name()).as(after.message()).isEqualTo("PASS");
    assertThat(after.actual()).isEqualTo("all held");
  }

  @Test
  void aReaderCanReadTheJournalAndDoNothingElse(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String reader = db.createRole("reader");
    init(db, "--grant", app, "--reader", reader);
    db.execute("set role " + app + "; select cutter.record_commit('p', '" + "a".repeat(64) + "', 'r1', '{}', 'x', 'x',"
        + " now(), null); reset role");

    try (Connection c = db.connectAs(reader); Statement st = c.createStatement()) {
      try (var rs = st.executeQuery("select count(*) from cutter.journal")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      try (var rs = st.executeQuery("select last_value from " + dev.cutter.core.exec.Journal.ID_SEQUENCE)) {
        assertThat(rs.next()).isTrue();
      }
      for (String write : List.of(
          "insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role, apply_role, started)"
              + " values ('p', '" + "b".repeat(64) + "', 'r2', 'PASS', 'x', 'x', now())",
          "update cutter.journal set verdict = 'FAILED'",
          "delete from cutter.journal",
          "truncate cutter.journal",
          "select nextval('" + dev.cutter.core.exec.Journal.ID_SEQUENCE + "')",
          "select setval('" + dev.cutter.core.exec.Journal.ID_SEQUENCE + "', 100)",
          "select cutter.record_commit('q', '" + "c".repeat(64) + "', 'r3', '{}', 'x', 'x', now(), null)",
          "select cutter.finish_run('r1', 'k', 'PASS', now(), null)",
          "create table cutter.extra (a int)")) {
        assertThatThrownBy(() -> st.execute(write)).as(write).isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(write).isEqualTo("42501"));
      }
    }
    assertThat(db.queryValue("select count(*) || ':' || string_agg(verdict, ',') from cutter.journal"))
        .isEqualTo("1:COMMITTED");
    assertThat(db.queryValue("select has_function_privilege('" + reader + "', '" + dev.cutter.core.exec.Journal.FINISH_RUN
        + "', 'EXECUTE')")).isEqualTo("f");
  }

  private static void init(TestDatabase db, String... roles) {
    String[] args = Stream.concat(Stream.of("init", "--target", db.uri("postgres")), Stream.of(roles))
        .toArray(String[]::new);
    Cli r = Cli.run(args);
    assertThat(r.exit()).as(r.err()).isZero();
  }

  /** Runs {@code cutter preflight} and returns its backup_role_privileges check. */
  private CheckResult backupRoleCheck(TestDatabase db, Path pkg, String name) {
    Path reports = dir.resolve("reports-" + name);
    Cli r = Cli.run("preflight", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", reports.toString());
    Path yaml;
    try (Stream<Path> s = Files.walk(reports)) {
      yaml = s.filter(p -> p.toString().endsWith(".yaml")).findFirst().orElseThrow(() -> new AssertionError(r.out() + r.err()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RunReport report = ReportCodec.read(yaml, SecretScanner.patternsOnly()).report();
    return report.gates().stream().filter(g -> g.id().equals(GateIds.PREFLIGHT)).flatMap(g -> g.checks().stream())
        .filter(c -> c.id().equals("backup_role_privileges")).findFirst()
        .orElseThrow(() -> new AssertionError("no backup_role_privileges check: " + r.out()));
  }

  private static void rewrite(Path pkg, String from, String to) {
    try {
      Path yaml = pkg.resolve("package.yaml");
      String text = Files.readString(yaml);
      assertThat(text).contains(from);
      Files.writeString(yaml, text.replace(from, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
