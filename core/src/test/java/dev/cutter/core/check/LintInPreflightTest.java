package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.lint.LintCheck;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintPolicy;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.PreflightRun;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.Steps;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lock-hazard findings in P1: a denied finding is BLOCKED (exit 3), an allowed one is reported, the floor wins. */
@WithPostgres
class LintInPreflightTest {

  private static final Steps.Integrity INTEGRITY_OK = (p, required) -> new Steps.IntegrityOutcome(
      List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of());

  /** An index on an existing table (denied by default) and a rename (a warning, reported). */
  private static final List<ExecStatement> CHANGE = List.of(
      new ExecStatement(1, 2, "create index t_note on gov.t (note)"),
      new ExecStatement(2, 4, "alter table gov.t rename column note to remark"));

  private static String seed(TestDatabase db) throws SQLException {
    String admin = db.createRole("wf_admin");
    db.createSchema("gov", admin);
    db.execute("create table gov.t (id int primary key, note text); alter table gov.t owner to " + admin);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(admin));
    }
    return admin;
  }

  private static ApplyPackage withLint(ApplyPackage p, LintPolicy lint) {
    return new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(), p.target(),
        p.artifact(), p.preflight(), p.backup(), p.apply(), p.verify(), p.rollback(), p.sandbox(), p.source(), p.online(), lint);
  }

  private static RunReport preflight(TestDatabase db, String admin, LintPolicy lint, Set<LintRule> floor) {
    Preflight checks = new Preflight(Map.of(), p -> CHANGE, (spec, role) -> Optional.empty(), 2).withLintFloor(floor);
    return new PreflightRun(INTEGRITY_OK, checks, Clock.systemUTC())
        .run(withLint(pkg(target(db, admin)), lint), login(db, admin), "run-1");
  }

  private static CheckResult lintCheck(RunReport r) {
    return r.gates().stream().filter(g -> g.id().equals(GateIds.PREFLIGHT)).findFirst().orElseThrow()
        .checks().stream().filter(c -> c.id().equals(LintCheck.ID)).findFirst().orElseThrow();
  }

  @Test
  void aDeniedFindingBlocksP1WithExitThreeAndEveryFindingIsReportedWithItsLine(TestDatabase db) throws SQLException {
    String admin = seed(db);
    RunReport r = preflight(db, admin, LintPolicy.DEFAULT, Set.of());

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(lintCheck(r).status()).isEqualTo(CheckStatus.FAIL);
    assertThat(lintCheck(r).message()).startsWith("denied: change.sql:2 index-not-concurrent (error) on gov.t");
    assertThat(r.rootCause()).startsWith("preflight check failed: lock_hazards: denied: change.sql:2");
    assertThat(r.lint()).extracting(LintFinding::where, f -> f.rule().id(), LintFinding::denied, LintFinding::predictedLock)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("change.sql:2", "index-not-concurrent", true, "ShareLock"),
            org.assertj.core.groups.Tuple.tuple("change.sql:4", "rename-column", false, "AccessExclusiveLock"));
  }

  @Test
  void aPackageThatAllowsTheRulePassesAndTheFindingStaysInTheReport(TestDatabase db) throws SQLException {
    String admin = seed(db);
    RunReport r = preflight(db, admin, new LintPolicy(Set.of(), Set.of(LintRule.INDEX_NOT_CONCURRENT)), Set.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.PASS);
    assertThat(lintCheck(r).status()).isEqualTo(CheckStatus.PASS);
    assertThat(lintCheck(r).actual()).isEqualTo("2 finding(s), 0 denied");
    assertThat(r.lint()).extracting(LintFinding::denied).containsExactly(false, false);
  }

  @Test
  void aPackageMayDenyAWarning(TestDatabase db) throws SQLException {
    String admin = seed(db);
    RunReport r = preflight(db, admin,
        new LintPolicy(Set.of(LintRule.RENAME_COLUMN), Set.of(LintRule.INDEX_NOT_CONCURRENT)), Set.of());

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.lint()).extracting(LintFinding::denied).containsExactly(false, true);
  }

  @Test
  void theFloorDeniesWhatThePackageAllows(TestDatabase db) throws SQLException {
    String admin = seed(db);
    RunReport r = preflight(db, admin, new LintPolicy(Set.of(), Set.of(LintRule.INDEX_NOT_CONCURRENT)),
        Set.of(LintRule.INDEX_NOT_CONCURRENT, LintRule.RENAME_COLUMN));

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.lint()).extracting(LintFinding::denied).containsExactly(true, true);
  }
}
