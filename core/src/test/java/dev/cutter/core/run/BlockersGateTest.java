package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.awaitActivity;
import static dev.cutter.core.run.ApplyRunTest.checksOn;
import static dev.cutter.core.run.ApplyRunTest.login;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.blockers.Blocker;
import dev.cutter.core.blockers.BlockersInfo;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The blockers gate right before BEGIN and the retry on lock timeout, against a real server with
 * a second session made by the test (issue 12, items 1 and 4).
 */
@WithPostgres
class BlockersGateTest {

  private static ApplyPackage pkg(String sha, ApplySettings settings) {
    ApplyPackage p = ApplyRunTest.pkg(sha, List.of(), null, settings.mode());
    return new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(), p.target(),
        p.artifact(), p.preflight(), p.backup(), settings, p.verify(), p.rollback(), p.sandbox(), p.source());
  }

  private static ApplySettings settings(Duration lockTimeout, int retries, Duration retryWait) {
    return new ApplySettings(ApplySettings.Mode.TRANSACTION, lockTimeout, Duration.ofMinutes(1), Duration.ZERO, retries,
        retryWait);
  }

  private static RunReport run(TestDatabase db, ApplyPackage p, List<ExecStatement> s, Duration lockWait, String runId) {
    ApplyRun.Request req = new ApplyRun.Request(p, s, false, List.of(), login(db, "postgres"),
        (spec, role) -> Optional.empty(), lockWait, RunMode.APPLY, runId);
    return new ApplyRun(INTEGRITY_OK, checksOn(db), NO_BACKUP, Clock.systemUTC()).execute(req, r -> "f".repeat(64));
  }

  private static RunReport run(TestDatabase db, ApplyPackage p, List<ExecStatement> s, Duration lockWait) {
    return run(db, p, s, lockWait, RunIds.next(Clock.systemUTC()));
  }

  private static void setUp(TestDatabase db) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    db.execute("create table acct(id int primary key, v int); insert into acct values (1, 100);"
        + " create table side(id int)");
  }

  /** A session of {@code role} named {@code app}, left idle in a transaction after {@code sql}. */
  private static Connection idleInTransaction(TestDatabase db, String role, String app, String sql) throws SQLException {
    Connection c = db.connectAs(role);
    try (Statement st = c.createStatement()) {
      st.execute("set application_name = '" + app + "'");
      c.setAutoCommit(false);
      st.execute(sql);
    }
    return c;
  }

  private static String reader(TestDatabase db) {
    String role = db.createRole("reader");
    db.execute("grant select on acct, side to " + role);
    return role;
  }

  private static int pid(Connection c) throws SQLException {
    return dev.cutter.core.blockers.BlockersGate.pidOf(c);
  }

  private static GateResult gate(RunReport r, String id) {
    return r.gates().stream().filter(g -> g.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aSessionIdleInTransactionHoldingALockOnTheAlteredTableBlocksAndIsNamed(TestDatabase db) throws Exception {
    setUp(db);
    String role = reader(db);
    try (Connection other = idleInTransaction(db, role, "billing-worker", "select v from acct where id = 1")) {
      RunReport r = run(db, pkg("1".repeat(64), ApplySettings.defaults()), stmts("alter table acct add column note text"),
          Duration.ZERO);

      assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
      assertThat(gate(r, GateIds.BLOCKERS).status()).isEqualTo(GateStatus.FAIL);
      assertThat(gate(r, GateIds.APPLY).status()).as("never began").isEqualTo(GateStatus.NOT_RUN);
      BlockersInfo b = r.blockers();
      assertThat(b.status()).isEqualTo("BLOCKED");
      assertThat(b.relations()).containsExactly("acct: AccessExclusiveLock");
      assertThat(b.blockers()).singleElement().satisfies(x -> {
        assertThat(x.pid()).isEqualTo(pid(other));
        assertThat(x.user()).isEqualTo(role);
        assertThat(x.applicationName()).isEqualTo("billing-worker");
        assertThat(x.state()).isEqualTo("idle in transaction");
        assertThat(x.reason()).isEqualTo(Blocker.Reason.HOLDS_CONFLICTING_LOCK);
        assertThat(x.lock()).isEqualTo("AccessShareLock on acct");
        assertThat(x.query()).as("literals masked").isEqualTo("select v from acct where id = ****");
        assertThat(x.clientAddress()).isIn("127.0.0.1", "::1", "local");
        assertThat(x.transactionAgeMs()).isNotNull().isGreaterThanOrEqualTo(0L);
        assertThat(x.cutterRun()).isNull();
        assertThat(x.advice()).contains("pg_terminate_backend(" + pid(other) + ")");
      });
      assertThat(b.attempts()).singleElement().extracting(BlockersInfo.Attempt::outcome).isEqualTo("blocked");
      assertThat(db.queryValue("select count(*) from information_schema.columns where table_name = 'acct'"
          + " and column_name = 'note'")).isEqualTo("0");
      assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
    }
  }

  @Test
  void anIdleTransactionThatHoldsAWeakLockStillCountsButOneOnAnotherTableDoesNot(TestDatabase db) throws Exception {
    setUp(db);
    String role = reader(db);
    ApplyPackage p = pkg("2".repeat(64), ApplySettings.defaults());
    try (Connection other = idleInTransaction(db, role, "report-job", "select count(*) from acct")) {
      // INSERT takes ROW EXCLUSIVE, which ACCESS SHARE does not conflict with: counted as idle in transaction
      RunReport r = run(db, p, stmts("insert into acct values (2, 1)"), Duration.ZERO);
      assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
      assertThat(r.blockers().blockers()).singleElement().satisfies(x -> {
        assertThat(x.pid()).isEqualTo(pid(other));
        assertThat(x.reason()).isEqualTo(Blocker.Reason.IDLE_IN_TRANSACTION);
        assertThat(x.lock()).isEqualTo("AccessShareLock on acct");
      });
    }
    try (Connection other = idleInTransaction(db, role, "report-job", "select count(*) from side")) {
      RunReport r = run(db, p, stmts("insert into acct values (2, 1)"), Duration.ZERO);
      assertThat(r.verdict()).as("a session on another table is not in the way").isEqualTo(Verdict.PASS);
      assertThat(r.blockers().status()).isEqualTo("PASS");
      assertThat(r.blockers().attempts()).singleElement().extracting(BlockersInfo.Attempt::outcome)
          .isEqualTo("committed");
    }
  }

  @Test
  void aRunningTransactionWithAWeakLockCountsOnlyWhenOlderThanMaxBlockerAge(TestDatabase db) throws Exception {
    setUp(db);
    String role = reader(db);
    Connection other = db.connectAs(role);
    try (Statement st = other.createStatement()) {
      st.execute("set application_name = 'slow-report'");
    }
    CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
      try (other; Statement st = other.createStatement()) {
        other.setAutoCommit(false);
        st.execute("select count(*) from acct, pg_sleep(6)");
        other.rollback();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    awaitActivity(db, "application_name = 'slow-report' and state = 'active'");
    List<ExecStatement> insert = stmts("insert into acct values (2, 1)");
    ApplySettings anyAge = ApplySettings.defaults();
    ApplySettings hourOld = new ApplySettings(ApplySettings.Mode.TRANSACTION, Duration.ofSeconds(2), Duration.ofMinutes(1),
        Duration.ofHours(1), 0, Duration.ofSeconds(2));

    RunReport strict = run(db, pkg("b".repeat(64), anyAge), insert, Duration.ZERO);
    RunReport lenient = run(db, pkg("c".repeat(64), hourOld), insert, Duration.ZERO);

    reading.get(30, TimeUnit.SECONDS);
    assertThat(strict.verdict()).as("max_blocker_age 0: a transaction of any age on the relation").isEqualTo(Verdict.BLOCKED);
    assertThat(strict.blockers().blockers()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(Blocker.Reason.OLD_TRANSACTION);
      assertThat(x.state()).isEqualTo("active");
      assertThat(x.query()).isEqualTo("select count(*) from acct, pg_sleep(****)");
    });
    assertThat(lenient.verdict()).as("ROW EXCLUSIVE does not conflict; the reader is younger than 1h")
        .isEqualTo(Verdict.PASS);
    assertThat(lenient.blockers().maxBlockerAge()).isEqualTo("3600000ms");
  }

  @Test
  void aSessionOnAPartitionOfTheAlteredTableIsInTheWayToo(TestDatabase db) throws Exception {
    setUp(db);
    db.execute("create table ev (id int, at date) partition by range (at);"
        + " create table ev_2026 partition of ev for values from ('2026-01-01') to ('2027-01-01')");
    String role = db.createRole("reader");
    db.execute("grant select on ev_2026 to " + role);
    try (Connection other = idleInTransaction(db, role, "partition-reader", "select count(*) from ev_2026")) {
      RunReport r = run(db, pkg("d".repeat(64), ApplySettings.defaults()), stmts("alter table ev add column note text"),
          Duration.ZERO);

      assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
      assertThat(r.blockers().relations()).containsExactly("ev: AccessExclusiveLock", "ev_2026: AccessExclusiveLock");
      assertThat(r.blockers().blockers()).singleElement().satisfies(x -> {
        assertThat(x.pid()).isEqualTo(pid(other));
        assertThat(x.lock()).isEqualTo("AccessShareLock on ev_2026");
      });
    }
  }

  @Test
  void aBlockerThatEndsWithinTheLockWaitLetsTheChangeApply(TestDatabase db) throws Exception {
    setUp(db);
    String role = reader(db);
    Connection other = idleInTransaction(db, role, "billing-worker", "select v from acct");
    CompletableFuture<Void> ends = CompletableFuture.runAsync(() -> {
      try (other) {
        // the apply session opens right before the gate looks: end the blocker a second later
        awaitActivity(db, "application_name like 'cutter apply %'");
        Thread.sleep(1000);
        other.rollback();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    RunReport r = run(db, pkg("3".repeat(64), ApplySettings.defaults()), stmts("alter table acct add column note text"),
        Duration.ofSeconds(30));

    ends.get(30, TimeUnit.SECONDS);
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(gate(r, GateIds.BLOCKERS).status()).isEqualTo(GateStatus.PASS);
    assertThat(r.blockers().waitedMs()).as("it waited for the blocker").isBetween(700L, 29_000L);
    assertThat(db.queryValue("select count(*) from information_schema.columns where table_name = 'acct'"
        + " and column_name = 'note'")).isEqualTo("1");
  }

  @Test
  void aKilledRunsStatementStillRunningBlocksTheNextRunNamedAsSuchAndALockWaitOutlastsIt(TestDatabase db)
      throws Exception {
    setUp(db);
    List<ExecStatement> doubling = stmts("update acct set v = v * 2 from pg_sleep(4)");
    String first = RunIds.next(Clock.systemUTC());
    CompletableFuture<RunReport> dying = CompletableFuture.supplyAsync(
        () -> run(db, pkg("4".repeat(64), ApplySettings.defaults()), doubling, Duration.ZERO, first));
    awaitActivity(db, "application_name = 'cutter apply " + first + "' and query like 'update acct%'");
    int applyPid = Integer.parseInt(db.queryValue("select pid from pg_stat_activity where application_name = 'cutter apply "
        + first + "'"));
    // the client is gone (kill -9): its lock session ended, the server runs its statement on
    db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'cutter lock "
        + first + "'");

    RunReport blocked = run(db, pkg("5".repeat(64), ApplySettings.defaults()), doubling, Duration.ZERO);

    assertThat(blocked.verdict()).as("never FAILED on its predecessor's locks").isEqualTo(Verdict.BLOCKED);
    assertThat(blocked.blockers().blockers()).singleElement().satisfies(x -> {
      assertThat(x.pid()).isEqualTo(applyPid);
      assertThat(x.cutterRun()).isEqualTo(first);
      assertThat(x.applicationName()).isEqualTo("cutter apply " + first);
      assertThat(x.state()).isEqualTo("active");
      assertThat(x.reason()).isEqualTo(Blocker.Reason.EARLIER_RUN_CHANGING);
      assertThat(x.query()).isEqualTo("update acct set v = v * **** from pg_sleep(****)");
      assertThat(x.advice()).contains("earlier cutter run (" + first + ")").contains("pg_cancel_backend(" + applyPid + ")");
    });

    assertThat(blocked.nextAction()).startsWith("pid " + applyPid + ": a session of an earlier cutter run (" + first + ")");

    RunReport waited = run(db, pkg("6".repeat(64), ApplySettings.defaults()), doubling, Duration.ofSeconds(30));

    assertThat(waited.verdict()).as("waits for the earlier statement, then applies").isEqualTo(Verdict.PASS);
    dying.get(60, TimeUnit.SECONDS);
    assertThat(db.queryValue("select v from acct")).as("the earlier run's and this run's").isEqualTo("400");
  }

  /** A session that holds ACCESS SHARE on side until {@code release} runs. */
  private static Connection sideHolder(TestDatabase db, String role) throws SQLException {
    return idleInTransaction(db, role, "side-holder", "select count(*) from side");
  }

  /** LOCK TABLE is not in the plan: the gate cannot see this blocker, the statement runs into lock_timeout. */
  private static final List<ExecStatement> LOCKS_SIDE =
      stmts("lock table side in access exclusive mode", "create table made(a int)");

  @Test
  void aLockTimeoutIsRetriedAndTheSecondAttemptPassesOnceTheBlockerReleased(TestDatabase db) throws Exception {
    setUp(db);
    String role = reader(db);
    Connection holder = sideHolder(db, role);
    int holderPid = pid(holder);
    CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
      try (holder) {
        // released right after the first attempt gave up: the apply waited on a lock, then no longer does
        awaitActivity(db, "wait_event_type = 'Lock' and application_name like 'cutter apply %'");
        awaitActivity(db, "application_name like 'cutter apply %' and coalesce(wait_event_type, '') <> 'Lock'");
        holder.rollback();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    RunReport r = run(db, pkg("7".repeat(64), settings(Duration.ofMillis(800), 2, Duration.ofMillis(300))), LOCKS_SIDE,
        Duration.ZERO);

    release.get(30, TimeUnit.SECONDS);
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.applySettings().retries()).isEqualTo(2);
    List<BlockersInfo.Attempt> attempts = r.blockers().attempts();
    assertThat(attempts).extracting(BlockersInfo.Attempt::outcome).containsExactly("lock_timeout", "committed");
    assertThat(attempts.get(0).sqlstate()).isEqualTo("55P03");
    assertThat(attempts.get(0).blockers()).singleElement().satisfies(x -> {
      assertThat(x.pid()).isEqualTo(holderPid);
      assertThat(x.applicationName()).isEqualTo("side-holder");
      assertThat(x.reason()).isEqualTo(Blocker.Reason.BLOCKED_THE_APPLY);
      // read by the lock watch on the run's own session, whose search_path is pg_catalog's alone
      assertThat(x.lock()).isEqualTo("AccessShareLock on public.side");
    });
    assertThat(attempts.get(1).waitedBeforeMs()).as("jittered backoff of 300ms").isBetween(150L, 450L);
    assertThat(db.queryValue("select to_regclass('public.made') is not null")).isEqualTo("t");
  }

  @Test
  void whenTheRetriesAreSpentTheRunFailsNamingEachAttemptsBlocker(TestDatabase db) throws Exception {
    setUp(db);
    String role = reader(db);
    try (Connection holder = sideHolder(db, role)) {
      RunReport r = run(db, pkg("8".repeat(64), settings(Duration.ofMillis(500), 1, Duration.ofMillis(100))), LOCKS_SIDE,
          Duration.ZERO);

      assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
      assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("55P03");
      assertThat(r.blockers().attempts()).hasSize(2).allSatisfy(a -> {
        assertThat(a.outcome()).isEqualTo("lock_timeout");
        assertThat(a.blockers()).extracting(Blocker::pid).containsExactly(pid(holder));
      });
      assertThat(db.queryValue("select to_regclass('public.made') is null")).isEqualTo("t");
      assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"42501", "23505"})
  void noOtherErrorIsEverRetried(String sqlstate, TestDatabase db) throws Exception {
    setUp(db);
    List<ExecStatement> failing = sqlstate.equals("23505") ? stmts("insert into acct values (1, 1)")
        : stmts("do $$ begin raise exception 'no' using errcode = '42501'; end $$");

    RunReport r = run(db, pkg("9".repeat(64), settings(Duration.ofSeconds(2), 3, Duration.ofMillis(10))), failing,
        Duration.ZERO);

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.blockers().attempts()).singleElement().satisfies(a -> {
      assertThat(a.outcome()).isEqualTo("failed");
      assertThat(a.sqlstate()).isEqualTo(sqlstate);
    });
  }

  @Test
  void aLockTimeoutRaisedByTheArtifactIsRetriedBySqlstateAlone(TestDatabase db) throws Exception {
    setUp(db);
    RunReport r = run(db, pkg("a".repeat(64), settings(Duration.ofSeconds(2), 2, Duration.ofMillis(10))),
        stmts("do $$ begin raise exception 'any words' using errcode = '55P03'; end $$"), Duration.ZERO);

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.blockers().attempts()).extracting(BlockersInfo.Attempt::outcome)
        .containsExactly("lock_timeout", "lock_timeout", "lock_timeout");
  }
}
