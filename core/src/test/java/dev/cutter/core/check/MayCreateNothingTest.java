package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which CREATE statements may create nothing and leave a relation of that name in place (R43): those
 * saying IF NOT EXISTS or OR REPLACE, read from their tokens; any other CREATE of an existing name fails.
 */
class MayCreateNothingTest {

  @Test
  void ifNotExistsAndOrReplaceMayCreateNothing() {
    assertThat(BeginRecheck.mayCreateNothing("create table if not exists t (a int)")).isTrue();
    assertThat(BeginRecheck.mayCreateNothing("CREATE TABLE IF NOT EXISTS s.t AS SELECT 1")).isTrue();
    assertThat(BeginRecheck.mayCreateNothing("create materialized view If Not Exists v as select 1")).isTrue();
    assertThat(BeginRecheck.mayCreateNothing("create or replace view v as select 1")).isTrue();
  }

  @Test
  void anyOtherCreateFailsOnAnExistingNameWhateverItsTextSays() {
    assertThat(BeginRecheck.mayCreateNothing("create table t (a int references p (id))")).isFalse();
    assertThat(BeginRecheck.mayCreateNothing("create table t (a text default 'if not exists')")).isFalse();
    assertThat(BeginRecheck.mayCreateNothing("create table t (a int) -- or replace")).isFalse();
    assertThat(BeginRecheck.mayCreateNothing("create table \"if not exists\" (a int)")).isFalse();
  }
}
