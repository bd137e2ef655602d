package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.login;
import static dev.cutter.core.run.ApplyRunTest.pkg;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.CheckSpec;
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
 * The apply's and the journal's sessions log in once P1's identity check held, while the rest of
 * P1 runs: a P1 that looks at the server after the identity sees both; a run that stops at P1
 * leaves neither behind; a P1 that never says the identity held gets them after it, as before.
 */
@WithPostgres
class ApplySessionsAheadTest {

  /** P1 as a stub: the identity holds, then it waits (at most 10 s) to see the run's apply and journal sessions. */
  private static final class WatchingChecks implements Steps.Checks {
    private final TestDatabase db;
    private final boolean passes;
    private final boolean saysIdentityHeld;
    final List<String> seen = new ArrayList<>();

    WatchingChecks(TestDatabase db, boolean passes, boolean saysIdentityHeld) {
      this.db = db;
      this.passes = passes;
      this.saysIdentityHeld = saysIdentityHeld;
    }

    @Override
    public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
      return List.of(CheckResult.pass("identity", "db", "db", null));
    }

    @Override
    public Steps.P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox, Runnable identityHeld,
        Runnable routesKnown) {
      if (saysIdentityHeld) {
        identityHeld.run();
        routesKnown.run();
      }
      long end = System.nanoTime() + (saysIdentityHeld ? 10_000_000_000L : 1_000_000_000L);
      String n = count(db);
      while (!n.equals("2") && System.nanoTime() < end) {
        pause();
        n = count(db);
      }
      seen.add(n);
      return new Steps.P1(List.of(passes ? CheckResult.pass("identity", "db", "db", null)
          : CheckResult.fail("fails", new dev.cutter.core.cause.Cause.CheckQueryDiffers("fails", "x", "y"), "x", "y",
              "fails")), null, null);
    }

    @Override
    public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> checks) {
      return List.of();
    }
  }

  private static String count(TestDatabase db) {
    return db.queryValue("select count(*) from pg_stat_activity where application_name like 'cutter apply %'"
        + " or application_name like 'cutter journal %'");
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String awaitNone(TestDatabase db) {
    long end = System.nanoTime() + 10_000_000_000L;
    String n = count(db);
    while (!n.equals("0") && System.nanoTime() < end) {
      pause();
      n = count(db);
    }
    return n;
  }

  private static RunReport run(TestDatabase db, Steps.Checks checks, String sha) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ApplyRun.Request req = new ApplyRun.Request(pkg(sha, List.of(), null, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int)"), false, List.of(), login(db, "postgres"), (spec, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return new ApplyRun(INTEGRITY_OK, checks, NO_BACKUP, Clock.systemUTC()).execute(req, r -> "f".repeat(64));
  }

  @Test
  void theApplyAndJournalSessionsAreLoggedInWhileP1StillRuns(TestDatabase db) throws SQLException {
    WatchingChecks p1 = new WatchingChecks(db, true, true);
    RunReport r = run(db, p1, "a".repeat(64));
    assertThat(p1.seen).as("both sessions, seen from P1 after its identity check").containsExactly("2");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select verdict from cutter.journal")).isEqualTo("PASS");
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).isEqualTo("t");
    assertThat(awaitNone(db)).as("closed after the run").isEqualTo("0");
  }

  @Test
  void aRunThatStopsAtP1LeavesNoSessionOpenedAhead(TestDatabase db) throws SQLException {
    WatchingChecks p1 = new WatchingChecks(db, false, true);
    RunReport r = run(db, p1, "b".repeat(64));
    assertThat(p1.seen).containsExactly("2");
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(awaitNone(db)).as("discarded: closed before the run ended").isEqualTo("0");
  }

  @Test
  void withoutTheIdentitySignalTheSessionsOpenAfterP1AsBefore(TestDatabase db) throws SQLException {
    WatchingChecks p1 = new WatchingChecks(db, true, false);
    RunReport r = run(db, p1, "c".repeat(64));
    assertThat(p1.seen).containsExactly("0");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
  }
}
