package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.REHEARSE;
import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.rehearse;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rehearsal runs the artifact in a transaction that is rolled back, but what the artifact
 * does through a session of its own (dblink, reached here through a SECURITY DEFINER function
 * whose owner may call it) commits there: P1 runs it once, and apply runs it again. So the
 * rehearsal looks for the same ways out as a package check before the artifact's first statement.
 */
@WithPostgres
class RehearsalWayOutAttackTest {

  @Test
  void theRehearsalDoesNotRunAnArtifactThatWritesThroughASessionOfItsOwn(TestDatabase db) {
    String app = db.createRole("app");
    String ops = "ops_" + app;
    db.execute("create extension if not exists dblink");
    db.execute("revoke execute on all functions in schema public from public");
    CheckDefinerRouteAttackTest.dblinkLog(db, ops, app);
    List<ExecStatement> statements = List.of(new ExecStatement(1, 1, "select " + ops + ".log_event('rehearsed')"));
    Preflight p = new Preflight(Map.of("rehearse", REHEARSE), x -> statements, (s, role) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);

    Preflight.Outcome o = p.run(login(db, app), pkg(target(db, app), BackupPolicy.none(), List.of(rehearse())), statements,
        false);

    assertThat(db.queryValue("select count(*) from " + ops + ".events")).as("the rehearsal wrote for good").isEqualTo("0");
    CheckResult r = o.results().stream().filter(x -> x.id().startsWith("rehearse")).findFirst().orElseThrow();
    assertThat(r.status()).as(r.toString()).isEqualTo(CheckStatus.ERROR);
    assertThat(r.cause()).isEqualTo(new Cause.CheckCanOpenSessions(app, ops + ".log_event(text)"));
    db.execute("drop schema " + ops + " cascade");
  }
}
