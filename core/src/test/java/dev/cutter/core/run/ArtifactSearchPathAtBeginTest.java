package dev.cutter.core.run;

import static dev.cutter.core.run.CreatedFirstAtBeginTest.apply;
import static dev.cutter.core.run.CreatedFirstAtBeginTest.applyMessage;
import static dev.cutter.core.run.CreatedFirstAtBeginTest.atBegin;
import static dev.cutter.core.run.CreatedFirstAtBeginTest.duringTheFirstStatement;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.BeginRecheck;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.SQLException;
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

  /**
   * R48: a function the change calls sets the search_path without the artifact's text naming it; the next
   * unqualified INSERT then writes s1.t, which BEGIN neither locked nor fingerprinted, and its trigger runs.
   * Such a setting lasts to the end of the transaction: before COMMIT the session's search_path is compared
   * with the one the text leaves, and the change is rolled back with the trigger's work.
   */
  @Test
  void aSearchPathAFunctionSetsUnseenIsRefusedBeforeCommit(TestDatabase db) throws SQLException {
    seed(db);
    db.execute("create trigger theirs before insert on s1.t for each row execute function public.theirs()");
    db.execute("create function public.switch() returns void language plpgsql as $$ begin"
        + " perform set_config('search_path', 's1, public', true); end $$");
    RunReport r = apply(db, null, "select public.switch()", "insert into t values (1)");
    assertThat(r.verdict()).isNotEqualTo(Verdict.PASS);
    assertThat(CreatedFirstAtBeginTest.applyGate(r).cause()).isEqualTo(new Cause.TargetChangedSinceP1(
        Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN, null, "s1, public", "\"$user\", public"));
    assertThat(db.queryValue("select count(*) from public.seen")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("0");
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

  /** Nor what it leaves set, through set_config in the artifact's own text. */
  @Test
  void aSearchPathTheTextLeavesSetThroughSetConfigPasses(TestDatabase db) throws SQLException {
    seed(db);
    assertThat(apply(db, null, "select pg_catalog.set_config('search_path', 's1', true)", "insert into t values (3)")
        .verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("1");
  }
}
