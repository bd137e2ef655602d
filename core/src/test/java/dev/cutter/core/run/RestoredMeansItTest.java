package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.ALWAYS_FAILS;
import static dev.cutter.core.run.ApplyRunTest.pkg;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.Rollback;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 19.9: "restored" compares a fingerprint of what the schemas hold, not counts, and a
 * change that dropped data is never "restored" by a rollback that rebuilds the structure.
 */
@WithPostgres
class RestoredMeansItTest {

  private static final Rollback ROLLBACK = new Rollback(
      new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN,
          dev.cutter.core.model.FileContent.of(new byte[0])), List.of());

  private static void seed(TestDatabase db) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    db.execute("create table t (a int, c int default 7)");
    db.execute("insert into t values (1, 41), (2, 42)");
  }

  private static RunReport run(TestDatabase db, String sha, List<ExecStatement> change, List<ExecStatement> rollback) {
    ApplyPackage p = pkg(sha, List.of(ALWAYS_FAILS), ROLLBACK, ApplySettings.Mode.TRANSACTION);
    ConnectionSpec login = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    ApplyRun run = new ApplyRun(ok, ApplyRunTest.checksOn(db), (t, pk, id) -> null, Clock.systemUTC());
    return run.execute(new ApplyRun.Request(p, change, false, rollback, login, (s, r) -> Optional.empty(), Duration.ZERO,
        RunMode.APPLY, RunIds.next(Clock.systemUTC())), r -> "f".repeat(64));
  }

  @Test
  void dropColumnThenRollbackAddColumnIsNotRestored(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = run(db, "a".repeat(64), stmts("alter table t drop column c"), stmts("alter table t add column c int default 7"));

    assertThat(r.verdict()).as("the column is back, its values are not").isEqualTo(Verdict.ESCALATE);
    assertThat(r.rootCause()).contains("only in the backup").contains("DROP COLUMN");
    assertThat(r.verification().note()).doesNotContain("restored the pre-apply baseline");
    assertThat(db.queryValue("select string_agg(coalesce(c::text, 'null'), ',') from t"))
        .as("the data really is gone").isEqualTo("7,7");
  }

  @Test
  void aChangedDefaultIsADifference(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = run(db, "b".repeat(64), stmts("alter table t alter column c set default 9"),
        stmts("alter table t alter column c set default 8"));

    assertThat(r.verdict()).as("same counts, another default").isEqualTo(Verdict.ESCALATE);
    assertThat(r.verification().note()).contains("changed: public.t column c").contains("default 7").contains("default 8");
  }

  @Test
  void aChangedColumnTypeIsADifference(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = run(db, "c".repeat(64), stmts("alter table t alter column c type bigint"),
        stmts("alter table t alter column c type numeric"));

    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.verification().note()).contains("changed: public.t column c (integer null default 7 → numeric null default 7)");
  }

  @Test
  void aRollbackThatRebuildsExactlyIsRolledBack(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = run(db, "d".repeat(64), stmts("alter table t alter column c set default 9"),
        stmts("alter table t alter column c set default 7"));

    assertThat(r.verdict()).isEqualTo(Verdict.ROLLED_BACK);
    assertThat(r.verification().note()).isEqualTo("rollback restored the pre-apply baseline");
  }
}
