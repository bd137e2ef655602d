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

  /**
   * The look ahead is taken right after the rehearsal's login, and the other P1 checks run before the
   * artifact's first statement: a way out another session opens meanwhile (here EXECUTE on the function
   * that writes through dblink, granted while a check runs) was not there when the look was taken. The
   * look must still hold when the first statement runs, as it did when it was taken right before it.
   */
  @Test
  void aWayOutOpenedWhileTheOtherChecksRunIsRefusedBeforeTheFirstStatement(TestDatabase db) {
    String app = db.createRole("app");
    String ops = "ops_" + app;
    db.execute("create extension if not exists dblink");
    db.execute("revoke execute on all functions in schema public from public");
    CheckDefinerRouteAttackTest.dblinkLog(db, ops, app);
    db.execute("revoke execute on function " + ops + ".log_event(text) from public");
    CheckType meanwhile = new CheckType() {
      @Override
      public String name() {
        return "meanwhile";
      }

      @Override
      public void validate(dev.cutter.core.model.YamlValue args, Problems problems) {}

      @Override
      public CheckResult run(dev.cutter.core.model.YamlValue args, CheckContext ctx) {
        // once the rehearsal's session has been looked at (idle after its login and look): the grant
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && db.queryValue("select count(*) from pg_stat_activity where application_name = '"
            + Rehearsal.PURPOSE + "' and state = 'idle' and state_change < now() - interval '300 ms'").equals("0")) {
          Thread.onSpinWait();
        }
        db.execute("grant execute on function " + ops + ".log_event(text) to " + app);
        return ctx.pass("nothing", "nothing", null);
      }
    };
    List<ExecStatement> statements = List.of(new ExecStatement(1, 1, "select " + ops + ".log_event('rehearsed')"));
    Preflight p = new Preflight(Map.of("rehearse", REHEARSE_AHEAD, "meanwhile", meanwhile), x -> statements,
        (s, role) -> Optional.empty(), Preflight.DEFAULT_PARALLELISM);

    Preflight.Outcome o = p.run(login(db, app), pkg(target(db, app), BackupPolicy.none(),
        List.of(TestPackages.check("meanwhile", "x"), rehearse())), statements, false);

    assertThat(db.queryValue("select count(*) from " + ops + ".events")).as("the rehearsal wrote for good").isEqualTo("0");
    CheckResult r = o.results().stream().filter(x -> x.id().startsWith("rehearse")).findFirst().orElseThrow();
    assertThat(r.status()).as(r.toString()).isEqualTo(CheckStatus.ERROR);
    assertThat(r.cause()).isEqualTo(new Cause.CheckCanOpenSessions(app, ops + ".log_event(text)"));
    db.execute("drop schema " + ops + " cascade");
  }

  /**
   * The look ahead is not taken again where nothing committed since it (its time stays off the
   * rehearsal's path), and is where something did; a session no look noted is looked at.
   */
  @Test
  void theLookAheadHoldsUntilSomethingCommits(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    try (java.sql.Connection c = db.connectAs(app)) {
      assertThat(Rehearsal.asLooked(c)).as("no look yet").isFalse();
      Rehearsal.WAYS_OUT.look(c, app);
      assertThat(Rehearsal.asLooked(c)).as("nothing committed since").isTrue();
      db.execute("create table public.since (a int)");
      assertThat(Rehearsal.asLooked(c)).as("a commit since").isFalse();
    }
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
