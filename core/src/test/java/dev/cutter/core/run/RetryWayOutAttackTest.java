package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.checksOn;
import static dev.cutter.core.run.ApplyRunTest.login;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static dev.cutter.core.run.ApplyRunTest.targetOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.blockers.BlockersInfo;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A retry on lock timeout runs the artifact again after its transaction rolled back (O9); what
 * the artifact did through a session of its own (dblink, here reached through a SECURITY DEFINER
 * function apply_role may call) committed there and is not rolled back, so each attempt did it
 * once more. An artifact can raise SQLSTATE 55P03 itself, so one run did it 1 + retries times.
 */
@WithPostgres
class RetryWayOutAttackTest {

  @Test
  void aLockTimeoutIsNotRetriedWhenApplyRoleCanWriteThroughASessionOfItsOwn(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    String ops = "ops_" + app;
    db.execute("create extension if not exists dblink");
    db.execute("revoke execute on all functions in schema public from public");
    dev.cutter.core.check.CheckDefinerRouteAttackTest.dblinkLog(db, ops, app);
    ApplyPackage p = ApplyRunTest.pkg("5".repeat(64), targetOf(db, app), Instant.parse("2099-01-01T00:00:00Z"), List.of(),
        null, ApplySettings.Mode.TRANSACTION);
    p = new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(), p.target(),
        p.artifact(), p.preflight(), p.backup(), new ApplySettings(ApplySettings.Mode.TRANSACTION, Duration.ofSeconds(2),
            Duration.ofMinutes(1), Duration.ZERO, 2, Duration.ofMillis(10)), p.verify(), p.rollback(), p.sandbox(),
        p.source());
    ApplyRun.Request req = new ApplyRun.Request(p, stmts("select " + ops + ".log_event('applied')",
        "do $$ begin raise exception 'held' using errcode = '55P03'; end $$"), false, List.of(), login(db, "postgres"),
        (spec, role) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));

    RunReport r = new ApplyRun(INTEGRITY_OK, checksOn(db), NO_BACKUP, Clock.systemUTC()).execute(req, x -> "f".repeat(64));

    assertThat(db.queryValue("select count(*) from " + ops + ".events")).as("what committed elsewhere ran once").isEqualTo("1");
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.blockers().attempts()).extracting(BlockersInfo.Attempt::outcome).containsExactly("lock_timeout");
    assertThat(r.nextAction()).contains("not retried", ops + ".log_event(text)");
  }
}
