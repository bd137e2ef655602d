package dev.cutter.core.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.blockers.PlannedLocks;
import dev.cutter.core.blockers.PlannedLocks.PlannedLock;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a measured lock plan meets the rest: the blockers gate watches what the rehearsal measured
 * as well as what the DDL analysis expects, a lock-hazard finding is shown next to the lock its
 * statement really took, and a change too long to measure says so instead of slowing the rehearsal.
 */
class LockPlanJoinsTest {

  /** Statement 3 (line 7) took ShareLock on a table that existed, and AccessExclusiveLock on one it created. */
  static final LockPlan PLAN = new LockPlan(LockPlan.Source.REHEARSE, "change.sql", 4, 4, true, null,
      List.of(new LockPlan.StatementLocks(3, 7, 120, List.of(
          new MeasuredLock("public.orders", "table", LockMode.SHARE, true, 8192L, 10.0, false),
          new MeasuredLock("public.fresh", "table", LockMode.ACCESS_EXCLUSIVE, false, 0L, 0.0, false)))),
      List.of(new LockPlan.RelationHold("public.orders", "table", LockMode.SHARE, 3, 7, 2, 300, 8192L, 10.0, false),
          new LockPlan.RelationHold("public.audit", "table", LockMode.ACCESS_EXCLUSIVE, 4, 9, 1, 50, 0L, 0.0, false)));

  @Test
  void theBlockersGateWatchesTheMeasuredLocksTooTheStrongerModeWinning() {
    PlannedLocks analysed = PlannedLocks.of(List.of(new PlannedLock("public.orders", LockMode.ACCESS_EXCLUSIVE)));

    List<PlannedLock> joined = PlannedLocks.withMeasured(analysed, PLAN).locks();

    assertThat(joined).containsExactly(new PlannedLock("public.orders", LockMode.ACCESS_EXCLUSIVE),
        new PlannedLock("public.audit", LockMode.ACCESS_EXCLUSIVE));
    assertThat(PlannedLocks.withMeasured(analysed, null).locks()).isEqualTo(analysed.locks());
  }

  @Test
  void aFindingIsShownNextToTheLockItsStatementTookOnARelationThatExisted() {
    LintFinding onThree = LintFinding.of(LintRule.INDEX_NOT_CONCURRENT, "change.sql", 7, 3, "public.orders",
        "CREATE INDEX without CONCURRENTLY", "ShareLock");
    LintFinding onTwo = LintFinding.of(LintRule.INDEX_NOT_CONCURRENT, "change.sql", 5, 2, "public.orders",
        "CREATE INDEX without CONCURRENTLY", "ShareLock");

    List<LintFinding> judged = LintFinding.withMeasured(List.of(onThree, onTwo), LockPlan.measuredBy(PLAN));

    // the lock on the table the change created is not what the rule is about: only the existing one counts
    assertThat(judged).extracting(LintFinding::measuredLock).containsExactly("ShareLock", null);
    LockPlan spanned = new LockPlan(LockPlan.Source.REHEARSE, "change.sql", 4, 4, true, null,
        List.of(new LockPlan.StatementLocks(3, 7, 120, PLAN.perStatement().get(0).locks(), 4)), List.of());
    assertThat(LintFinding.withMeasured(List.of(onThree), LockPlan.measuredBy(spanned)))
        .as("statements 3 and 4 were measured together: which took the lock is not known")
        .extracting(LintFinding::measuredLock).containsOnlyNulls();
    assertThat(LintFinding.withMeasured(List.of(onThree), LockPlan.measuredBy(null)))
        .extracting(LintFinding::measuredLock).containsOnlyNulls();
  }
}
