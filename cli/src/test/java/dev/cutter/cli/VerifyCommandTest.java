package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cutter verify} prints a line per gate and check, as preflight does, before its verdict. */
@WithPostgres
class VerifyCommandTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Cli verb(String verb, Path pkg, TestDatabase db) {
    return Cli.run(verb, pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
  }

  /** The lines of stdout that start with a check's status. */
  private static List<String> checkLines(Cli r) {
    return r.out().lines().filter(l -> l.matches("^(PASS|FAIL|ERROR|SKIPPED|NOT_RUN) +\\S.*")).toList();
  }

  @Test
  void verifyPrintsEveryCheckBeforeAndAfterTheChange(TestDatabase db) {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", role).exit()).isZero();
    Path pkg = approver.write(dir.resolve("p"), "verify-lines", db, role, "create table vt (id int);\n", "[]",
        "\n  - objects_present: { schema: public, tables: [vt] }\n  - objects_absent: { schema: public, tables: [gone] }",
        null);

    Cli before = verb("verify", pkg, db);

    assertThat(before.exit()).as(before.out() + before.err()).isEqualTo(3);
    String identity = "PASS    identity  expected system_identifier " + Approver.systemIdentifier(db) + ", database "
        + db.name() + "  actual system_identifier " + Approver.systemIdentifier(db) + ", database " + db.name();
    List<String> gates = List.of("PASS    signature#1", "PASS    package.yaml", "PASS    change.sql",
        "PASS    authorization", "SKIPPED tls  the trust policy sets no TLS requirement", identity);
    List<String> lines = checkLines(before);
    assertThat(lines).hasSize(8);
    for (int i = 0; i < gates.size(); i++) {
      assertThat(lines.get(i)).startsWith(gates.get(i));
    }
    assertThat(lines.subList(6, 8)).containsExactly(
        "FAIL    objects_present#1  expected present in schema public: tables vt  actual missing: tables vt  — expected"
            + " objects are missing in schema public: tables vt",
        "PASS    objects_absent#2  expected absent in schema public: tables gone  actual none present");
    assertThat(before.out()).contains("verdict: BLOCKED (exit 3)");

    assertThat(verb("apply", pkg, db).exit()).isZero();
    Cli after = verb("verify", pkg, db);

    assertThat(after.exit()).as(after.out() + after.err()).isZero();
    assertThat(checkLines(after).subList(6, 8)).containsExactly(
        "PASS    objects_present#1  expected present in schema public: tables vt  actual all present",
        "PASS    objects_absent#2  expected absent in schema public: tables gone  actual none present");
    assertThat(after.out()).contains("verdict: PASS (exit 0)");
  }
}
