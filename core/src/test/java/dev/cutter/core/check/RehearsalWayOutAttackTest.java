package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.SQLException;
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

  private static final CheckType REHEARSE = new CheckType() {
    @Override
    public String name() {
      return "rehearse";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {}

    @Override
    public CheckResult run(YamlValue args, CheckContext ctx) throws SQLException {
      return Rehearsal.run(ctx);
    }
  };

  @Test
  void theRehearsalDoesNotRunAnArtifactThatWritesThroughASessionOfItsOwn(TestDatabase db) {
    String app = db.createRole("app");
    String ops = "ops_" + app;
    db.execute("create extension if not exists dblink");
    db.execute("revoke execute on all functions in schema public from public");
    db.execute("create schema " + ops);
    db.execute("create table " + ops + ".events(what text)");
    // owned by the superuser that runs the tests: dblink connects as it without a password
    db.execute("create function " + ops + ".log_event(what text) returns boolean language sql security definer"
        + " set search_path = pg_catalog as $$ select public.dblink_exec('host=localhost port=" + db.server().port()
        + " dbname=" + db.name() + " user=" + db.server().superuser() + "', pg_catalog.format('insert into " + ops
        + ".events values (%L)', what)) is not null $$");
    db.execute("grant usage on schema " + ops + " to " + app);
    List<ExecStatement> statements = List.of(new ExecStatement(1, 1, "select " + ops + ".log_event('rehearsed')"));
    CheckSpec rehearse = new CheckSpec("rehearse", new YamlValue.Scalar("true", true, "tag:yaml.org,2002:bool",
        SourcePosition.UNKNOWN), SourcePosition.UNKNOWN);
    Preflight p = new Preflight(Map.of("rehearse", REHEARSE), x -> statements, (s, role) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);

    Preflight.Outcome o = p.run(login(db, app), pkg(target(db, app), BackupPolicy.none(), List.of(rehearse)), statements,
        false);

    assertThat(db.queryValue("select count(*) from " + ops + ".events")).as("the rehearsal wrote for good").isEqualTo("0");
    CheckResult r = o.results().stream().filter(x -> x.id().startsWith("rehearse")).findFirst().orElseThrow();
    assertThat(r.status()).as(r.toString()).isEqualTo(CheckStatus.ERROR);
    assertThat(r.cause()).isEqualTo(new Cause.CheckCanOpenSessions(app, ops + ".log_event(text)"));
    db.execute("drop schema " + ops + " cascade");
  }
}
