package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.checksOn;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.Authorization;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.OnlineStep;
import dev.cutter.core.model.Risk;
import dev.cutter.core.model.Sandbox;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.Target;
import dev.cutter.core.online.OnlineInfo;
import dev.cutter.core.online.OnlineInfo.CleanupStatus;
import dev.cutter.core.online.OnlineInfo.RunStatus;
import dev.cutter.core.online.OnlineInfo.StatementRun;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The online step inside the real pipeline: it runs after the change committed, each statement on
 * its own as apply_role; a failed concurrent index build leaves no INVALID index behind (and an
 * index that was there before is never touched), the run ESCALATEs, the journal says which phase
 * finished, and the package stays consumed.
 */
@WithPostgres
class OnlineStepTest {

  private static ApplyPackage pkg(String sha, String applyRole, String onlineSql) {
    return pkg(sha, applyRole, onlineSql, Duration.ofSeconds(5));
  }

  private static ApplyPackage pkg(String sha, String applyRole, String onlineSql, Duration onlineLockTimeout) {
    ArtifactRef art = new ArtifactRef("ddl.sql", Path.of("/nonexistent/ddl.sql"), "0".repeat(64), SourcePosition.UNKNOWN,
        FileContent.of(new byte[0]));
    ArtifactRef online = new ArtifactRef("online.sql", Path.of("/nonexistent/online.sql"), "0".repeat(64),
        SourcePosition.UNKNOWN, FileContent.of(onlineSql.getBytes(StandardCharsets.UTF_8)));
    return new ApplyPackage(Path.of("/nonexistent/package.yaml"), Path.of("/nonexistent"), sha, "online-pkg", "Test",
        new Authorization("REF-1", Instant.parse("2099-01-01T00:00:00Z"), Risk.LOW, List.of()),
        new Target("db", "1", Optional.empty(), applyRole, Optional.empty()), art, List.of(), BackupPolicy.none(),
        new ApplySettings(ApplySettings.Mode.TRANSACTION, Duration.ofSeconds(2), Duration.ofMinutes(1)), List.of(),
        Optional.empty(), Sandbox.empty(), FileContent.of(new byte[0]),
        Optional.of(new OnlineStep(online, onlineLockTimeout, Duration.ofMinutes(1))));
  }

  private static RunReport run(TestDatabase db, ApplyPackage p, List<ExecStatement> change) {
    ConnectionSpec login = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    ApplyRun run = new ApplyRun(ApplyRunTest.INTEGRITY_OK, checksOn(db), ApplyRunTest.NO_BACKUP, Clock.systemUTC());
    ApplyRun.Request req = new ApplyRun.Request(p, change, false, List.of(), login, (c, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return run.execute(req, r -> "f".repeat(64));
  }

  /** A role that is not the login (postgres): the step must run as it, in a session of its own. */
  private static String applyRole(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    db.execute("grant create on schema public to " + app);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    return app;
  }

  /** Table u of {@code app} with the INVALID index u_key an earlier failed build left. */
  private static void leaveAnInvalidIndex(TestDatabase db, String app) {
    db.execute("create table u(a int); insert into u values (1), (1); alter table u owner to " + app);
    try (Connection c = db.superuser()) {
      c.createStatement().execute("create unique index concurrently u_key on u (a)");
    } catch (SQLException expected) {
      // leaves the INVALID index u_key, as an earlier failed build would
    }
  }

  /** A build of u_key failed on the name taken, and the earlier INVALID u_key was left alone. */
  private static void assertTheEarlierInvalidIndexStays(TestDatabase db, RunReport r) {
    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.online().failed().orElseThrow().sqlstate()).as("the name is taken").isEqualTo("42P07");
    assertThat(r.online().cleanup()).as("nothing of the step's own to drop").isEmpty();
    assertThat(db.queryValue("select indisvalid from pg_index where indexrelid = 'public.u_key'::regclass"))
        .as("the pre-existing INVALID index is still there").isEqualTo("f");
  }

  private static GateResult gate(RunReport r, String id) {
    return r.gates().stream().filter(g -> g.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aConcurrentIndexOnTheNewTableIsBuiltAfterTheCommitAsApplyRole(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("a".repeat(64), app, """
        -- the index the table needs, built without blocking writes
        create index concurrently t_a on t (a);
        analyze t;
        """);
    RunReport r = run(db, p, stmts("create table t(a int)", "insert into t select g from generate_series(1, 100) g"));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.PASS);
    assertThat(r.gates()).extracting(GateResult::id).as("online sits between apply and verify").containsSubsequence(
        GateIds.APPLY, GateIds.ONLINE, GateIds.VERIFY);
    assertThat(gate(r, GateIds.ONLINE).status()).isEqualTo(GateStatus.PASS);
    assertThat(db.queryValue("select indisvalid from pg_index where indexrelid = 'public.t_a'::regclass")).isEqualTo("t");
    assertThat(db.queryValue("select pg_get_userbyid(relowner) from pg_class where oid = 'public.t_a'::regclass"))
        .as("built by apply_role, not by the superuser login").isEqualTo(app);
    OnlineInfo o = r.online();
    assertThat(o.outcome()).isEqualTo(OnlineInfo.Outcome.DONE);
    assertThat(o.statementsDone()).isEqualTo(2);
    assertThat(o.statements()).extracting(StatementRun::line).containsExactly(2, 3);
    assertThat(o.statements()).allSatisfy(s -> {
      assertThat(s.status()).isEqualTo(RunStatus.DONE);
      assertThat(s.durationMs()).isNotNull().isGreaterThanOrEqualTo(0L);
    });
    assertThat(o.lockTimeout()).isEqualTo("5000ms");
    assertThat(o.cleanup()).isEmpty();
    assertThat(db.queryValue("select verdict || ' ' || phase from cutter.journal")).isEqualTo("PASS online_done");
  }

  @Test
  void aUniqueIndexThatFailsOnDuplicatesIsDroppedAndTheRunEscalates(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("b".repeat(64), app, """
        create index concurrently t_plain on t (a);
        create unique index concurrently t_a_key on t (a);
        analyze t;
        """);
    RunReport r = run(db, p, stmts("create table t(a int)", "insert into t values (1), (1), (2)"));

    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.productionChanged()).isTrue();
    assertThat(db.queryValue("select count(*) from pg_class where relname = 't_a_key'"))
        .as("the INVALID index the failed build left is gone").isEqualTo("0");
    assertThat(db.queryValue("select count(*) from pg_index i join pg_class c on c.oid = i.indrelid"
        + " where c.relname = 't' and not i.indisvalid")).isEqualTo("0");
    assertThat(db.queryValue("select indisvalid from pg_index where indexrelid = 'public.t_plain'::regclass"))
        .as("statement 1 stays done").isEqualTo("t");
    assertThat(db.queryValue("select count(*) from t")).as("the transactional part stays committed").isEqualTo("3");

    OnlineInfo o = r.online();
    assertThat(o.statementsDone()).isEqualTo(1);
    assertThat(o.statements()).extracting(StatementRun::status)
        .containsExactly(RunStatus.DONE, RunStatus.FAILED, RunStatus.NOT_RUN);
    assertThat(o.failed().orElseThrow().sqlstate()).isEqualTo("23505");
    assertThat(o.cleanup()).singleElement().satisfies(c -> {
      assertThat(c.index()).isEqualTo("\"public\".\"t_a_key\"");
      assertThat(c.status()).isEqualTo(CleanupStatus.DROPPED);
    });
    assertThat(gate(r, GateIds.APPLY).status()).isEqualTo(GateStatus.PASS);
    assertThat(gate(r, GateIds.ONLINE).status()).isEqualTo(GateStatus.FAIL);
    assertThat(gate(r, GateIds.VERIFY).status()).isEqualTo(GateStatus.SKIPPED);
    assertThat(r.rootCause()).isEqualTo("the transactional part committed; online statements 1-1 of 3 done; statement 2"
        + " (line 2, create unique index concurrently …) failed: could not create unique index \"t_a_key\""
        + " (SQLSTATE 23505); 1 after it did not run; the INVALID index \"public\".\"t_a_key\" it left was dropped");
    assertThat(r.nextAction()).contains("lines 2, 3 of the online artifact");
    assertThat(db.queryValue("select verdict || ' ' || phase from cutter.journal")).isEqualTo("ESCALATE online_failed");

    RunReport replay = run(db, p, stmts("create table t(a int)", "insert into t values (1), (1), (2)"));
    assertThat(replay.verdict()).as("the authorization was used once").isEqualTo(Verdict.BLOCKED);
    assertThat(gate(replay, GateIds.LOCK).message()).contains("verdict ESCALATE");
  }

  @Test
  void anInvalidIndexThatWasThereBeforeIsNeverDropped(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    leaveAnInvalidIndex(db, app);
    assertThat(db.queryValue("select indisvalid from pg_index where indexrelid = 'public.u_key'::regclass")).isEqualTo("f");
    ApplyPackage p = pkg("c".repeat(64), app, "create unique index concurrently u_key on u (a);\n");
    RunReport r = run(db, p, stmts("create table t(a int)"));

    assertTheEarlierInvalidIndexStays(db, r);
  }

  @Test
  void anOperatorPlantedBeforeTheCatalogCannotMakeTheCleanupDropAnIndexThatWasThereBefore(TestDatabase db)
      throws SQLException {
    // the online step's session keeps the search_path the database gives apply_role (A4): a
    // name = name planted before the catalog answers false in the look before the build (the name
    // seems free) and truly after it, so the cleanup took the earlier INVALID index for the step's own
    String app = applyRole(db);
    leaveAnInvalidIndex(db, app);
    db.execute("create schema plant; grant usage on schema plant to public;"
        + " create function plant.eq(a name, b name) returns boolean language sql as $$ select case when"
        + " pg_catalog.strpos(pg_catalog.current_query(), 'exists (select 1') operator(pg_catalog.>) 0 then false"
        + " else a operator(pg_catalog.=) b end $$;"
        + " create operator plant.= (leftarg = name, rightarg = name, function = plant.eq);"
        + " alter database " + db.name() + " set search_path = plant, pg_catalog, public");
    ApplyPackage p = pkg("9".repeat(64), app, "create unique index concurrently u_key on u (a);\n");
    RunReport r = run(db, p, stmts("create table public.t(a int)"));

    assertTheEarlierInvalidIndexStays(db, r);
  }

  @Test
  void anOnlineStatementThatReleasesTheChangeKeyStopsTheStepBeforeTheNext(TestDatabase db) throws SQLException {
    // an index expression's function (labelled immutable) gives up the session's change key while
    // the build runs: the next statement would run without what keeps the next run out (O4)
    String app = applyRole(db);
    db.execute("create function public.let_go(a int) returns int language plpgsql immutable as"
        + " $$ begin perform pg_catalog.pg_advisory_unlock_all(); return a; end $$");
    ApplyPackage p = pkg("8".repeat(64), app, "create index concurrently t_x on t ((let_go(a)));\n"
        + "create index concurrently t_a on t (a);\n");
    RunReport r = run(db, p, stmts("create table t(a int)", "insert into t values (1), (2)"));

    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.online().statements()).extracting(StatementRun::status)
        .containsExactly(RunStatus.DONE, RunStatus.FAILED);
    assertThat(r.online().failed().orElseThrow().message()).contains("no longer holds the change key");
    assertThat(db.queryValue("select to_regclass('public.t_a') is null")).as("the next statement never ran").isEqualTo("t");
  }

  @Test
  void reindexConcurrentlyRebuildsWithoutLeavingTransientIndexes(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("d".repeat(64), app, "reindex index concurrently v_key;\nalter table v validate constraint v_a;\n");
    RunReport r = run(db, p, stmts("create table v(a int)", "insert into v values (1), (2)",
        "create unique index v_key on v (a)", "alter table v add constraint v_a check (a > 0) not valid"));
    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from pg_class where relname like 'v_key_cc%'")).isEqualTo("0");
    assertThat(db.queryValue("select convalidated from pg_constraint where conname = 'v_a'")).isEqualTo("t");
  }

  @Test
  void eachStatementRunsUnderTheStepsLockTimeoutAndAnIndexThatCannotBeDroppedIsReportedSo(TestDatabase db)
      throws SQLException {
    String app = applyRole(db);
    db.execute("create table u(a int); alter table u owner to " + app);
    ApplyPackage p = pkg("e".repeat(64), app, "create index concurrently u_a on u (a);\n", Duration.ofSeconds(1));
    try (Connection blocker = db.superuser(); java.sql.Statement st = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      st.execute("set transaction isolation level repeatable read");
      st.execute("select count(*) from u"); // a snapshot the build must wait for, and a lock DROP INDEX must wait for
      RunReport r = run(db, p, stmts("create table t(a int)"));

      assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
      StatementRun failed = r.online().failed().orElseThrow();
      assertThat(failed.sqlstate()).as("lock_timeout of the step, 1s").isEqualTo("55P03");
      assertThat(failed.durationMs()).isBetween(900L, 20_000L);
      assertThat(r.online().cleanup()).singleElement().satisfies(c -> {
        assertThat(c.index()).isEqualTo("\"public\".\"u_a\"");
        assertThat(c.status()).isEqualTo(CleanupStatus.NOT_DROPPED);
        assertThat(c.message()).startsWith("DROP INDEX CONCURRENTLY failed: ").endsWith("(SQLSTATE 55P03)");
      });
      assertThat(r.rootCause()).endsWith("the INVALID index \"public\".\"u_a\" it left was NOT dropped: "
          + r.online().cleanup().get(0).message());
      assertThat(r.nextAction()).startsWith("drop the INVALID index named above with DROP INDEX CONCURRENTLY; ");
      blocker.rollback();
    }
    assertThat(db.queryValue("select indisvalid from pg_index where indexrelid = 'public.u_a'::regclass"))
        .as("left INVALID, as the report says").isEqualTo("f");
  }

  /**
   * The step's session is a new one, whose search_path is apply_role's default: an {@code ALTER ROLE
   * … SET search_path} the transactional step ran (or another session ran after P1) makes it another
   * path than the one P1 and the review read. Before: {@code create index concurrently ix on t}
   * built its index on s1.t, while P1 resolved {@code t} to public.t.
   */
  @Test
  void theStepResolvesNamesThroughThePathTheApplySessionHadAtBegin(TestDatabase db) throws Exception {
    db.execute("create schema s1; create table s1.t (a int); create table public.t (a int)");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    try {
      RunReport r = run(db, pkg("9".repeat(64), "postgres", "create index concurrently ix on t (a);\n"),
          stmts("alter role postgres in database " + db.name() + " set search_path = s1, public"));
      assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
      assertThat(db.queryValue("select relnamespace::regnamespace::text from pg_class where relname = 'ix'")).isEqualTo("public");
    } finally {
      db.execute("alter role postgres in database " + db.name() + " reset search_path");
    }
  }

  /**
   * R61: a check constraint's function, run by the step's VALIDATE CONSTRAINT, sets the search_path for the step's
   * session; the next statement's unqualified {@code t} would be s1.t, not the public.t P1 and BEGIN read (R51 set the
   * path at the step's start). Before: PASS, the index built on s1.t.
   */
  @Test
  void anOnlineStatementAfterAFunctionSetThePathForTheSessionIsNotSent(TestDatabase db) throws SQLException {
    db.execute("create schema s1; create table s1.t (a int); create table public.t (a int); insert into public.t values (1)");
    db.execute("create function public.switch_path(a int) returns boolean language plpgsql as $$ begin"
        + " perform set_config('search_path', 's1, public', false); return true; end $$");
    db.execute("alter table public.t add constraint t_c check (public.switch_path(a)) not valid");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    RunReport r = run(db, pkg("a1".repeat(32), "postgres", "alter table public.t validate constraint t_c;\n"
        + "create index concurrently ix on t (a);\n"), stmts("create table public.n (a int)"));
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.online().statements()).extracting(StatementRun::status).containsExactly(RunStatus.DONE, RunStatus.FAILED);
    assertThat(r.online().failed().orElseThrow().sqlstate()).as("not sent, no server error").isNull();
    assertThat(r.online().failed().orElseThrow().message()).contains("search_path is 's1, public'");
    assertThat(r.online().cleanup()).as("a statement kept back leaves nothing to look for").isEmpty();
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'ix'")).as("never built").isEqualTo("0");
  }
}
