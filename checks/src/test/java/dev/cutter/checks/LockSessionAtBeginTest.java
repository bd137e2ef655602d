package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.run.ApplyRun;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.Steps;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run lock's session ended by a check at BEGIN, after the apply session looked at it: a
 * {@code sql} check runs again on the apply session, after {@code begin:same_server} saw the run
 * lock's session; where the login is apply_role, the check may end that session there
 * ({@code pg_terminate_backend}) and pass. (A check that ends it in P1 is {@link FactsAtBeginTest}'s.)
 */
@WithPostgres
class LockSessionAtBeginTest {

  @TempDir
  Path dir;

  /** The run lock's session, seen in pg_locks ('cutter' as a number: classid 25461, objid 1953785202). */
  private static final String LOCK_SESSION = " from pg_catalog.pg_locks l where l.locktype = 'advisory'"
      + " and l.classid = 25461 and l.objid = 1953785202 and l.granted";

  /** The apply's and the journal's sessions of the run, by their application names. */
  private static final String AHEAD = " from pg_catalog.pg_stat_activity a"
      + " where (a.application_name like 'cutter apply %' or a.application_name like 'cutter journal %')";

  private final String sql = "alter table app.t add column note text";

  /** Only at BEGIN: the apply session holds the change key, a check's own session in P1 holds none. */
  private static final String AT_BEGIN = " and exists (select from pg_catalog.pg_locks m"
      + " where m.pid = pg_catalog.pg_backend_pid() and m.locktype = 'advisory')";

  private static final String END = "select pg_catalog.count(pg_catalog.pg_terminate_backend(";

  @Test
  void aCheckAtBeginThatEndsTheRunLocksSessionRefusesTheApply(TestDatabase db) throws Exception {
    assertRefusedAtBegin(db, run(db, END + "l.pid)) >= 0" + LOCK_SESSION + AT_BEGIN));
  }

  @Test
  void aCheckAtBeginThatEndsItsOwnApplySessionIsARefusalNotAnEscalation(TestDatabase db) throws Exception {
    // at BEGIN the check runs on the apply session itself: it ends that session, and the journal's
    assertRefusedAtBegin(db, run(db, END + "a.pid)) >= 0" + AHEAD + AT_BEGIN));
  }

  @Test
  void aCheckThatEndsTheRunLocksSessionLateInP1StopsTheRunBeforeTheBackup(TestDatabase db) throws Exception {
    // the lock session's readings for BEGIN overlap P1's checks: this one ends the session after they were read
    RunReport r = run(db, END + "l.pid)) >= 0" + LOCK_SESSION + " and (select pg_catalog.pg_sleep(1.5)) is not null");

    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.BACKUP)).singleElement()
        .extracting(GateResult::status).as("the backup ran without the run lock").isEqualTo(GateStatus.NOT_RUN);
    assertUnchanged(db, r);
  }

  /** The check passed in P1 and the re-check at BEGIN refused the apply (its gate FAIL), nothing changed. */
  private static void assertRefusedAtBegin(TestDatabase db, RunReport r) throws Exception {
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.PREFLIGHT)).singleElement()
        .extracting(GateResult::status).as("the check passed in P1").isEqualTo(GateStatus.PASS);
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.APPLY)).singleElement()
        .extracting(GateResult::status).as(r.verdict() + ": " + r.rootCause()).isEqualTo(GateStatus.FAIL);
    assertUnchanged(db, r);
  }

  private RunReport run(TestDatabase db, String check) throws Exception {
    return runWithCheck(db, dir, Packages.seedFlagged(db), sql, check);
  }

  /**
   * An apply of {@code sql} whose login is apply_role {@code app} itself (so a check may signal the
   * run lock's session), with {@code check} as its one {@code sql} check and a backup that waits.
   */
  static RunReport runWithCheck(TestDatabase db, java.nio.file.Path dir, String app, String sql, String check)
      throws Exception {
    db.execute("grant select on all tables in schema cutter to " + app);
    db.execute("grant select on all sequences in schema cutter to " + app);
    ApplyPackage p = Packages.write(dir.resolve("pkg"), db, app, sql, "  - sql: { name: end the run lock, query: \""
        + check + "\", expect: true }\n");
    BackupPolicy backup = new BackupPolicy(true, List.of(), dir.resolve("backups"), 0, List.of(), Optional.empty());
    ConnectionSpec login = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), app, Optional.empty());
    Preflight checks = new Preflight(Preflight.installedTypes(), x -> Packages.statements(sql), (s, r) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    Steps.Integrity ok = (x, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR"));
    return new ApplyRun(ok, checks, FactsAtBeginTest.slowBackup(db, "select 1"), Clock.systemUTC()).execute(
        new ApplyRun.Request(Packages.with(p, p.preflight(), backup), Packages.statements(sql), false, List.of(), login,
            (s, x) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC())), x -> "f".repeat(64));
  }

  private static void assertUnchanged(TestDatabase db, RunReport r) throws Exception {
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'app.t'::regclass and attname = 'note'"))
        .as("the change ran without the run lock (verdict " + r.verdict() + ": " + r.rootCause() + ")").isEqualTo("0");
    assertThat(r.verdict()).as("the run lock is gone").isEqualTo(Verdict.BLOCKED);
    assertThat(r.productionChanged()).isFalse();
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }
}
