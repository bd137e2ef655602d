package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.derived.SqlTokens;
import dev.cutter.core.exec.ExecStatement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Which statements let P1's rehearsal run beside the catalog checks: only forms that take no
 * ACCESS EXCLUSIVE lock on a relation that existed before them; every other form keeps it alone.
 */
class RehearsalBesideFormsTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "create table s.t (id bigint generated always as identity primary key, o bigint references s.owner (id))",
      "CREATE TABLE IF NOT EXISTS \"S\".\"T\" (LIKE s.other INCLUDING ALL, check (id > 0))",
      "create unlogged table t (a int) with (fillfactor = 70)",
      "create temp table t (a int) on commit drop",
      "create table t (a int) partition by range (a)",
      "create index on s.existing (a)",
      "create unique index i on s.existing (lower(b))",
      "create sequence s.seq start 10",
      "create view s.v as select * from s.existing",
      "create recursive view s.r (n) as values (1)",
      "create schema s authorization app",
      "create schema if not exists s",
      "create type s.mood as enum ('a', 'b')",
      "create domain s.pos as int check (value > 0)",
      "create function s.f() returns int language sql as 'select 1'",
      "create procedure s.p() language sql as $$ select 1 $$",
      "create trigger tg after insert on s.existing for each row execute function s.f()",
      "create constraint trigger tg after insert on s.existing for each row execute function s.f()",
      "comment on table s.existing is 'x'",
      "grant select on all tables in schema s to reader",
      "revoke insert on s.existing from public",
      "set search_path = s, public",
      "reset search_path",
      ""})
  void aFormThatTakesNoAccessExclusiveLockOnAnExistingRelationAllowsIt(String sql) {
    assertThat(RehearsalBeside.allowed(SqlTokens.of(sql))).as(sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "alter table s.existing add column b int",
      "alter table s.existing add foreign key (a) references s.other (id)",
      "drop table s.existing",
      "truncate s.existing",
      "create or replace view s.v as select 1",
      "create or replace function s.f() returns int language sql as 'select 1'",
      "create table s.t as select * from s.existing",
      "create table s.t (a) as values (1)",
      "create table s.t partition of s.parent for values in (1)",
      "create schema s create table t partition of s.parent for values in (1)",
      "create schema s authorization app grant select on s.t to reader",
      "create table s.t of s.some_type",
      "create table s.t (a int) inherits (s.parent)",
      "create materialized view s.m as select 1",
      "create extension pgcrypto",
      "create rule r as on insert to s.existing do nothing",
      "create policy p on s.existing using (true)",
      "insert into s.existing values (1)",
      "update s.existing set a = 1",
      "delete from s.existing",
      "do $$ begin perform 1; end $$",
      "select s.f()",
      "call s.p()",
      "lock table s.existing in access exclusive mode",
      "vacuum s.existing",
      "reindex table s.existing",
      "cluster s.existing",
      "refresh materialized view s.m",
      "select 1 into s.t2",
      "create"})
  void everyOtherFormKeepsTheRehearsalAlone(String sql) {
    assertThat(RehearsalBeside.allowed(SqlTokens.of(sql))).as(sql).isFalse();
  }

  @Test
  void theTwelveTableExampleAllowsItAndOneAlterAmongThemDoesNot() throws IOException {
    Path file = Path.of("..", "packages-examples", "registry-12-tables", "ddl", "create-registry.sql");
    List<ExecStatement> statements = new java.util.ArrayList<>(dev.cutter.core.run.PackageScripts.statements(
        dev.cutter.core.sql.ArtifactScript.of(dev.cutter.core.sql.SqlSplitter.split(file.toString(), Files.readString(file)),
            dev.cutter.core.model.ApplySettings.Mode.TRANSACTION)));
    int n = statements.size();
    assertThat(statements).hasSizeGreaterThan(10);
    assertThat(RehearsalBeside.statementsAllow(statements)).isTrue();
    statements.add(new ExecStatement(++n, 1, "alter table governance.registry_owner add column x int;"));
    assertThat(RehearsalBeside.statementsAllow(statements)).isFalse();
  }
}
