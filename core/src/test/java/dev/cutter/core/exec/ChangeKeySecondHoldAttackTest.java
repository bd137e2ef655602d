package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.BeginRecheck;
import dev.cutter.core.check.PackageQueries;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * A check run again at BEGIN on the apply session takes the change key for the session once more
 * ({@code pg_advisory_lock}, EXECUTE to PUBLIC, allowed in a READ ONLY transaction): pg_locks shows
 * one lock however often it is held, so the look after the query sees nothing new, and the
 * savepoint's rollback keeps the hold. Released once, as taken once, the key stayed with the apply
 * session after the change, which stays open through verify: the rollback after a failed verify
 * (or an online step) took it as an earlier run's statement still running, and could not start.
 */
@WithPostgres
class ChangeKeySecondHoldAttackTest {

  @Test
  void aSecondHoldACheckTookAtBeginGoesWithTheChange(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    for (boolean transaction : new boolean[] {false, true}) {
      try (Connection apply = db.connectAs(app); Connection other = db.superuser()) {
        assertThat(AdvisoryLock.holdForChange(apply, transaction)).isTrue();
        apply.setAutoCommit(false);
        String passed = BeginRecheck.readOnly(apply, c -> PackageQueries.onSession(c, app).run(
            "select pg_catalog.pg_advisory_lock(" + AdvisoryLock.CHANGE_KEY + ") is not null", rs -> rs.next() ? rs.getString(1) : null));
        assertThat(passed).as("the look cannot see a second hold of a key the session holds").isEqualTo("t");
        apply.commit(); // the change ends
        AdvisoryLock.releaseChange(apply);

        assertThat(AdvisoryLock.changeKeyFree(other)).as("the change key after the change (transaction mode " + transaction
            + ")").isTrue();
      }
    }
  }
}
