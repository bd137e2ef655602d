package dev.cutter.core.lock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lock modes under PostgreSQL's names, in strength order, with the documentation's conflict table. */
class LockModeTest {

  @Test
  void namesAndOrderAreThoseOfPostgres() {
    assertThat(LockMode.values()).extracting(LockMode::pgName).containsExactly("AccessShareLock", "RowShareLock",
        "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock",
        "AccessExclusiveLock");
    assertThat(LockMode.ofPgName("ShareRowExclusiveLock")).contains(LockMode.SHARE_ROW_EXCLUSIVE);
    assertThat(LockMode.ofPgName("SIReadLock")).isEmpty();
    assertThat(LockMode.SHARE_ROW_EXCLUSIVE.sqlName()).isEqualTo("SHARE ROW EXCLUSIVE");
    assertThat(LockMode.ACCESS_EXCLUSIVE.isStrongerThan(LockMode.EXCLUSIVE)).isTrue();
    assertThat(LockMode.SHARE.isStrongerThan(LockMode.SHARE_ROW_EXCLUSIVE)).isFalse();
  }

  @Test
  void theConflictTableIsSymmetricAndMatchesTheDocumentation() {
    for (LockMode a : LockMode.values()) {
      for (LockMode b : LockMode.values()) {
        assertThat(a.conflictsWith(b)).as(a + " / " + b).isEqualTo(b.conflictsWith(a));
      }
    }
    assertThat(LockMode.SHARE.conflictsWith(LockMode.SHARE)).isFalse();
    assertThat(LockMode.SHARE.conflictsWith(LockMode.ROW_EXCLUSIVE)).isTrue();
    assertThat(LockMode.SHARE_UPDATE_EXCLUSIVE.conflictsWith(LockMode.SHARE_UPDATE_EXCLUSIVE)).isTrue();
    assertThat(LockMode.SHARE_UPDATE_EXCLUSIVE.conflictsWith(LockMode.ROW_EXCLUSIVE)).isFalse();
    assertThat(LockMode.ROW_SHARE.conflictsWith(LockMode.SHARE)).isFalse();
    assertThat(LockMode.ROW_SHARE.conflictsWith(LockMode.EXCLUSIVE)).isTrue();
    assertThat(LockMode.ACCESS_SHARE.conflictsWith(LockMode.EXCLUSIVE)).isFalse();
    assertThat(LockMode.ACCESS_SHARE.conflictsWith(LockMode.ACCESS_EXCLUSIVE)).isTrue();
  }

  @Test
  void whatEachModeBlocks() {
    assertThat(LockMode.ACCESS_EXCLUSIVE.blocks()).isEqualTo("reads and writes");
    assertThat(LockMode.EXCLUSIVE.blocks()).isEqualTo("writes");
    assertThat(LockMode.SHARE.blocks()).isEqualTo("writes");
    assertThat(LockMode.SHARE_ROW_EXCLUSIVE.blocks()).isEqualTo("writes");
    assertThat(LockMode.SHARE_UPDATE_EXCLUSIVE.blocks()).isEqualTo("DDL and maintenance");
    assertThat(LockMode.ACCESS_SHARE.blocks()).isEqualTo("DDL and maintenance");
  }
}
