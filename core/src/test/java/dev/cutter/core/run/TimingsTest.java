package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 12.6: every gate and every statement of a real run carries its duration; the apply, how long it held its locks. */
@WithPostgres
class TimingsTest {

  private static RunReport apply(TestDatabase db, ApplySettings.Mode mode, List<ExecStatement> statements)
      throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ApplyRun run = new ApplyRun(ApplyRunTest.INTEGRITY_OK, ApplyRunTest.checksOn(db), ApplyRunTest.NO_BACKUP,
        Clock.systemUTC());
    ApplyRun.Request req = new ApplyRun.Request(ApplyRunTest.pkg("7".repeat(64), List.of(ApplyRunTest.TABLE_T_EXISTS),
        null, mode), statements, false, List.of(), ApplyRunTest.login(db, "postgres"), (s, r) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return run.execute(req, r -> "f".repeat(64));
  }

  private static GateResult gate(RunReport r, String id) {
    return r.gates().stream().filter(g -> g.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void timesEveryGateThatRanEveryStatementAndTheLocks(TestDatabase db) throws SQLException {
    RunReport r = apply(db, ApplySettings.Mode.TRANSACTION, List.of(
        new ExecStatement(1, 1, "-- the table\ncreate table t(a int)"),
        new ExecStatement(2, 3, "select pg_sleep(0.3)"),
        new ExecStatement(3, 4, "insert into t values (1)")));

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    for (GateResult g : r.gates()) {
      if (g.status() == GateStatus.NOT_RUN) {
        assertThat(g.durationMs()).as("%s did not run: no time", g.id()).isNull();
      } else {
        assertThat(g.durationMs()).as("%s ran: timed", g.id()).isNotNull().isGreaterThanOrEqualTo(0L);
      }
    }
    StatementTimings st = r.statements();
    assertThat(st.ran()).extracting(StatementTiming::index, StatementTiming::line, StatementTiming::text)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 1, "create table t(a int)"),
            org.assertj.core.groups.Tuple.tuple(2, 3, "select pg_sleep(0.3)"),
            org.assertj.core.groups.Tuple.tuple(3, 4, "insert into t values (1)"));
    assertThat(st.ran().get(1).durationMs()).as("the sleep").isBetween(290L, 5_000L);
    assertThat(st.slowest(1)).extracting(StatementTiming::index).containsExactly(2);
    long apply = gate(r, GateIds.APPLY).durationMs();
    assertThat(st.locksHeldMs()).as("held through the sleep, within the apply gate")
        .isBetween(st.ran().stream().mapToLong(StatementTiming::durationMs).sum(), apply);
    assertThat(gate(r, GateIds.VERIFY).durationMs()).isLessThan(apply);
  }

  @Test
  void aFailedStatementIsTimedAndTheLocksEndAtRollback(TestDatabase db) throws SQLException {
    RunReport r = apply(db, ApplySettings.Mode.TRANSACTION, List.of(
        new ExecStatement(1, 1, "select pg_sleep(0.2)"),
        new ExecStatement(2, 2, "select 1/0")));

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.statements().ran()).extracting(StatementTiming::index).containsExactly(1, 2);
    assertThat(r.statements().locksHeldMs()).isGreaterThanOrEqualTo(190L);
    assertThat(gate(r, GateIds.APPLY).durationMs()).isGreaterThanOrEqualTo(r.statements().locksHeldMs());
    assertThat(gate(r, GateIds.VERIFY).durationMs()).as("not run").isNull();
  }

  @Test
  void autocommitHoldsNoTransactionLocks(TestDatabase db) throws SQLException {
    RunReport r = apply(db, ApplySettings.Mode.AUTOCOMMIT, List.of(new ExecStatement(1, 1, "create table t(a int)")));

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.statements().ran()).hasSize(1);
    assertThat(r.statements().locksHeldMs()).isNull();
  }
}
