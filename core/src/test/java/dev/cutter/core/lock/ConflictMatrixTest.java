package dev.cutter.core.lock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConflictMatrixTest {

  /**
   * The PostgreSQL documentation's table "Conflicting Lock Modes", row by row in its order
   * (ACCESS SHARE … ACCESS EXCLUSIVE); X marks a conflict.
   */
  private static final String[] DOCS = {
      ".......X", // ACCESS SHARE
      "......XX", // ROW SHARE
      "....XXXX", // ROW EXCLUSIVE
      "...XXXXX", // SHARE UPDATE EXCLUSIVE
      "..XX.XXX", // SHARE
      "..XXXXXX", // SHARE ROW EXCLUSIVE
      ".XXXXXXX", // EXCLUSIVE
      "XXXXXXXX", // ACCESS EXCLUSIVE
  };

  @Test
  void everyPairConflictsExactlyAsTheDocumentationTableSays() {
    LockMode[] modes = LockMode.values();
    assertThat(modes).hasSize(8);
    for (int i = 0; i < 8; i++) {
      for (int j = 0; j < 8; j++) {
        assertThat(modes[i].conflictsWith(modes[j])).as(modes[i] + " vs " + modes[j]).isEqualTo(DOCS[i].charAt(j) == 'X');
      }
    }
  }

  @Test
  void namesAreThoseOfPgLocksAndLockTable() {
    assertThat(LockMode.fromPgName("ShareUpdateExclusiveLock")).contains(LockMode.SHARE_UPDATE_EXCLUSIVE);
    assertThat(LockMode.fromPgName("SIReadLock")).isEmpty();
    assertThat(LockMode.ACCESS_EXCLUSIVE.sql()).isEqualTo("ACCESS EXCLUSIVE");
    assertThat(LockMode.fromSql("share row exclusive")).isEqualTo(LockMode.SHARE_ROW_EXCLUSIVE);
    assertThat(LockMode.stronger(LockMode.SHARE, LockMode.ROW_EXCLUSIVE)).isEqualTo(LockMode.SHARE);
  }
}
