package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.Joining.Kind;
import dev.cutter.core.sql.LexingSettings;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

class JoiningTest {

  @Test
  void aStatementJoinsOnlyWhenItsTextEndsWithASemicolon() {
    assertThat(Joining.kind("create table a(id int);")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table a(id int);\n  ")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table a(id int)")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("create table a(id int); -- done")).isEqualTo(Kind.OWN);
  }

  @Test
  void aNameLongerThan63BytesGoesAlone() {
    assertThat(Joining.kind("create table " + "a".repeat(63) + "(id int);")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table " + "a".repeat(64) + "(id int);")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("create table s." + "A".repeat(64) + "(id int);")).isEqualTo(Kind.OWN);
    // bytes, not characters: 32 × é is 64 bytes
    assertThat(Joining.kind("create table " + "é".repeat(31) + "a(id int);")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table " + "é".repeat(32) + "(id int);")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("create table " + "𝄞".repeat(16) + "(id int);")).isEqualTo(Kind.OWN);
    // quoted, with spaces and a doubled quote inside
    assertThat(Joining.kind("create table \"" + "a b ".repeat(16) + "\"(id int);")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("create table \"" + "x".repeat(31) + "\"\"" + "y".repeat(31) + "\"(id int);"))
        .isEqualTo(Kind.OWN);
    assertThat(Joining.kind("create table \"" + "x".repeat(30) + "\"\"" + "y".repeat(31) + "\"(id int);"))
        .isEqualTo(Kind.JOINS);
    // a quote inside a string literal does not hide a long quoted name
    assertThat(Joining.kind("select '\"', \"" + "z ".repeat(32) + "\" from t;")).isEqualTo(Kind.OWN);
  }

  @Test
  void wordsWhoseEffectDependsOnTheMessageGoAlone() {
    assertThat(Joining.kind("create global temporary table g(id int);")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("CREATE GLOBAL TEMP TABLE g(id int);")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("insert into t values (current_query());")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("insert into t values (statement_timestamp());")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("select count(*) from pg_stat_activity;")).isEqualTo(Kind.OWN);
  }

  @Test
  void aSetOrAnythingThatMayChangeLexingEndsItsMessage() {
    assertThat(Joining.kind("set search_path = a;")).isEqualTo(Kind.ENDS);
    assertThat(Joining.kind("SET standard_conforming_strings = off;")).isEqualTo(Kind.ENDS);
    assertThat(Joining.kind("-- lead\n/* a /* nested */ one */ reset all;")).isEqualTo(Kind.ENDS);
    assertThat(Joining.kind("select pg_catalog.set_config('search_path', '', false);")).isEqualTo(Kind.ENDS);
    assertThat(Joining.kind("alter role r set backslash_quote = on;")).isEqualTo(Kind.ENDS);
    assertThat(Joining.kind("select pg_reload_conf();")).isEqualTo(Kind.ENDS);
    assertThat(Joining.kind("do $$ begin perform 1; end $$ /* escape_string_warning */;")).isEqualTo(Kind.ENDS);
    // SET inside a statement is no SET command
    assertThat(Joining.kind("alter table t alter column c set default 1;")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("update t set a = 1;")).isEqualTo(Kind.JOINS);
  }

  @Test
  void aStatementLexedOtherwiseUnderAnotherSettingOnlyOpensAMessage() {
    // a plain string holding a backslash: standard_conforming_strings off reads it as an escape
    assertThat(Joining.kind("comment on table t is 'a\\\\b';")).isEqualTo(Kind.LEADS);
    assertThat(Joining.kind("comment on function f() is '\\';")).isEqualTo(Kind.LEADS);
    assertThat(Joining.kind("comment on table t is N'a\\b';")).isEqualTo(Kind.LEADS);
    // \' in an E'' string: backslash_quote off refuses it
    assertThat(Joining.kind("comment on table t is E'it\\'s';")).isEqualTo(Kind.LEADS);
    // U&'' is refused with standard_conforming_strings off (any &' counts)
    assertThat(Joining.kind("comment on table t is U&'data';")).isEqualTo(Kind.LEADS);
    assertThat(Joining.kind("comment on table t is u&'d\\0061ta';")).isEqualTo(Kind.LEADS);
    // one that would end its message goes alone, and still ends the window's joining
    assertThat(Joining.kind("set search_path = 'a\\b';")).isEqualTo(Kind.CLOSES);
    // E'' escapes other than \', comments, dollar quotes, quoted names and & read the same under any setting
    assertThat(Joining.kind("comment on table t is E'a\\nb';")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("comment on table t is E'a\\\\';")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table U&\"d\\0061ta\"(id int);")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table \"a\\b\"(id int) /* \\' */;")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table t(id int); -- \\'")).isEqualTo(Kind.OWN); // no ; at its end
    // \\' in an E'' string is an escaped backslash and the closing quote: the next string is plain, without one
    assertThat(Joining.kind("create view v as select E'a\\\\' as x, 'b' as y;")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create view v as select E'a\\\\' as x, 'b\\' as y;")).isEqualTo(Kind.LEADS);
    // a string after a word is plain: thee'…' is the word thee and a plain string, not an E'' string
    assertThat(Joining.kind("create view v as select 1 as thee'a\\b';")).isEqualTo(Kind.LEADS);
    assertThat(Joining.kind("create table t(id int) /* a \\ b */;")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("comment on table t is $$a\\'b$$;")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create table U&\"data\"(id int);")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("create view v as select 1 & 3 as x;")).isEqualTo(Kind.JOINS);
  }

  @Test
  void aStatementSplitWithTheSettingOffOrBothWaysOpensAMessageForAnyBackslash() {
    assertThat(Joining.kind("comment on table t is E'a\\nb';", LexingSettings.matter("comment on table t is E'a\\nb';",
        Boolean.FALSE))).isEqualTo(Kind.LEADS);
    assertThat(Joining.kind("comment on table t is $$a\\b$$;", LexingSettings.matter("comment on table t is $$a\\b$$;",
        null))).isEqualTo(Kind.LEADS);
    assertThat(Joining.kind("comment on table t is 'ab';", LexingSettings.matter("comment on table t is 'ab';",
        Boolean.FALSE))).isEqualTo(Kind.JOINS);
  }

  /** The statements of the 10,000-statement benchmark (workload b): their E'' comments join again. */
  @Test
  void theBenchmarksStatementsJoinAgain() {
    String[] shapes = {
        "create table bench.t7 (id bigint primary key, name text not null, v numeric(12,2), created timestamptz default now());",
        "create index t7_name on bench.t7 (name);",
        "create view bench.v7 as select id, name from bench.t7 where v > 0;",
        "comment on table bench.t7 is E'table 7\\nit''s \\\\ quoted; with a semicolon';",
        "comment on column bench.t7.name is E'name of 7\\t(tab)';"};
    for (String s : shapes) {
      assertThat(Joining.kind(s)).as(s).isEqualTo(Kind.JOINS);
    }
  }

  @Test
  void aRoutineIsCreatedInAMessageOfItsOwn() {
    assertThat(Joining.kind("create function f() returns int language sql as $$select 1$$;")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("CREATE OR REPLACE PROCEDURE p() LANGUAGE plpgsql AS $$begin end$$;"))
        .isEqualTo(Kind.OWN);
    assertThat(Joining.kind("create or /* x */ replace function f() returns int begin atomic select 1; end;"))
        .isEqualTo(Kind.OWN);
    assertThat(Joining.kind("alter function f() owner to r;")).isEqualTo(Kind.JOINS);
    // a column's new type rebuilds indexes from text the server writes: their errors' positions are in it
    assertThat(Joining.kind("alter table t alter c type bigint;")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("ALTER TYPE comp ALTER ATTRIBUTE a TYPE bigint CASCADE;")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("alter table t alter g set expression as (c * 2);")).isEqualTo(Kind.OWN);
    assertThat(Joining.kind("create type e as enum ('a');")).isEqualTo(Kind.JOINS);
    assertThat(Joining.kind("comment on function f() is 'x';")).isEqualTo(Kind.JOINS);
  }

  @Test
  void anErrorWithoutPositionMayBeTheRawParsersWhenItsSourceSaysSoOrCannotTell() {
    assertThat(Joining.mayBeRawParse(error("SERROR\0C42601\0Mx\0Fgram.y\0"))).isTrue();
    assertThat(Joining.mayBeRawParse(error("SERROR\0C42622\0Mx\0Fscansup.c\0"))).isTrue();
    assertThat(Joining.mayBeRawParse(error("SERROR\0C54001\0Mstack depth limit exceeded\0Fpostgres.c\0"))).isTrue();
    assertThat(Joining.mayBeRawParse(error("SERROR\0C53200\0Mout of memory\0Fmcxt.c\0"))).isTrue();
    assertThat(Joining.mayBeRawParse(error("SERROR\0CXX000\0Mx\0Ffoo.c\0"))).isTrue();
    assertThat(Joining.mayBeRawParse(error("SERROR\0C42P07\0Mx\0"))).as("no file: cannot tell").isTrue();
    assertThat(Joining.mayBeRawParse(new PSQLException("gone", null))).isTrue();
    assertThat(Joining.mayBeRawParse(error("SERROR\0C42P07\0Mrelation exists\0Fheap.c\0"))).isFalse();
    assertThat(Joining.mayBeRawParse(error("SERROR\0C22012\0Mdivision by zero\0Fint.c\0"))).isFalse();
  }

  private static PSQLException error(String fields) {
    return new PSQLException(new ServerErrorMessage(fields));
  }
}
