package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.login;
import static dev.cutter.core.run.ApplyRunTest.pkg;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The run's two uses of P1's signals: the lock session's readings for BEGIN are taken when the
 * identity held, at once; the apply's and the journal's logins start only once P1 says the routes
 * of its own logins ahead are known. A touched table changed between the two is refused at BEGIN
 * (the fingerprint was read before), and no apply session is logged in before the second signal.
 */
@WithPostgres
class BeginReadingsAtOnceTest {

  /** P1 as a stub: the identity holds; then a column is added to the touched table; then the routes are known. */
  private static final class ChangingChecks extends IdentityOnlyChecks {
    private final TestDatabase db;
    final List<String> seen = new ArrayList<>();

    ChangingChecks(TestDatabase db) {
      this.db = db;
    }

    @Override
    public Steps.P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox, Runnable identityHeld,
        Runnable routesKnown) {
      identityHeld.run();
      seen.add("apply sessions after the identity " + sessions(db, "2", 500_000_000L)); // none, however long it looks
      db.execute("alter table public.t add column b int");
      routesKnown.run();
      seen.add("apply sessions after the routes " + sessions(db, "2", 10_000_000_000L));
      return passed();
    }
  }

  /** The apply's and the journal's sessions logged in, looked at until there are {@code until} or {@code nanos} passed. */
  private static String sessions(TestDatabase db, String until, long nanos) {
    long end = System.nanoTime() + nanos;
    String n = count(db);
    while (!n.equals(until) && System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      n = count(db);
    }
    return n;
  }

  private static String count(TestDatabase db) {
    return db.queryValue("select count(*) from pg_stat_activity where application_name like 'cutter apply %'"
        + " or application_name like 'cutter journal %'");
  }

  @Test
  void theReadingsAreTakenWhenTheIdentityHeldAndTheApplysLoginsWaitForTheRoutes(TestDatabase db) throws SQLException {
    db.execute("create table public.t (a int)");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ChangingChecks p1 = new ChangingChecks(db);
    ApplyRun.Request req = new ApplyRun.Request(pkg("d".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
        stmts("alter table t add column c int"), false, List.of(), login(db, "postgres"), (spec, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    RunReport r = new ApplyRun(INTEGRITY_OK, p1, NO_BACKUP, Clock.systemUTC()).execute(req, x -> "f".repeat(64));

    assertThat(p1.seen).as("no apply session before the routes are known; both after")
        .containsExactly("apply sessions after the identity 0", "apply sessions after the routes 2");
    assertThat(r.verdict()).as("the fingerprint was read when the identity held, before the column came").isEqualTo(
        Verdict.BLOCKED);
    GateResult apply = r.gates().stream().filter(g -> g.id().equals(GateIds.APPLY)).findFirst().orElseThrow();
    assertThat(apply.message()).contains("begin:catalog").contains("added: t column b");
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'public.t'::regclass and attname = 'c'"))
        .as("the change did not run").isEqualTo("0");
  }

  /** P1 as a stub: the readings are taken (at once) while another session holds a view they read locked. */
  private static final class LockedWhileRead extends IdentityOnlyChecks {
    private final TestDatabase db;

    LockedWhileRead(TestDatabase db) {
      this.db = db;
    }

    @Override
    public Steps.P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox, Runnable identityHeld,
        Runnable routesKnown) {
      try (Connection c = db.superuser()) {
        c.setAutoCommit(false);
        try (java.sql.Statement st = c.createStatement()) {
          st.execute("lock table public.v in access exclusive mode");
        }
        identityHeld.run(); // the fingerprint reads the view's definition: stopped by the database's lock_timeout
        c.rollback();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      routesKnown.run();
      return passed();
    }
  }

  @Test
  void readingsThatALockStoppedBesideP1AreReadAgainOnceP1Held(TestDatabase db) throws SQLException {
    db.execute("create table public.t (a int)");
    db.execute("create view public.v as select a from public.t");
    db.execute("alter database " + db.name() + " set lock_timeout = '200ms'");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ApplyRun.Request req = new ApplyRun.Request(pkg("e".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
        stmts("alter table t add column c int"), false, List.of(), login(db, "postgres"), (spec, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    RunReport r = new ApplyRun(INTEGRITY_OK, new LockedWhileRead(db), NO_BACKUP, Clock.systemUTC()).execute(req,
        x -> "f".repeat(64));

    assertThat(r.verdict()).as("read again once the lock was gone: %s", r.rootCause()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'public.t'::regclass and attname = 'c'"))
        .isEqualTo("1");
  }
}
