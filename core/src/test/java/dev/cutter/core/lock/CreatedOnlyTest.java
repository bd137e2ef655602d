package dev.cutter.core.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which statements name only relations the script created: narrow, and anything not understood is measured. */
class CreatedOnlyTest {

  private static boolean[] of(String... sql) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < sql.length; i++) {
      out.add(new ExecStatement(i + 1, i + 1, sql[i]));
    }
    return CreatedOnly.of(out);
  }

  @Test
  void theBenchWorkloadNamesOnlyWhatItCreated() {
    assertThat(of("create schema bench;",
        "create table bench.t0 (id bigint primary key, name text not null, v numeric(12,2), created timestamptz default now());",
        "create index t0_name on bench.t0 (name);",
        "create view bench.v0 as select id, name from bench.t0 where v > 0;",
        "comment on table bench.t0 is E'table 0\\nit''s \\\\ quoted; with a semicolon';",
        "comment on column bench.t0.name is E'name of 0\\t(tab)';",
        "comment on index bench.t0_name is 'i'",
        "comment on view bench.v0 is null"))
        .containsExactly(true, true, true, true, true, true, true, true);
  }

  /** Whether {@code sql} is taken right after {@code create table t (id int, d date)}. */
  private static boolean afterT(String sql) {
    return of("create table t (id int, d date)", sql)[1];
  }

  @Test
  void creationsThatReadOrNameAnExistingRelationAreMeasured() {
    assertThat(List.of("create table if not exists x (id int)", "create table x as select 1",
        "create table x partition of t for values in (1)", "create table x of some_type",
        "create table x (a int references t (id))", "create table x (like t)",
        "create table x (a int generated always as (1) stored)", "create sequence s owned by t.id",
        "create index concurrently on t (id)", "create schema s create table x (id int)",
        "create table x (id int) inherits (t)"))
        .allSatisfy(sql -> assertThat(afterT(sql)).as(sql).isFalse());
    assertThat(List.of("create table x (id int)", "create sequence s", "create index on t (id)",
        "create unique index t_id on t (id) where id > 0", "create schema s authorization r"))
        .allSatisfy(sql -> assertThat(afterT(sql)).as(sql).isTrue());
  }

  @Test
  void aViewIsOnlyTakenWhenEveryRelationItReadsWasCreated() {
    assertThat(List.of("create view a as select * from t, t u", "create view a as select * from old",
        "create view b as select * from t where id in (select id from old)",
        "create view c as with w as (select 1) select * from w", "create view d as select extract(year from d) from t",
        "create view e as table t", "create or replace view g as select 1",
        "create view h as select * from generate_series(1, 3)", "create recursive view r (n) as select 1",
        "create view j as select * from t join old on true"))
        .allSatisfy(sql -> assertThat(afterT(sql)).as(sql).isFalse());
    assertThat(List.of("create view f as select * from t natural join (select id from t) s",
        "create view i as select * from t with local check option",
        "create view k as select a.id from t as a left join t b on a.id = b.id"))
        .allSatisfy(sql -> assertThat(afterT(sql)).as(sql).isTrue());
    assertThat(of("create view v as select 1", "create or replace view v as select 2")).containsExactly(true, true);
  }

  @Test
  void namesAreComparedAsWrittenAndAnyOtherStatementForgetsWhatWasCreated() {
    assertThat(of("create table s.t (id int)", "create index on t (id)")).containsExactly(true, false);
    assertThat(of("create table s.t (id int)", "comment on constraint c on s.t is 'x'", "create index on s.t (id)"))
        .as("anything not understood forgets what was created").containsExactly(true, false, false);
    assertThat(of("create table s.t (id int)", "create index i on s.t (id)", "comment on index s.i is 'x'",
        "comment on index i is 'x'")).containsExactly(true, true, true, false);
    assertThat(of("create table pg_class (id int)", "create index on pg_class (id)"))
        .as("an unqualified pg_ name may be the system catalog's").containsExactly(false, false);
    assertThat(of("create temp table a (id int)", "create unlogged table b (id int)", "select 1",
        "create index on a (id)")).containsExactly(true, true, false, false);
  }
}
