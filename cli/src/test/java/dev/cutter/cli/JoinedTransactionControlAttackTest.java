package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signed artifact ends cutter's transaction from inside one statement: psql's {@code \;} joins
 * {@code … \; commit;} into one Query message, which the server runs whole, COMMIT included. The
 * statement's first word is not transaction control, so only judging every command of the
 * message sees it; run, the rehearsal (or the apply) would commit the first part, release the
 * change key with its transaction and leave no journal row once a later statement fails.
 */
@WithPostgres
class JoinedTransactionControlAttackTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  @Test
  void aCommitJoinedByBackslashSemicolonIsRefusedAtLoadAndNothingCommits(TestDatabase db) {
    Cli apply = refusedByVerifyAndApply(db, "joined-commit",
        "create table joined_first (id int) \\; commit;\nselect 1 / 0;\n", "change.sql:1:1:");
    assertThat(apply.exit()).as(apply.out() + apply.err()).isEqualTo(2);
    assertThat(apply.err()).contains("change.sql:1:1:", "transaction control");
    assertThat(db.queryValue("select count(*) from pg_tables where tablename = 'joined_first'"))
        .as("nothing of the artifact committed").isEqualTo("0");
  }

  @Test
  void aCommitJoinedAfterAStringEndedByABackslashEscapedQuoteIsRefusedAtLoad(TestDatabase db) {
    // with standard_conforming_strings off, '\'' is one string: the server runs the COMMIT after it
    refusedByVerifyAndApply(db, "joined-commit-escaped", "set standard_conforming_strings = off;\n"
        + "create table joined_second (id int);\nselect '\\'' \\; commit; -- '\nselect 1 / 0;\n", "change.sql:3:1:");
    assertThat(db.queryValue("select count(*) from pg_tables where tablename = 'joined_second'"))
        .as("nothing of the artifact committed").isEqualTo("0");
  }

  /** Signs {@code sql}: package verify and apply both refuse it at load (exit 2), naming {@code where}; apply's run. */
  private Cli refusedByVerifyAndApply(TestDatabase db, String id, String sql, String where) {
    String role = db.createRole("joiner");
    db.execute("grant create on schema public to " + role);
    Cli init = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(init.exit()).as(init.err()).isZero();
    Path pkg = approver.write(dir.resolve("pkg"), id, db, role, sql, "[]", "[]", null);

    Cli verify = Cli.run("package", "verify", pkg.toString(), "--trust", approver.trust().toString());
    assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(2);
    assertThat(verify.err()).contains(where, "commit");

    Cli apply = Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
    assertThat(apply.exit()).as(apply.out() + apply.err()).isEqualTo(2);
    return apply;
  }
}
