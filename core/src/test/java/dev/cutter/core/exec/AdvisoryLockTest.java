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

  @Test
  void aViewPlantedBeforeTheCatalogCannotNameAnotherHolderOfTheChangeKey(TestDatabase db) throws SQLException {
    // the online step's and the rollback's sessions keep apply_role's search_path (A4): who holds
    // the change key, named in their refusal, must be read from the catalog, not from look-alikes
    String holderRole = db.createRole("holder");
    db.execute("create schema plant; grant usage on schema plant to public;"
        + " create view plant.pg_stat_activity as select a.pid, 'someone_else'::name as usename,"
        + " 'forged'::text as application_name, a.backend_start from pg_catalog.pg_stat_activity a;"
        + " grant select on plant.pg_stat_activity to public");
    try (Connection holder = db.connectAs(holderRole); Connection reader = db.superuser()) {
      assertThat(AdvisoryLock.holdForChange(holder, false)).isTrue();
      try (Statement st = reader.createStatement()) {
        st.execute("set search_path = plant, pg_catalog");
      }
      assertThat(AdvisoryLock.holder(reader)).contains("role " + holderRole).doesNotContain("forged");
      assertThat(AdvisoryLock.changeHolderPid(reader)).isEqualTo(
          holder.unwrap(org.postgresql.PGConnection.class).getBackendPID());
    }
  }
}
