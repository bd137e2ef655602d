package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.login;
import static dev.cutter.core.run.ApplyRunTest.pkg;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.BeginRecheck;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A relation the artifact creates before any other statement touches it did not exist before the
 * change: BEGIN does not lock it, and compares only its absence (one cheap query, where the whole
 * relation fingerprint of an absent name took the heavy one), also where a later statement
 * references, indexes or alters it. A relation dropped first and then created again existed: it is
 * fingerprinted whole. If another session creates such a relation between P1 and BEGIN, BEGIN
 * refuses the apply as before.
 */
@WithPostgres
class CreatedFirstAtBeginTest {

  /** P1 as a stub: the readings are taken, then {@code meanwhile} runs in another session. */
  private static final class Meanwhile extends IdentityOnlyChecks {
    private final TestDatabase db;
    private final String meanwhile;

    Meanwhile(TestDatabase db, String meanwhile) {
      this.db = db;
      this.meanwhile = meanwhile;
    }

    @Override
    public Steps.P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox, Runnable identityHeld,
        Runnable routesKnown) {
      identityHeld.run();
      if (meanwhile != null) {
        db.execute(meanwhile);
      }
      routesKnown.run();
      return passed();
    }
  }

  static RunReport apply(TestDatabase db, String meanwhile, String... statements) throws SQLException {
    return applyIn(db, ApplySettings.Mode.TRANSACTION, meanwhile, statements);
  }

  static RunReport applyIn(TestDatabase db, ApplySettings.Mode mode, String meanwhile, String... statements)
      throws SQLException {
    return applyIn(db, mode, meanwhile, stmts(statements));
  }

  static RunReport applyIn(TestDatabase db, ApplySettings.Mode mode, String meanwhile, List<ExecStatement> statements)
      throws SQLException {
    return applyIn(db, mode, meanwhile, "c".repeat(64), statements);
  }

  /** As above, as the package {@code sha} (an autocommit run consumes its package even when it stops part-way). */
  static RunReport applyIn(TestDatabase db, ApplySettings.Mode mode, String meanwhile, String sha,
      List<ExecStatement> statements) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ApplyRun.Request req = new ApplyRun.Request(pkg(sha, List.of(), null, mode),
        statements, false, List.of(), login(db, "postgres"), (spec, role) -> Optional.empty(), Duration.ZERO,
        RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return new ApplyRun(INTEGRITY_OK, new Meanwhile(db, meanwhile), NO_BACKUP, Clock.systemUTC()).execute(req,
        x -> "f".repeat(64));
  }

  /** Runs {@code sql} in another session once the change's first statement ({@code select pg_sleep(1.5)}) runs. */
  static Thread duringTheFirstStatement(TestDatabase db, String sql) {
    Thread meanwhile = new Thread(() -> {
      long end = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < end && db.queryValue("select count(*) from pg_stat_activity where state = 'active'"
          + " and query like '%pg_sleep(1.5)%' and pid <> pg_backend_pid()").equals("0")) {
        Thread.onSpinWait();
      }
      db.execute(sql);
    });
    meanwhile.start();
    return meanwhile;
  }

  /** The change was rolled back as acting on another session's {@code relation}, with its trigger's work. */
  private static void refusedAsTheirs(TestDatabase db, RunReport r, String relation) {
    refusedAsTheirs(db, r, relation, RunStatus.Transaction.ROLLED_BACK);
  }

  private static void refusedAsTheirs(TestDatabase db, RunReport r, String relation, RunStatus.Transaction tx) {
    assertThat(applyMessage(r)).contains("relation " + relation + " was created by another session after BEGIN");
    refusedByCutter(r, new Cause.TargetChangedSinceP1(Cause.Recheck.CREATED_BY_ANOTHER_SESSION, relation, null, null), tx);
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
  }

  /**
   * The apply gate carries {@code cause}, what cutter found, and no SQLSTATE appears: the server raised no
   * error (42P07 was once made up for it). The verdict is what it was: ESCALATE, since the other session's
   * work stays and the baseline read after the rollback differs from the one before.
   */
  private static void refusedByCutter(RunReport r, Cause cause, RunStatus.Transaction tx) {
    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(Verdict.ESCALATE.exitCode());
    assertThat(r.apply().transaction()).isEqualTo(tx);
    assertThat(applyGate(r).cause()).isEqualTo(cause);
    assertThat(r.apply().failedStatement().sqlstate()).as("no server error").isNull();
    assertThat(applyMessage(r)).doesNotContain("SQLSTATE");
    assertThat(r.toString()).doesNotContain("42P07");
  }

  private static final String CREATE_T = "create table if not exists public.t (a int)";

  static String applyMessage(RunReport r) {
    return applyGate(r).message();
  }

  static GateResult applyGate(RunReport r) {
    return r.gates().stream().filter(g -> g.id().equals(GateIds.APPLY)).findFirst().orElseThrow();
  }

  static CheckResult atBegin(RunReport r, String id) {
    return r.gates().stream().filter(g -> g.id().equals(GateIds.APPLY)).findFirst().orElseThrow().checks().stream()
        .filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no " + id + " in " + r.gates()));
  }

  @Test
  void aRelationTheArtifactCreatesFirstIsNeitherLockedNorFingerprintedAtBegin(TestDatabase db) throws SQLException {
    RunReport r = apply(db, null, "create table public.parent (id int primary key)",
        "create table public.child (id int primary key, p int references public.parent (id))",
        "create index on public.child (p)", "alter table public.parent add column note text");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(atBegin(r, BeginRecheck.CATALOG).message()).as("parent and child: their absence").isEqualTo("2 touched relation(s) as in P1");
    assertThat(atBegin(r, BeginRecheck.LOCKS).actual()).isEqualTo("none needed");
  }

  @Test
  void aRelationDroppedAndCreatedAgainStaysFingerprinted(TestDatabase db) throws SQLException {
    db.execute("create table public.t (a int)");
    RunReport r = apply(db, null, "drop table public.t", "create table public.t (a int, b int)",
        "create index on public.t (b)");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(atBegin(r, BeginRecheck.CATALOG).message()).isEqualTo("1 touched relation(s) as in P1");
  }

  @Test
  void aRelationAnotherSessionCreatesBeforeBeginIsRefusedThere(TestDatabase db) throws SQLException {
    RunReport r = apply(db, "create table public.parent (id int primary key, theirs text)",
        "create table public.parent (id int primary key)",
        "create table public.child (id int primary key, p int references public.parent (id))");
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    CheckResult catalog = atBegin(r, BeginRecheck.CATALOG);
    assertThat(catalog.message()).contains("public.parent").contains("absent").contains("present");
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'child'")).isEqualTo("0");
  }

  /**
   * {@code IF NOT EXISTS} (or {@code OR REPLACE}) may create nothing: a relation that existed at P1 is
   * locked and fingerprinted whole at BEGIN, as any other the change writes, and a trigger another
   * session put on it meanwhile is refused there, not run by the change's INSERT.
   */
  @Test
  void aRelationCreatedIfNotExistsThatExistedAtP1IsLockedAndFingerprintedWhole(TestDatabase db) throws SQLException {
    db.execute("create table public.t (a int)");
    db.execute("create table public.seen (what text)");
    RunReport r = apply(db, "create function public.theirs() returns trigger language plpgsql as $$ begin"
        + " insert into public.seen values ('theirs'); return new; end $$;"
        + " create trigger theirs before insert on public.t for each row execute function public.theirs()",
        "create table if not exists public.t (a int)", "insert into public.t values (1)");
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(atBegin(r, BeginRecheck.CATALOG).message()).contains("public.t").contains("trigger theirs");
    assertThat(atBegin(r, BeginRecheck.LOCKS).actual()).isNotEqualTo("none needed");
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
  }

  /**
   * A name cannot be locked: another session may create a relation the change creates first after
   * BEGIN compared its absence, before the change's own {@code CREATE TABLE IF NOT EXISTS}, which then
   * creates nothing and leaves the change's later statements to the other session's table (its
   * trigger). Before COMMIT each such relation that exists is proven made by the change's own
   * transaction; here it was not, and the change is rolled back with the trigger's work.
   */
  @Test
  void aRelationAnotherSessionCreatesAfterBeginIsNotTakenForTheChangesOwn(TestDatabase db) throws Exception {
    RunReport r = theirsDuringTheFirstStatement(db, CREATE_T, "insert into public.t values (1)");
    refusedAsTheirs(db, r, "public.t");
  }

  /**
   * R57: a DO block creates the relation, which the analysis does not read into, so the INSERT after it
   * is the change's first touch of a relation P1 and BEGIN found absent (nothing to lock). Another session
   * that creates it after BEGIN makes the block's IF NOT EXISTS create nothing, and its trigger ran in the
   * change's INSERT (PASS before); before COMMIT such a relation must be the change's own.
   */
  @Test
  void aRelationADoBlockCreatesThatAnotherSessionCreatedAfterBeginIsNotTakenForTheChangesOwn(TestDatabase db)
      throws Exception {
    RunReport r = theirsDuringTheFirstStatement(db,
        "do $$ begin create table if not exists public.t (a int); end $$", "insert into public.t values (1)");
    refusedAsTheirs(db, r, "public.t");
  }

  /**
   * R59: the DO block's relation, then a TRUNCATE (or ALTER) that rewrites its catalog row: the row is the
   * change's own before COMMIT though the relation was another session's and its trigger ran in the INSERT.
   * Whose it is must be proven right after the statement before the change's first one that touches it.
   * Before: PASS, the other session's trigger ran in the change.
   */
  @Test
  void aRelationADoBlockCreatesThatAnotherSessionCreatedIsNotTakenForTheChangesOwnAfterTruncate(TestDatabase db)
      throws Exception {
    RunReport r = theirsDuringTheFirstStatement(db,
        "do $$ begin create table if not exists public.t (a int); end $$", "insert into public.t values (1)",
        "truncate public.t");
    refusedAsTheirs(db, r, "public.t");
  }

  /** The same DO block where nobody else creates the relation: the change's own, and it passes. */
  @Test
  void aRelationADoBlockCreatesIsTheChangesOwn(TestDatabase db) throws SQLException {
    RunReport r = apply(db, null, "do $$ begin create table if not exists public.t (a int); end $$",
        "insert into public.t values (1)");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("1");
  }

  /**
   * A later statement of the change that rewrites the relation's catalog row (TRUNCATE gives it a new
   * file; TRUNCATE needs only the privilege the other session may grant to all) leaves that row written
   * by the change's transaction: whose relation it is must be proven before any such statement, not
   * read from the row before COMMIT.
   */
  @Test
  void aRelationAnotherSessionCreatesAfterBeginIsNotTakenForTheChangesOwnAfterTruncate(TestDatabase db)
      throws Exception {
    RunReport r = theirsDuringTheFirstStatement(db, CREATE_T, "truncate public.t", "insert into public.t values (1)");
    refusedAsTheirs(db, r, "public.t");
  }

  /**
   * A staging table the change creates, fills and drops again is gone before COMMIT: a look for it
   * by name then finds nothing, though another session's trigger on it ran in the change's INSERT.
   */
  @Test
  void aRelationAnotherSessionCreatesAfterBeginIsNotTakenForTheChangesOwnWhenTheChangeDropsIt(TestDatabase db)
      throws Exception {
    RunReport r = theirsDuringTheFirstStatement(db, CREATE_T, "insert into public.t values (1)", "drop table public.t");
    refusedAsTheirs(db, r, "public.t");
  }

  /**
   * The change names the relation it creates otherwise than the statements that write it ({@code t},
   * then {@code public.t}): the name it creates has no later touch of its own, and the one it writes is
   * first touched by the INSERT (absent at P1 and at BEGIN, nothing to lock). Whose the relation is
   * must be proven all the same.
   */
  @Test
  void aRelationAnotherSessionCreatesAfterBeginIsNotTakenForTheChangesOwnWhereItIsWrittenUnderAnotherName(
      TestDatabase db) throws Exception {
    RunReport r = theirsDuringTheFirstStatement(db, "create table if not exists t (a int)",
        "insert into public.t values (1)");
    refusedAsTheirs(db, r, "t");
  }

  /**
   * In autocommit mode each statement commits at once, so nothing can be proven before COMMIT: the
   * statement whose CREATE may create nothing runs in a transaction of its own with that proof, and
   * the run stops there, before any later statement acts on another session's relation.
   */
  @Test
  void aRelationAnotherSessionCreatesAfterBeginIsNotTakenForTheChangesOwnInAutocommitMode(TestDatabase db)
      throws Exception {
    RunReport r = theirsDuringTheFirstStatement(db, ApplySettings.Mode.AUTOCOMMIT, CREATE_T,
        "insert into public.t values (1)");
    // statement 1 (the pg_sleep) committed before; statement 2 was rolled back and 3 did not run
    refusedAsTheirs(db, r, "public.t", RunStatus.Transaction.PARTIALLY_COMMITTED);
    assertThat(r.apply().committedStatements()).containsExactly(1);
  }

  /** In autocommit mode the change's own CREATE … IF NOT EXISTS, proven in a transaction of its own, commits. */
  @Test
  void aCreateIfNotExistsInAutocommitModeCommitsItsOwnRelation(TestDatabase db) throws SQLException {
    RunReport r = applyIn(db, ApplySettings.Mode.AUTOCOMMIT, null, "create table if not exists public.t (a int)",
        "insert into public.t values (1)");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("1");
  }

  /** A CREATE … IF NOT EXISTS of a relation that was there at P1 (and stays the same) creates nothing, and passes. */
  @Test
  void aCreateIfNotExistsOfARelationThatWasThereAtP1Passes(TestDatabase db) throws SQLException {
    db.execute("create table public.t (a int)");
    RunReport r = apply(db, null, "create table if not exists t (a int)", "create table if not exists public.t (a int)",
        "insert into public.t values (1)");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
  }

  /**
   * A schema cannot be locked either: another session that makes one earlier on apply_role's search_path
   * after BEGIN compared where an unqualified CREATE goes ({@code "$user"}: a schema named as the role)
   * takes the change's new relation. Before COMMIT the relations created first under an unqualified
   * name are where BEGIN saw an unqualified CREATE go.
   */
  @Test
  void aSchemaAnotherSessionPutsEarlierOnTheSearchPathAfterBeginIsRefusedBeforeCommit(TestDatabase db)
      throws Exception {
    Thread meanwhile = duringTheFirstStatement(db, "create schema postgres");
    RunReport r = apply(db, null, "select pg_sleep(1.5)", "create table t (a int)", "create index on t (a)");
    meanwhile.join();
    assertThat(applyMessage(r)).contains("relation t was created in schema postgres, not in public");
    refusedByCutter(r, new Cause.TargetChangedSinceP1(Cause.Recheck.CREATED_IN_ANOTHER_SCHEMA, "t", "postgres", "public"),
        RunStatus.Transaction.ROLLED_BACK);
    assertThat(db.queryValue("select count(*) from pg_class where relname = 't'")).isEqualTo("0");
  }

  /** An artifact that sets its own search_path creates its unqualified relations where that path says, and passes. */
  @Test
  void anUnqualifiedCreateWhereTheArtifactSetItsOwnSearchPathPasses(TestDatabase db) throws SQLException {
    db.execute("create schema s1");
    RunReport r = apply(db, null, "set search_path = s1, public", "create table t (a int)", "create index on t (a)",
        "reset search_path", "set local search_path = s1", "create table u (a int)", "insert into u values (1)",
        "reset search_path");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 's1'::regnamespace")).isEqualTo("3");
  }

  /**
   * The change {@code select pg_sleep(1.5)}, {@code create} ({@code create table if not exists public.t (a int)}) and then
   * {@code after}; while its first statement runs (BEGIN's re-check done), another session creates
   * public.t with a trigger that notes each row in public.seen.
   */
  private static RunReport theirsDuringTheFirstStatement(TestDatabase db, String create, String... after)
      throws Exception {
    return theirsDuringTheFirstStatement(db, ApplySettings.Mode.TRANSACTION, create, after);
  }

  private static RunReport theirsDuringTheFirstStatement(TestDatabase db, ApplySettings.Mode mode, String create,
      String... after) throws Exception {
    db.execute("create table public.seen (what text)");
    db.execute("create function public.theirs() returns trigger language plpgsql as $$ begin"
        + " insert into public.seen values ('theirs'); return new; end $$");
    Thread meanwhile = duringTheFirstStatement(db, "create table public.t (a int); create trigger theirs before insert"
        + " on public.t for each row execute function public.theirs()");
    List<String> statements = new java.util.ArrayList<>(List.of("select pg_sleep(1.5)", create));
    statements.addAll(List.of(after));
    RunReport r = applyIn(db, mode, null, statements.toArray(String[]::new));
    meanwhile.join();
    return r;
  }

  /**
   * An unqualified CREATE goes to the first schema of apply_role's search_path that exists: another
   * session that makes an earlier one between P1 and BEGIN ({@code "$user"}: a schema named as the
   * role) moves the change's new relation there, with no relation of that name anywhere to compare.
   * BEGIN compares where an unqualified CREATE goes with where it went at P1.
   */
  @Test
  void aSchemaAnotherSessionPutsEarlierOnTheSearchPathBeforeBeginIsRefusedThere(TestDatabase db) throws SQLException {
    RunReport r = apply(db, "create schema postgres", "create table t (a int)", "create index on t (a)");
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(atBegin(r, BeginRecheck.CATALOG).message()).contains("public").contains("postgres");
    assertThat(db.queryValue("select count(*) from pg_class where relname = 't'")).isEqualTo("0");
  }
}
