package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An apply and a dry-run whose artifact builds an index on an existing table: BLOCKED in P1, nothing ran. */
@WithPostgres
class LintApplyRunTest {

  private static final List<ExecStatement> CHANGE = List.of(
      new ExecStatement(1, 1, "alter table public.big add column c int"),
      new ExecStatement(2, 3, "create index big_c on public.big (c)"));

  private static RunReport run(TestDatabase db, RunMode mode) throws SQLException {
    db.execute("drop table if exists public.big; create table public.big (id int primary key)");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ApplyPackage p = ApplyRunTest.pkg("e".repeat(64), ApplyRunTest.targetOf(db, "postgres"),
        java.time.Instant.parse("2099-01-01T00:00:00Z"), List.of(), null, ApplySettings.Mode.TRANSACTION);
    Preflight checks = new Preflight(Map.of(), pk -> CHANGE, (s, r) -> Optional.empty(), 2);
    ApplyRun.Request req = new ApplyRun.Request(p, CHANGE, false, List.of(), ApplyRunTest.login(db, "postgres"),
        (s, r) -> Optional.empty(), Duration.ZERO, mode, RunIds.next(Clock.systemUTC()));
    return new ApplyRun(ApplyRunTest.INTEGRITY_OK, checks, ApplyRunTest.NO_BACKUP, Clock.systemUTC())
        .execute(req, r -> "f".repeat(64));
  }

  @Test
  void aDeniedFindingBlocksTheApplyInP1AndNothingRuns(TestDatabase db) throws SQLException {
    RunReport r = run(db, RunMode.APPLY);

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.PREFLIGHT)).extracting(GateResult::status)
        .containsExactly(GateStatus.FAIL);
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.APPLY)).extracting(GateResult::status)
        .containsExactly(GateStatus.NOT_RUN);
    assertThat(r.lint()).extracting(LintFinding::where, LintFinding::denied).containsExactly(
        org.assertj.core.groups.Tuple.tuple("ddl.sql:3", true));
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'public.big'::regclass and attname = 'c'"))
        .as("the change never started").isEqualTo("0");
  }

  @Test
  void aDryRunReportsTheSameFinding(TestDatabase db) throws SQLException {
    RunReport r = run(db, RunMode.DRY_RUN);

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.lint()).extracting(f -> f.rule().id()).containsExactly("index-not-concurrent");
  }
}
