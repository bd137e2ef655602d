package dev.cutter.core.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LintPolicyTest {

  @Test
  void byDefaultErrorsAreDeniedAndWarningsReported() {
    assertThat(LintPolicy.DEFAULT.denies(LintRule.INDEX_NOT_CONCURRENT, Set.of())).isTrue();
    assertThat(LintPolicy.DEFAULT.denies(LintRule.DROP_TABLE, Set.of())).isFalse();
  }

  @Test
  void aPackageMayAllowAnErrorAndDenyAWarning() {
    LintPolicy p = new LintPolicy(Set.of(LintRule.DROP_TABLE), Set.of(LintRule.INDEX_NOT_CONCURRENT));
    assertThat(p.denies(LintRule.INDEX_NOT_CONCURRENT, Set.of())).isFalse();
    assertThat(p.denies(LintRule.DROP_TABLE, Set.of())).isTrue();
    assertThat(p.denies(LintRule.CHECK_NOT_VALID, Set.of())).as("still the default").isTrue();
  }

  @Test
  void theFloorBeatsThePackagesAllow() {
    LintPolicy p = new LintPolicy(Set.of(), Set.of(LintRule.INDEX_NOT_CONCURRENT, LintRule.CLUSTER));
    Set<LintRule> floor = Set.of(LintRule.CLUSTER, LintRule.TRUNCATE);
    assertThat(p.denies(LintRule.CLUSTER, floor)).isTrue();
    assertThat(p.denies(LintRule.TRUNCATE, floor)).as("a warning the floor denies").isTrue();
    assertThat(p.denies(LintRule.INDEX_NOT_CONCURRENT, floor)).isFalse();
    assertThat(p.allowedAgainst(floor)).containsExactly(LintRule.CLUSTER);
  }

  @Test
  void judgeMarksEachFinding() {
    LintFinding a = LintFinding.of(LintRule.INDEX_NOT_CONCURRENT, "c.sql", 1, 1, "app.t", "x", "ShareLock");
    LintFinding b = LintFinding.of(LintRule.RENAME_TABLE, "c.sql", 2, 2, "app.t", "y", "AccessExclusiveLock");
    assertThat(LintPolicy.DEFAULT.judge(List.of(a, b), Set.of())).extracting(LintFinding::denied).containsExactly(true, false);
  }

  @Test
  void aMeasuredLockIsSetOnTheFindingsOfTheSameStatementOnly() {
    LintFinding index = LintFinding.of(LintRule.INDEX_NOT_CONCURRENT, "c.sql", 3, 2, "app.t", "x", "ShareLock");
    LintFinding setting = LintFinding.of(LintRule.LOCK_TIMEOUT_OFF, "package.yaml", 9, 0, null, "y", null);
    List<LintFinding> out = LintFinding.withMeasured(List.of(index, setting), i -> i == 2 ? "ShareLock" : "RowExclusiveLock");

    assertThat(out).extracting(LintFinding::measuredLock).containsExactly("ShareLock", null);
    assertThat(LintFinding.withMeasured(null, i -> "x")).isNull();
  }
}
