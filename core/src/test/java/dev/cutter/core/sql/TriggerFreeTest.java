package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TriggerFreeTest {

  @Test
  void ddlThatFiresNoTriggerAndRunsNoQuery() {
    for (String t : new String[] {"create table t(id int);", "CREATE TEMP TABLE t (a int, b int generated always as (a) stored);",
        "create unique index i on t(a);", "create or replace view v as select 1;", "create function f() returns int as $$ select 1 $$ language sql;",
        "alter table t add column c int;", "drop table t;", "drop event trigger e;", "comment on table t is 'x';",
        "grant select on t to r;", "revoke all on t from r;", "/* c */ -- d\n create schema s;", "set search_path = s;",
        "reset all;", "create trigger tr after insert on t for each row execute function f();",
        "create table t (like u including all);"}) {
      assertThat(TriggerFree.command(t)).as(t).isTrue();
    }
  }

  @Test
  void whatMayFireATriggerRunAQueryOrCreateAnEventTrigger() {
    for (String t : new String[] {"insert into t values (1);", "update t set a = 1;", "delete from t;",
        "merge into t using u on true when matched then delete;", "truncate t;", "copy t from stdin;", "select 1;",
        "call p();", "do $$ begin end $$;", "execute q;", "with x as (select 1) insert into t select * from x;",
        "values (1);", "table t;", "refresh materialized view m;", "create table t as select 1;",
        "create temp table t (a) as values (1);", "create unlogged table if not exists t as execute q;",
        "create materialized view m as select 1 with no data;", "create extension e;", "alter extension e update;",
        "create event trigger e on ddl_command_end execute function f();", "alter event trigger e enable;",
        "set constraints all immediate;", "select * into t from u;", "\"create\" table t();", "lock table t;",
        "explain analyze insert into t values (1);", "analyze t;", ";", ""}) {
      assertThat(TriggerFree.command(t)).as(t).isFalse();
    }
  }
}
