package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cutter target} and {@code cutter history} against the real server. */
@WithPostgres
class TargetAndHistoryCommandTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Cli verb(String verb, Path pkg, TestDatabase db) {
    return Cli.run(verb, pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
  }

  private static String init(TestDatabase db) {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", role).exit()).isZero();
    return role;
  }

  @Test
  void targetPrintsATargetSectionThatPastedIntoAPackagePassesTheIdentityGate(TestDatabase db) throws IOException {
    String role = init(db);
    Cli t = Cli.run("target", "--target", db.uri(role));

    assertThat(t.exit()).as(t.err()).isZero();
    String sysid = Approver.systemIdentifier(db);
    String major = db.queryValue("select current_setting('server_version_num')::int / 10000");
    List<String> lines = t.out().lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.subList(0, 4)).containsExactly(
        "target:                                 # the server this package may change, read from it",
        "  database: " + db.name() + " ".repeat(28 - db.name().length()) + "# current_database() of the target",
        "  system_identifier: \"" + sysid + "\"" + " ".repeat(Math.max(2, 19 - sysid.length()))
            + "# pg_control_system(): this cluster only (a dry-run's sandbox is another and is not compared)",
        "  server_version: " + major + " ".repeat(22 - major.length()) + "# the target runs "
            + db.queryValue("select current_setting('server_version')") + ": another major version is BLOCKED");
    assertThat(lines.get(4)).isEqualTo("  apply_role: " + role + " ".repeat(Math.max(2, 26 - role.length()))
        + "# the role the change runs as: name the one it must run as");
    assertThat(lines.get(5)).isEqualTo("# connected as session_user " + role + ", current_user " + role
        + "; TLS: not encrypted (sslmode prefer)");

    // package new writes the same block for the same server: one writer
    Path sql = Files.writeString(dir.resolve("c.sql"), "create table t_one (id int);\n");
    Cli made = Cli.run("package", "new", dir.resolve("made").toString(), "--sql", sql.toString(), "--id", "made-one",
        "--apply-role", role, "--target", db.uri(role));
    assertThat(made.exit()).as(made.err()).isZero();
    List<String> written = Files.readAllLines(dir.resolve("made/package.yaml"));
    int at = written.indexOf(lines.get(0));
    assertThat(written.subList(at, at + 4)).isEqualTo(lines.subList(0, 4));
    assertThat(written.get(at + 4)).startsWith("  apply_role: " + role + " ");

    // a package written for another server, its target section replaced by what cutter target printed
    Path pkg = approver.write(dir.resolve("p"), "pasted-target", "elsewhere", "1", role, "select 1;\n", "[]", "[]",
        null);
    String yaml = Files.readString(pkg.resolve("package.yaml"));
    int from = yaml.indexOf("target:\n");
    int to = yaml.indexOf("artifact:\n");
    Files.writeString(pkg.resolve("package.yaml"), yaml.substring(0, from) + t.out() + yaml.substring(to));
    Files.delete(pkg.resolve("package.yaml.asc")); // signed over the bytes before the edit
    approver.sign(pkg);

    Cli preflight = verb("preflight", pkg, db);
    assertThat(preflight.exit()).as(preflight.out() + preflight.err()).isZero();
    assertThat(preflight.out()).containsPattern("(?m)^PASS    identity  expected system_identifier " + sysid
        + ", database " + db.name() + ", server major " + major + "  actual ");
  }

  @Test
  void historyListsTheApplyAndTheRollbackThatUndidItButNotARefusedReplay(TestDatabase db) throws IOException {
    String role = init(db);
    Path pkg = approver.write(dir.resolve("p"), "history-one", db, role, "create table hist_t (id int);\n", "[]", "[]",
        null);
    Files.writeString(pkg.resolve("package.yaml"), Files.readString(pkg.resolve("package.yaml"))
        .replace("verify: []", "verify:\n  - objects_present: { schema: public, tables: [hist_t] }"));
    Files.writeString(pkg.resolve("rollback.sql"), "drop table hist_t;\n");
    Files.writeString(pkg.resolve("package.yaml"), Files.readString(pkg.resolve("package.yaml"))
        + "rollback:\n  artifact: { path: rollback.sql, sha256: \"" + Approver.sha256("drop table hist_t;\n") + "\" }\n"
        + "  precondition:\n    - sql: { name: empty, query: \"select count(*) from public.hist_t\", expect: 0 }\n");
    Files.delete(pkg.resolve("package.yaml.asc")); // signed over the bytes before the edit
    approver.sign(pkg);

    Cli empty = Cli.run("history", "--target", db.uri("postgres"));
    assertThat(empty.exit()).as(empty.err()).isZero();
    assertThat(empty.out()).isEqualTo("the journal is empty\n");

    assertThat(verb("apply", pkg, db).exit()).isZero();
    assertThat(verb("apply", pkg, db).exit()).as("the replay is refused").isEqualTo(3);
    Cli rollback = verb("rollback", pkg, db);
    assertThat(rollback.exit()).as(rollback.out() + rollback.err()).isZero();

    Cli h = Cli.run("history", "--target", db.uri("postgres"), "--package", "history-one");
    assertThat(h.exit()).as(h.err()).isZero();
    List<String> rows = h.out().lines().toList();
    assertThat(rows).hasSize(2);
    String applyRun = db.queryValue("select run_id from cutter.journal where verdict = 'PASS'");
    String rollbackRun = db.queryValue("select run_id from cutter.journal where verdict like 'ROLLBACK%'");
    String sha = db.queryValue("select left(package_sha256, 12) from cutter.journal where verdict = 'PASS'");
    assertThat(rows.get(0)).matches("\\S+Z  PASS {15}run " + applyRun + "  package history-one \\(sha256 " + sha
        + "\\)  as " + role + " \\(login postgres\\)  signers 1  finished \\S+Z  report [0-9a-f]{12}  rolled back by run "
        + rollbackRun + " \\(ROLLBACK_PASS\\)");
    assertThat(rows.get(1)).matches("\\S+Z  ROLLBACK_PASS {6}run " + rollbackRun + "  package history-one \\(sha256 "
        + sha + "\\)  as " + role + " \\(login postgres\\)  signers 1  finished \\S+Z  report [0-9a-f]{12}  undoes run "
        + applyRun);

    Cli json = Cli.run("--output", "json", "history", "--target", db.uri("postgres"));
    assertThat(json.exit()).isZero();
    assertThat(json.out()).contains("\"run_id\":\"" + applyRun + "\"", "\"rolled_back_by\":\"" + rollbackRun + "\"",
        "\"undoes\":\"" + applyRun + "\"");

    // verify now knows why its checks fail: the journal says the change was rolled back
    db.execute("grant select on cutter.journal to " + role);
    Cli verify = verb("verify", pkg, db);
    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.out()).contains("next action: Nothing to do if the rollback was meant; cutter history lists both runs.");

    Cli other = Cli.run("history", "--target", db.uri("postgres"), "--package", "no-such-package");
    assertThat(other.exit()).isZero();
    assertThat(other.out()).isEqualTo("no journal row for package no-such-package\n");
  }

  @Test
  void historyWithoutAJournalOrWithoutTheGrantSaysWhatToRun(TestDatabase db) {
    Cli none = Cli.run("history", "--target", db.uri("postgres"));
    assertThat(none.exit()).isEqualTo(3);
    assertThat(none.err()).isEqualTo("cutter: no journal cutter.journal in database " + db.name() + " on "
        + "postgresql://postgres@" + db.server().host() + ":" + db.server().port() + "/" + db.name()
        + ": cutter init creates it\n");

    String stranger = db.createRole("stranger");
    assertThat(Cli.run("init", "--target", db.uri("postgres")).exit()).isZero();
    Cli denied = Cli.run("history", "--target", db.uri(stranger));
    assertThat(denied.exit()).isEqualTo(3);
    assertThat(denied.err()).endsWith(": cutter init --reader " + stranger + " grants it\n");
  }
}
