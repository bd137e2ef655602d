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

  /** The rehearsal as the checks module installs it: alone, its session opened ahead and looked at right after its login. */
  private static final CheckType REHEARSE_AHEAD = new CheckType() {
    @Override
    public String name() {
      return "rehearse";
    }

    @Override
    public void validate(dev.cutter.core.model.YamlValue args, Problems problems) {}

    @Override
    public boolean runsAlone() {
      return true;
    }

    @Override
    public String sessionAhead(dev.cutter.core.model.YamlValue args) {
      return Rehearsal.PURPOSE;
    }

    @Override
    public RoleSessionsAhead.FirstLook firstLook() {
      return Rehearsal.WAYS_OUT;
    }

    @Override
    public CheckResult run(dev.cutter.core.model.YamlValue args, CheckContext ctx) throws java.sql.SQLException {
      return Rehearsal.run(ctx);
    }
  };

  @Test
  void theRehearsalDoesNotRunAnArtifactThatWritesThroughASessionOfItsOwn(TestDatabase db) {
    refusedBy(db, REHEARSE);
  }

  /** The same refusal where the look was taken on the rehearsal's session right after its login, ahead of the rehearsal. */
  @Test
  void theLookTakenAheadOnTheRehearsalsSessionRefusesTheSameWayOut(TestDatabase db) {
    refusedBy(db, REHEARSE_AHEAD);
  }

  private static void refusedBy(TestDatabase db, CheckType rehearse) {
    String app = db.createRole("app");
    String ops = "ops_" + app;
    db.execute("create extension if not exists dblink");
    db.execute("revoke execute on all functions in schema public from public");
    CheckDefinerRouteAttackTest.dblinkLog(db, ops, app);
    List<ExecStatement> statements = List.of(new ExecStatement(1, 1, "select " + ops + ".log_event('rehearsed')"));
    Preflight p = new Preflight(Map.of("rehearse", rehearse), x -> statements, (s, role) -> Optional.empty(),
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
