package dev.cutter.core.run;

import static dev.cutter.core.run.CreatedFirstAtBeginTest.apply;
import static dev.cutter.core.run.CreatedFirstAtBeginTest.applyIn;
import static dev.cutter.core.run.CreatedFirstAtBeginTest.applyMessage;
import static dev.cutter.core.run.CreatedFirstAtBeginTest.atBegin;
import static dev.cutter.core.run.CreatedFirstAtBeginTest.duringTheFirstStatement;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.BeginRecheck;
import dev.cutter.core.sql.CopyData;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * R47, at BEGIN and before COMMIT: an artifact that runs {@code SET search_path = s1, public} and
 * then {@code insert into t} writes {@code s1.t}. BEGIN locks and fingerprints that relation, not
 * the {@code public.t} apply_role's own search_path finds, so a trigger another session puts on it
 * after P1 is refused there; and a schema cannot be locked, so whether apply_role may still use the
 * schema the artifact's path lists first is compared at BEGIN and proved again before COMMIT.
 */
@WithPostgres
class ArtifactSearchPathAtBeginTest {

  private static void seed(TestDatabase db) {
    db.execute("create schema s1");
    db.execute("create table s1.t (a int)");
    db.execute("create table public.t (a int)");
    db.execute("create table public.seen (what text)");
    db.execute("create function public.theirs() returns trigger language plpgsql as $$ begin"
        + " insert into public.seen values ('theirs'); return new; end $$");
  }

  /** Before R47 this passed: BEGIN locked and compared public.t, and the trigger on s1.t ran inside the change. */
  @Test
  void aTriggerPutOnTheRelationTheArtifactsOwnPathFindsIsRefusedAtBegin(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = apply(db, "create trigger theirs before insert on s1.t for each row execute function public.theirs()",
        "set search_path = s1, public", "insert into t values (1)");
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(atBegin(r, BeginRecheck.CATALOG).message()).contains("s1.t").contains("trigger theirs");
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("0");
  }

  @Test
  void theRelationTheArtifactsOwnPathFindsIsTheOneLocked(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = apply(db, null, "set search_path = s1, public", "insert into t values (1)");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(atBegin(r, BeginRecheck.LOCKS).actual()).isEqualTo("ROW EXCLUSIVE on s1.t");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("1");
  }

  /** Dropped between P1 and BEGIN, the empty schema s1 would have sent the CREATE to public. */
  @Test
  void aSchemaTheArtifactsPathListsFirstDroppedBeforeBeginIsRefusedThere(TestDatabase db) throws SQLException {
    db.execute("create schema s1");
    RunReport r = apply(db, "drop schema s1", "set search_path = s1, public", "create table n (a int)");
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(atBegin(r, BeginRecheck.CATALOG).message()).contains("s1").contains("absent");
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'n'")).isEqualTo("0");
  }

  /** Dropped after BEGIN, while the first statement runs: the CREATE went to public, and the change is rolled back. */
  @Test
  void aSchemaTheArtifactsPathListsFirstDroppedAfterBeginIsRefusedBeforeCommit(TestDatabase db) throws Exception {
    db.execute("create schema s1");
    Thread meanwhile = duringTheFirstStatement(db, "drop schema s1");
    RunReport r = apply(db, null, "select pg_sleep(1.5)", "set search_path = s1, public", "create table n (a int)");
    meanwhile.join();
    assertThat(r.verdict()).isNotEqualTo(Verdict.PASS);
    assertThat(applyMessage(r)).contains("schema s1").contains("absent");
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(
        new Cause.TargetChangedSinceP1(Cause.Recheck.SCHEMA_NO_LONGER_USABLE, null, "s1", null));
    assertThat(r.toString()).as("cutter's own refusal, no server error").doesNotContain("42P07");
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'n'")).isEqualTo("0");
  }

  /** Another session's trigger, put on {@code relation} between P1 and BEGIN, records that it ran. */
  private static String theirTriggerOn(String name, String relation) {
    return "create trigger " + name + " before insert on " + relation + " for each statement execute function public.theirs()";
  }

  /** The change was refused at BEGIN before the other session's trigger could run inside it. */
  private static void refusedBeforeTheirTriggerRan(TestDatabase db, RunReport r) {
    assertThat(r.verdict()).as("the trigger ran inside the change: %s", r.gates()).isEqualTo(Verdict.BLOCKED);
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("0");
  }

  /**
   * {@code SET SCHEMA 's1'} is {@code SET search_path TO 's1'} and never spells search_path; nor
   * does {@code "SEARCH_PATH"}, a name the server looks up ignoring case. Before: neither was
   * followed, BEGIN locked and compared public.t, and the trigger on s1.t ran inside the change (PASS).
   */
  @Test
  void aSearchPathSetBySetSchemaOrANameInCapitalsIsFollowed(TestDatabase db) throws SQLException {
    seed(db);
    refusedBeforeTheirTriggerRan(db, apply(db, theirTriggerOn("theirs", "s1.t"), "set schema 's1'", "insert into t values (1)"));
    refusedBeforeTheirTriggerRan(db, apply(db, theirTriggerOn("theirs2", "s1.t"), "set \"SEARCH_PATH\" = s1, public",
        "insert into t values (1)"));
  }

  /**
   * A temporary table takes an unqualified name only where the server searches pg_temp first: not
   * once the artifact lists pg_temp after s1, dropped it, or discarded it. Before: the analysis took
   * {@code t} for the temporary table in all three, BEGIN locked public.t, and the trigger on s1.t
   * ran inside the change (PASS).
   */
  @Test
  void aTemporaryTableSearchedAfterTheFirstSchemaDroppedOrDiscardedDoesNotTakeTheName(TestDatabase db) throws SQLException {
    seed(db);
    refusedBeforeTheirTriggerRan(db, apply(db, theirTriggerOn("theirs", "s1.t"), "create temp table t (a int)",
        "set search_path = s1, pg_temp", "insert into t values (1)"));
    refusedBeforeTheirTriggerRan(db, apply(db, theirTriggerOn("theirs2", "s1.t"), "set search_path = s1",
        "create temp table t (a int)", "drop table t", "insert into t values (1)"));
    refusedBeforeTheirTriggerRan(db, apply(db, theirTriggerOn("theirs3", "s1.t"), "set search_path = s1",
        "create temp table t (a int)", "discard temp", "insert into t values (1)"));
  }

  /**
   * {@code DISCARD ALL} (autocommit mode only) gives the session's search_path back, as RESET ALL
   * does. Before: the analysis kept s1 after it and BEGIN compared s1.t; the trigger put on public.t,
   * which the insert writes, was not seen, and only the change key DISCARD ALL gave up stopped the
   * run before statement 3, with statements 1 and 2 committed (FAIL).
   */
  @Test
  void discardAllGivesTheSessionsPathBack(TestDatabase db) throws SQLException {
    seed(db);
    refusedBeforeTheirTriggerRan(db, applyIn(db, ApplySettings.Mode.AUTOCOMMIT, theirTriggerOn("theirs", "public.t"),
        "set search_path = s1, public", "discard all", "insert into t values (1)"));
  }

  /**
   * Another session creates the schema the artifact creates with IF NOT EXISTS and then lists first,
   * after BEGIN: the change's table would live in a schema another role owns (and may drop from).
   * Before: PASS, table n committed in the other role's schema f.
   */
  @Test
  void aSchemaAnotherSessionCreatesAfterBeginIsNotTakenForTheChangesOwn(TestDatabase db) throws Exception {
    String role = db.createRole("theirs");
    Thread meanwhile = duringTheFirstStatement(db, "create schema f authorization " + role);
    RunReport r = apply(db, null, "select pg_sleep(1.5)", "create schema if not exists f", "set search_path = f",
        "create table n (a int)");
    meanwhile.join();
    assertThat(r.verdict()).as("%s", r.gates()).isNotEqualTo(Verdict.PASS);
    assertThat(applyMessage(r)).contains("schema f was created by another session after BEGIN");
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(
        new Cause.TargetChangedSinceP1(Cause.Recheck.SCHEMA_MADE_BY_ANOTHER_SESSION, null, "f", null));
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'n'")).isEqualTo("0");
    RunReport own = apply(db, null, "create schema if not exists g", "set search_path = g", "create table n (a int)");
    assertThat(own.verdict()).as("%s", own.gates()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select relnamespace::regnamespace::text from pg_class where relname = 'n'")).isEqualTo("g");
  }

  /**
   * {@code COPY t FROM STDIN} writes t as an INSERT does: BEGIN must lock and compare the relation it
   * writes, here s1.t through the artifact's own path. Before: COPY touched nothing, BEGIN locked
   * nothing, and the trigger another session put on s1.t after P1 ran inside the change (PASS).
   */
  @Test
  void aCopyIntoARelationIsLockedAndComparedAsAnInsertIs(TestDatabase db) throws SQLException {
    seed(db);
    List<ExecStatement> change = List.of(new ExecStatement(1, 1, "set search_path = s1, public;"),
        new ExecStatement(2, 2, "copy t from stdin;", new CopyData(3, 3, true, "1\n")));
    refusedBeforeTheirTriggerRan(db, applyIn(db, ApplySettings.Mode.TRANSACTION, theirTriggerOn("theirs", "s1.t"), change));
  }

  /**
   * A type or routine cannot be locked as a relation is: another session (its owner) drops the
   * {@code mood} of s1 between P1 and BEGIN, or adds an {@code f(int)} further along the path, and
   * the artifact's unqualified {@code ALTER TYPE mood} or {@code ALTER FUNCTION f(int)} acts on the
   * one in public. Before: PASS, public's renamed.
   */
  @Test
  void aTypeOrRoutineTheArtifactsPathFindsChangedBeforeBeginIsRefusedThere(TestDatabase db) throws SQLException {
    seed(db);
    db.execute("create type s1.mood as enum ('a')");
    db.execute("create type public.mood as enum ('a')");
    RunReport type = apply(db, "drop type s1.mood", "set search_path = s1, public", "alter type mood rename value 'a' to 'b'");
    assertThat(type.verdict()).as("%s", type.gates()).isEqualTo(Verdict.BLOCKED);
    assertThat(atBegin(type, BeginRecheck.CATALOG).message()).contains("s1.mood");
    assertThat(db.queryValue("select string_agg(enumlabel, ',') from pg_enum where enumtypid = 'public.mood'::regtype"))
        .isEqualTo("a");
    db.execute("create function s1.f(text) returns int language sql as 'select 1'");
    RunReport routine = apply(db, "create function public.f(int) returns int language sql as 'select 2'",
        "set search_path = s1, public", "alter function f(int) rename to g");
    assertThat(routine.verdict()).as("%s", routine.gates()).isEqualTo(Verdict.BLOCKED);
    assertThat(db.queryValue("select count(*) from pg_proc where proname = 'f'")).isEqualTo("2");
  }

  /** Autocommit mode: a plain SET lasts the session, and what it finds is locked as in transaction mode (held). */
  @Test
  void inAutocommitModeAPlainSetIsFollowedAsInTransactionMode(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = applyIn(db, ApplySettings.Mode.AUTOCOMMIT, null, "set search_path = s1, public;",
        "create table n (a int);", "insert into n values (1);", "insert into t values (1);");
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    assertThat(atBegin(r, BeginRecheck.LOCKS).actual()).isEqualTo("ROW EXCLUSIVE on s1.t");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("1");
    assertThat(db.queryValue("select count(*) from s1.n")).isEqualTo("1");
    RunReport refused = applyIn(db, ApplySettings.Mode.AUTOCOMMIT, theirTriggerOn("theirs", "s1.t"),
        "set search_path = s1, public;", "insert into t values (2);");
    assertThat(refused.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("1");
  }

  /**
   * After {@code SET ROLE writer}, the server searches the path with writer's USAGE: BEGIN compares it
   * for writer, so a REVOKE between P1 and BEGIN is refused. Before: BEGIN read the names through
   * apply_role's path, locked public.t, and writer's insert went to public.t (PASS).
   */
  @Test
  void theRoleTheArtifactSwitchesToIsTheOneWhoseUsageIsCompared(TestDatabase db) throws SQLException {
    seed(db);
    String writer = db.createRole("writer");
    db.execute("grant usage on schema s1 to " + writer);
    db.execute("grant insert on s1.t, public.t to " + writer);
    RunReport r = apply(db, "revoke usage on schema s1 from " + writer, "set role " + writer + ";",
        "set search_path = s1, public;", "insert into t values (1);");
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.BLOCKED);
    assertThat(atBegin(r, BeginRecheck.CATALOG).message()).contains("s1 for role " + writer);
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("0");
  }

  /**
   * R56: a function the change calls sets the search_path without the artifact's text naming it; the next
   * unqualified INSERT then writes s1.t, which BEGIN neither locked nor fingerprinted, and its trigger runs.
   * Such a setting lasts to the end of the transaction: before COMMIT the session's search_path is compared
   * with the one the text leaves, and the change is rolled back with the trigger's work.
   */
  @Test
  void aSearchPathAFunctionSetsUnseenIsRefusedBeforeCommit(TestDatabase db) throws SQLException {
    switchingFunction(db);
    refusedAsSwitchedUnseen(db, apply(db, null, "select public.switch()", "insert into t values (1)"));
  }

  /**
   * R64: a function the change calls creates a temporary table {@code t}; the server searches the temporary schema
   * first, so the next unqualified {@code insert into t} writes the session's temporary table, which goes with the
   * session, not public.t, which P1 proved and BEGIN locked. Before: PASS, and public.t stayed empty. Before COMMIT the
   * session's temporary relations named as relations the artifact names unqualified (and does not create temporary
   * itself) are looked for; the change is rolled back.
   */
  @Test
  void aTemporaryTableAFunctionCreatesThatTakesAnUnqualifiedNameIsRefusedBeforeCommit(TestDatabase db)
      throws SQLException {
    seed(db);
    db.execute("create function public.mktemp() returns void language plpgsql as $$ begin"
        + " create temporary table t (a int); end $$");
    RunReport r = apply(db, null, "select public.mktemp()", "insert into t values (1)");
    assertThat(r.verdict()).as("%s", r.gates()).isNotEqualTo(Verdict.PASS);
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(new Cause.TargetChangedSinceP1(
        Cause.Recheck.TEMPORARY_TABLE_TAKES_NAME, "t", null, null));
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("0");

    assertThat(applyIn(db, ApplySettings.Mode.TRANSACTION, null, "d".repeat(64),
        ApplyRunTest.stmts("select public.mktemp()", "insert into public.t values (1)")).verdict())
        .as("a qualified name is not taken").isEqualTo(Verdict.PASS);
    RunReport own = applyIn(db, ApplySettings.Mode.TRANSACTION, null, "e".repeat(64), ApplyRunTest.stmts(
        "create temporary table scratch (a int)", "insert into scratch values (1)", "insert into t select a from scratch"));
    assertThat(own.verdict()).as("the artifact's own temporary table: %s", own.gates()).isEqualTo(Verdict.PASS);
  }

  /**
   * R64 in autocommit mode: the statement after the one whose function created the temporary table is not sent (the
   * look rides on the change key's query before each statement). Before: PASS, public.t empty.
   */
  @Test
  void anAutocommitStatementAfterAFunctionCreatedATemporaryTableOfItsNameIsNotSent(TestDatabase db) throws SQLException {
    seed(db);
    db.execute("create function public.mktemp() returns void language plpgsql as $$ begin"
        + " create temporary table t (a int); end $$");
    RunReport r = applyIn(db, ApplySettings.Mode.AUTOCOMMIT, null, "a".repeat(64),
        ApplyRunTest.stmts("select public.mktemp()", "insert into t values (1)"));
    assertThat(r.verdict()).as("%s", r.gates()).isNotEqualTo(Verdict.PASS);
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(new Cause.TargetChangedSinceP1(
        Cause.Recheck.TEMPORARY_TABLE_TAKES_NAME, "t", null, null));
    assertThat(applyMessage(r)).contains("not sent");
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("0");
  }

  /** Seeded, with another session's trigger on s1.t and a function that sets the path to s1, public unseen. */
  private static void switchingFunction(TestDatabase db) {
    seed(db);
    db.execute("create trigger theirs before insert on s1.t for each row execute function public.theirs()");
    db.execute("create function public.switch() returns void language plpgsql as $$ begin"
        + " perform set_config('search_path', 's1, public', true); end $$");
  }

  /** Rolled back as the path the function set unseen, before the trigger on s1.t ran. */
  private static void refusedAsSwitchedUnseen(TestDatabase db, RunReport r) {
    assertThat(r.verdict()).as("%s", r.gates()).isNotEqualTo(Verdict.PASS);
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(new Cause.TargetChangedSinceP1(
        Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN, null, "s1, public", "\"$user\", public"));
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("0");
  }

  /**
   * R58: the artifact's own RESET (or SET) after the function's unseen set_config gives the path the text
   * expects back before COMMIT, so comparing there alone finds nothing; the INSERT between wrote s1.t and
   * ran its trigger. Before each statement that may change the path, the session's path must be the one
   * the text leaves there. Before: PASS, the trigger on s1.t ran inside the change.
   */
  @Test
  void aSearchPathAFunctionSetsUnseenThenTheTextResetsIsRefused(TestDatabase db) throws SQLException {
    switchingFunction(db);
    for (String back : List.of("reset search_path", "set search_path to default", "set search_path = public")) {
      refusedAsSwitchedUnseen(db, apply(db, null, "select public.switch()", "insert into t values (1)", back));
    }
  }

  /**
   * R60: the path's setting is unchanged, but a function switches the role ({@code set_config('role', …)}) and
   * {@code "$user"} now finds the schema named as that role: the INSERT wrote x.t and ran its trigger, and the
   * comparison of the setting found nothing. Before: PASS.
   */
  @Test
  void aRoleAFunctionSwitchesToUnseenMovesUserAndIsRefused(TestDatabase db) throws SQLException {
    String x = becomingFunction(db, true);
    RunReport r = apply(db, null, "select public.become()", "insert into t values (1)", "reset role");
    assertThat(r.verdict()).as("%s", r.gates()).isNotEqualTo(Verdict.PASS);
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(new Cause.TargetChangedSinceP1(
        Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN, null, "\"$user\", public as role " + x, "\"$user\", public as role postgres"));
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from " + x + ".t")).isEqualTo("0");
  }

  /**
   * Seeded, with role x, its schema x holding x.t with another session's trigger, and {@code public.become()}, which
   * switches the role to x ({@code set_config('role', 'x', local)}); x's name.
   */
  private static String becomingFunction(TestDatabase db, boolean local) {
    seed(db);
    String x = db.createRole("x");
    db.execute("create schema " + x + " authorization " + x);
    db.execute("create table " + x + ".t (a int)");
    db.execute("grant all on " + x + ".t, public.seen to " + x);
    db.execute("grant usage on schema s1 to " + x);
    db.execute("create trigger theirs before insert on " + x + ".t for each row execute function public.theirs()");
    db.execute("create function public.become() returns void language plpgsql as $$ begin"
        + " perform set_config('role', '" + x + "', " + local + "); end $$");
    return x;
  }

  /** What the text sets and resets is no reason to refuse. */
  @Test
  void aSearchPathTheTextSetsAndResetsPasses(TestDatabase db) throws SQLException {
    seed(db);
    assertThat(apply(db, null, "set search_path = s1, public", "insert into t values (1)", "reset search_path",
        "insert into t values (2)").verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("1");
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("1");
  }

  /** Nor a SET LOCAL given back by TO DEFAULT (held). */
  @Test
  void aSetLocalAndToDefaultPass(TestDatabase db) throws SQLException {
    passes(db, "set local search_path = s1, public", "insert into t values (1)", "set search_path to default",
        "insert into t values (2)");
  }

  /** Nor a set_config spelled otherwise than the server writes it back: compared as the server splits it (held). */
  @Test
  void aSetConfigSpelledOtherwisePasses(TestDatabase db) throws SQLException {
    passes(db, "select set_config('search_path', 'S1 ,  \"public\"', true)", "insert into t values (1)",
        "reset search_path", "insert into t values (2)");
  }

  /** Nor {@code "$user"}, an empty path, a string naming one schema (held). */
  @Test
  void userEmptyAndAStringPass(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = apply(db, null, "set search_path = \"$user\", s1", "insert into s1.t values (1)",
        "set search_path = ''", "insert into public.t values (2)", "set search_path = 's1'");
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
  }

  private static void passes(TestDatabase db, String... change) throws SQLException {
    seed(db);
    passedWriting(db, apply(db, null, change), 1, 1);
  }

  /** {@code r} passed, and s1.t and public.t hold {@code inS1} and {@code inPublic} rows. */
  private static void passedWriting(TestDatabase db, RunReport r, int inS1, int inPublic) {
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo(String.valueOf(inS1));
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo(String.valueOf(inPublic));
  }

  /** Nor what it leaves set, through set_config in the artifact's own text. */
  @Test
  void aSearchPathTheTextLeavesSetThroughSetConfigPasses(TestDatabase db) throws SQLException {
    seed(db);
    assertThat(apply(db, null, "select pg_catalog.set_config('search_path', 's1', true)", "insert into t values (3)")
        .verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("1");
  }

  // -- R61: autocommit mode, where each statement commits on its own ------------------------------------------------

  /** Seeded, with another session's trigger on s1.t and a function that sets the path to s1, public for the session. */
  private static void sessionSwitchingFunction(TestDatabase db) {
    seed(db);
    db.execute("create trigger theirs before insert on s1.t for each row execute function public.theirs()");
    db.execute("create function public.switch() returns void language plpgsql as $$ begin"
        + " perform set_config('search_path', 's1, public', false); end $$");
  }

  private static int packages;

  /** An autocommit run, each of a package of its own: one that stops part-way consumes its package too. */
  private static RunReport autocommit(TestDatabase db, String... change) throws SQLException {
    return applyIn(db, ApplySettings.Mode.AUTOCOMMIT, null, String.format("%064x", ++packages),
        ApplyRunTest.stmts(change));
  }

  /**
   * Statement {@code index} was not sent: the session's path or role before it was not the one the text leaves,
   * the statements before it committed (ESCALATE), and the trigger on another session's relation never ran.
   */
  private static void stoppedBefore(TestDatabase db, RunReport r, int index, String found, String expected) {
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.apply().transaction()).isEqualTo(RunStatus.Transaction.PARTIALLY_COMMITTED);
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(new Cause.TargetChangedSinceP1(
        Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN, null, found, expected));
    assertThat(r.apply().failedStatement().index()).isEqualTo(index);
    assertThat(r.apply().failedStatement().sqlstate()).as("not sent, no server error").isNull();
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("0");
  }

  /**
   * R61: in autocommit mode a function sets the path for the session ({@code set_config(…, false)}); nothing
   * compared before COMMIT, since each statement commits on its own, and the next unqualified INSERT wrote s1.t,
   * which P1 and BEGIN never read, and committed its trigger's work. Before: PASS, the trigger on s1.t ran.
   */
  @Test
  void anAutocommitStatementAfterAFunctionSetThePathForTheSessionIsNotSent(TestDatabase db) throws SQLException {
    sessionSwitchingFunction(db);
    stoppedBefore(db, autocommit(db, "select public.switch()", "insert into t values (1)"), 2, "s1, public",
        "\"$user\", public");
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("0");
  }

  /**
   * R62: a function sets the path to one that reads as the session's own where split otherwise than the server
   * splits it ({@code "$user", p"ub"lic}: one schema named {@code p"ub"lic}; {@code pub<U+001F>lic}: the control
   * character is part of the name), so the next INSERT wrote that schema's t and committed its trigger's work. Before:
   * PASS, the trigger ran.
   */
  @Test
  void aPathThatReadsAsTheSessionsOwnOnlyWhenSplitOtherwiseThanTheServerIsNoCover(TestDatabase db) throws SQLException {
    seed(db);
    for (String schema : new String[] {"p\"ub\"lic", "pub\u001flic"}) {
      String quoted = dev.cutter.core.catalog.Identifiers.quote(schema);
      db.execute("create schema " + quoted);
      db.execute("create table " + quoted + ".t (a int)");
      db.execute("create trigger theirs before insert on " + quoted + ".t for each row execute function public.theirs()");
      db.execute("create or replace function public.lookalike() returns void language plpgsql as $$ begin"
          + " perform set_config('search_path', '\"$user\", " + schema + "', false); end $$");
      stoppedBefore(db, autocommit(db, "select public.lookalike()", "insert into t values (1)"), 2,
          "\"$user\", " + schema, "\"$user\", public");
      assertThat(db.queryValue("select count(*) from " + quoted + ".t")).isEqualTo("0");
    }
  }

  /**
   * R61 for the role: a function switches it for the session ({@code set_config('role', 'x', false)}), so
   * {@code "$user"} names schema x, and the next INSERT wrote x.t and committed its trigger's work. Before: PASS.
   */
  @Test
  void anAutocommitStatementAfterAFunctionSwitchedTheRoleForTheSessionIsNotSent(TestDatabase db) throws SQLException {
    String x = becomingFunction(db, false);
    stoppedBefore(db, autocommit(db, "select public.become()", "insert into t values (1)"), 2,
        "\"$user\", public as role " + x, "\"$user\", public as role postgres");
    assertThat(db.queryValue("select count(*) from " + x + ".t")).isEqualTo("0");
  }

  /**
   * R63: a statement of the text that merely holds the word {@code role} (a comment's text, a column named role) left
   * the role "unknown" for every statement after it, so the role a function then switched to for the session was
   * never compared: the INSERT wrote x.t and committed its trigger's work (PASS). Only a DO block or a CALL, or a
   * statement that may EXECUTE a string naming a role, leaves it unknown.
   */
  @Test
  void aStatementThatOnlyMentionsTheWordRoleDoesNotEndTheRoleComparison(TestDatabase db) throws SQLException {
    String x = becomingFunction(db, false);
    db.execute("alter table public.t add column role text");
    stoppedBefore(db, autocommit(db, "comment on table public.t is 'kept by the billing role'",
        "update public.t set role = 'billing' where false", "select public.become()", "insert into t values (1)"), 4,
        "\"$user\", public as role " + x, "\"$user\", public as role postgres");
    assertThat(db.queryValue("select count(*) from " + x + ".t")).isEqualTo("0");
  }

  /**
   * What the text itself sets, however spelled, is no reason to stop: a SET (written back by the server in its own
   * spelling), a set_config spelled otherwise, a string, RESET, and SET LOCAL or set_config(…, true), which last only
   * their own statement in autocommit mode and leave the path before them (held).
   */
  @Test
  void whatAnAutocommitArtifactsTextSetsItselfPasses(TestDatabase db) throws SQLException {
    seed(db);
    RunReport r = autocommit(db, "set search_path = S1, \"public\"", "insert into t values (1)",
        "select set_config('search_path', 's1 ,  \"public\"', false)", "insert into t values (2)",
        "set search_path = 's1'", "reset search_path", "set local search_path = s1", "select 1",
        "select pg_catalog.set_config('search_path', 's1', true)", "insert into public.t values (3)",
        "set search_path to default", "select 2");
    passedWriting(db, r, 2, 1);
  }

  /**
   * A function that sets the path or switches the role for the session, followed by a statement of the text that
   * only sets it again (a SET or RESET, which resolves no name): nothing ran under the function's setting, and the
   * statements after are compared with the text's own (held). A function that sets the path to the session's own,
   * spelled otherwise, is no change either.
   */
  @Test
  void aFunctionsSettingTheTextSetsAgainAtOnceIsNoReasonToStop(TestDatabase db) throws SQLException {
    sessionSwitchingFunction(db);
    db.execute("create function public.same() returns void language plpgsql as $$ begin"
        + " perform set_config('search_path', '\"$user\",PUBLIC', false); end $$");
    RunReport r = autocommit(db, "select public.switch()", "reset search_path", "insert into t values (1)",
        "select public.switch()", "set search_path = public", "insert into t values (2)", "reset search_path",
        "select public.same()", "insert into t values (3)");
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("3");
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    db.execute("create function public.become() returns void language plpgsql as $$ begin"
        + " perform set_config('role', '" + db.createRole("y") + "', false); end $$");
    RunReport role = autocommit(db, "select public.become()", "reset role", "insert into t values (4)");
    assertThat(role.verdict()).as("%s", role.gates()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from public.t")).isEqualTo("4");
  }

  /**
   * Attacks on R61's comparison: a SET LOCAL after the function's setting has no effect in autocommit mode (it is
   * compared before it, and the INSERT after it is not sent), and a query that sets the path itself still resolves
   * its own names through the function's (compared before it).
   */
  @Test
  void aSetLocalOrAQuerySettingThePathAfterTheFunctionsDoesNotHideIt(TestDatabase db) throws SQLException {
    sessionSwitchingFunction(db);
    stoppedBefore(db, autocommit(db, "select public.switch()", "set local search_path = \"$user\", public",
        "insert into t values (1)"), 2, "s1, public", "\"$user\", public");
    stoppedBefore(db, autocommit(db, "select public.switch()",
        "select set_config('search_path', '\"$user\", public', false), (select count(*) from t)"), 2, "s1, public",
        "\"$user\", public");
  }
}
