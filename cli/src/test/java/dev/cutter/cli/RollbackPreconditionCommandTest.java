package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollback's precondition decided by the database through the real check runner (no stand-in):
 * the same package, whose verification fails, ends ROLLED_BACK when the server says the
 * precondition holds and ESCALATE (the rollback not run) when it says it does not; either journal
 * row keeps a replay out.
 */
@WithPostgres
class RollbackPreconditionCommandTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private String role(TestDatabase db) {
    String role = db.createRole("rbp");
    db.execute("grant create on schema public to " + role);
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(r.exit()).as(r.err()).isZero();
    return role;
  }

  /** A package creating rb_t with {@code rows} rows, verified by a check that never holds, rolled back while rb_t is empty. */
  private Path pkg(TestDatabase db, String role, String id, int rows) throws IOException {
    String artifact = "create table rb_t (id int);\n" + "insert into rb_t values (1);\n".repeat(rows);
    Path pkg = approver.write(dir.resolve(id), id, db, role, artifact, "[]",
        "[ { sql: { name: never holds, query: \"select 1\", expect: 2 } } ]", null);
    String rollback = "drop table rb_t;\n";
    Files.writeString(pkg.resolve("rollback.sql"), rollback);
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml) + "rollback:\n  artifact: { path: rollback.sql, sha256: \""
        + Approver.sha256(rollback) + "\" }\n  precondition:\n"
        + "    - sql: { name: rb_t still empty, query: \"select count(*) from public.rb_t\", expect: 0 }\n");
    Files.delete(pkg.resolve("package.yaml.asc"));
    approver.sign(pkg);
    return pkg;
  }

  private Cli apply(Path pkg, TestDatabase db) {
    return Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
  }

  private static String journal(TestDatabase db) {
    return db.queryValue("select coalesce(string_agg(verdict, ',' order by id), '') from cutter.journal");
  }

  @Test
  void aPreconditionTheServerSaysHoldsLetsTheRollbackRun(TestDatabase db) throws Exception {
    String role = role(db);
    Path pkg = pkg(db, role, "rbp-holds", 0);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(5);
    assertThat(r.out()).contains("verdict: ROLLED_BACK");
    String report = FaultInjectionIT.reportOf(r);
    assertThat(report).contains("rollback:\n  status: EXECUTED\n");
    assertThat(db.queryValue("select to_regclass('public.rb_t') is null")).isEqualTo("t");
    assertThat(journal(db)).isEqualTo("ROLLED_BACK");
    Cli replay = apply(pkg, db);
    assertThat(replay.exit()).as(replay.out() + replay.err()).isEqualTo(3);
    assertThat(replay.out()).contains("verdict: BLOCKED");
    assertThat(journal(db)).isEqualTo("ROLLED_BACK");
  }

  @Test
  void aPreconditionTheServerSaysFailsLeavesTheChangeAndEscalates(TestDatabase db) throws Exception {
    String role = role(db);
    Path pkg = pkg(db, role, "rbp-fails", 1);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(6);
    assertThat(r.out()).contains("verdict: ESCALATE");
    String report = FaultInjectionIT.reportOf(r);
    assertThat(report).contains("rollback:\n  status: NOT_APPLICABLE\n");
    assertThat(db.queryValue("select count(*) from public.rb_t")).as("the rollback did not run").isEqualTo("1");
    assertThat(journal(db)).isEqualTo("ESCALATE");
    Cli replay = apply(pkg, db);
    assertThat(replay.exit()).as(replay.out() + replay.err()).isEqualTo(3);
    assertThat(journal(db)).isEqualTo("ESCALATE");
  }
}
