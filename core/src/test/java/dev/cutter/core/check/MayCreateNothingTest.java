package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.derived.DdlAnalyzer;
import dev.cutter.core.check.derived.Touch;
import org.junit.jupiter.api.Test;

/**
 * Which CREATE statements may create nothing and leave a relation of that name in place (R43): those
 * saying IF NOT EXISTS or OR REPLACE where the statement's grammar has them, read once by the DDL
 * analysis ({@link Touch#mayCreateNothing()}); any other CREATE of an existing name fails.
 */
class MayCreateNothingTest {

  private static boolean mayCreateNothing(String sql) {
    return DdlAnalyzer.touches(1, 1, sql).stream().filter(t -> t.action() == Touch.Action.CREATE).findFirst()
        .orElseThrow(() -> new AssertionError("no CREATE in " + sql)).mayCreateNothing();
  }

  @Test
  void ifNotExistsAndOrReplaceMayCreateNothing() {
    assertThat(mayCreateNothing("create table if not exists t (a int)")).isTrue();
    assertThat(mayCreateNothing("CREATE TABLE IF NOT EXISTS s.t AS SELECT 1")).isTrue();
    assertThat(mayCreateNothing("create materialized view If Not Exists v as select 1")).isTrue();
    assertThat(mayCreateNothing("create or replace view v as select 1")).isTrue();
    assertThat(mayCreateNothing("create unlogged table if not exists t (a int)")).isTrue();
    assertThat(mayCreateNothing("create sequence if not exists q")).isTrue();
  }

  @Test
  void anyOtherCreateFailsOnAnExistingNameWhateverItsTextSays() {
    assertThat(mayCreateNothing("create table t (a int references p (id))")).isFalse();
    assertThat(mayCreateNothing("create table t (a text default 'if not exists')")).isFalse();
    assertThat(mayCreateNothing("create table t (a int) -- or replace")).isFalse();
    assertThat(mayCreateNothing("create table \"if not exists\" (a int)")).isFalse();
    assertThat(mayCreateNothing("create table t as select 1 where not exists (select 1 from u)")).isFalse();
  }

  @Test
  void theFlagSurvivesANameTheArtifactsOwnSearchPathGives() {
    java.util.List<dev.cutter.core.exec.ExecStatement> s = java.util.List.of(
        new dev.cutter.core.exec.ExecStatement(1, 1, "set search_path = app"),
        new dev.cutter.core.exec.ExecStatement(2, 2, "create table if not exists t (a int)"));
    Touch t = dev.cutter.core.check.derived.StatementAnalysis.touches(s).get(0);
    assertThat(t.object().toString()).isEqualTo("app.t");
    assertThat(t.mayCreateNothing()).isTrue();
  }
}
