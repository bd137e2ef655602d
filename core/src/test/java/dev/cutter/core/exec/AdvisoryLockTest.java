package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The run lock is had only while no session that changes the target is left. */
@WithPostgres
class AdvisoryLockTest {

  @Test
  void aSessionStillHoldingTheChangeKeyKeepsTheRunLockAwayUntilItEnds(TestDatabase db) throws Exception {
    try (Connection orphan = db.superuser(); Connection next = db.superuser()) {
      assertThat(AdvisoryLock.holdForChange(orphan, false)).isTrue();

      assertThat(AdvisoryLock.acquire(next, Duration.ZERO)).as("refused while the change session lives").isNull();
      assertThat(AdvisoryLock.whoBlocks(next).changeRunning()).isTrue();
      assertThat(db.queryValue("select count(*) from pg_locks where locktype = 'advisory' and objid = "
          + (int) AdvisoryLock.RUN_KEY)).as("a refused run keeps no run lock").isEqualTo("0");

      CompletableFuture<Void> ends = CompletableFuture.runAsync(() -> {
        try {
          Thread.sleep(500);
          orphan.close();
        } catch (InterruptedException | SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      try (AdvisoryLock lock = AdvisoryLock.acquire(next, Duration.ofSeconds(20))) {
        assertThat(lock).as("--lock-wait waits for the change session to end").isNotNull();
      }
      ends.get();
    }
  }

  @Test
  void inATransactionTheChangeKeyGoesExactlyWithTheCommit(TestDatabase db) throws SQLException {
    try (Connection apply = db.superuser(); Connection other = db.superuser()) {
      assertThat(AdvisoryLock.holdForChange(apply, true)).isTrue();
      assertThat(apply.getAutoCommit()).as("left in the open transaction").isFalse();
      try (Statement st = apply.createStatement()) {
        st.execute("create table t (a int)");
      }
      assertThat(AdvisoryLock.changeKeyFree(other)).isFalse();
      assertThat(AdvisoryLock.holdForChange(other, true)).as("a second change session is refused").isFalse();
      assertThat(other.getAutoCommit()).isTrue();

      apply.commit();

      assertThat(AdvisoryLock.changeKeyFree(other)).isTrue();
    }
  }
}
