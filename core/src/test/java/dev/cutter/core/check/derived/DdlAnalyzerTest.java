package dev.cutter.core.check.derived;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.check.derived.Requirement.CreateIn;
import dev.cutter.core.check.derived.Requirement.CreateIndex;
import dev.cutter.core.check.derived.Requirement.CreateSchema;
import dev.cutter.core.check.derived.Requirement.Owns;
import dev.cutter.core.check.derived.Requirement.References;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DdlAnalyzerTest {

  private static List<Requirement> of(String sql) {
    return DdlAnalyzer.analyze(1, 10, sql);
  }

  @Test
  void createTableNeedsCreateOnItsSchemaAndReferencesOnItsTargets() {
    List<Requirement> r = of("""
        create table if not exists gov.runs (
          id bigint primary key,
          owner_id bigint references gov.owners (id),
          kind text not null
        );""");
    assertThat(r).containsExactly(
        new CreateIn(ObjectKind.TABLE, new ObjectName("gov", "runs"), 1, 10, true),
        new References(new ObjectName("gov", "owners"), 1, 12));
  }

  @Test
  void quotedIdentifiersKeepCaseAndUnquotedOnesFold() {
    List<Requirement> r = of("CREATE TABLE \"My Schema\".\"Odd\"\"Name\" (a int); ");
    assertThat(r).containsExactly(new CreateIn(ObjectKind.TABLE, new ObjectName("My Schema", "Odd\"Name"), 1, 10));
    assertThat(of("CREATE VIEW Gov.V AS select 1")).containsExactly(
        new CreateIn(ObjectKind.VIEW, new ObjectName("gov", "v"), 1, 10));
  }

  @Test
  void unqualifiedNamesStayUnqualified() {
    assertThat(of("create unlogged table t (a int)")).containsExactly(
        new CreateIn(ObjectKind.TABLE, ObjectName.unqualified("t"), 1, 10));
  }

  @Test
  void temporaryTablesNeedNoSchemaPrivilegeButTemporaryOnTheDatabase() {
    assertThat(of("create temp table t (a int)")).containsExactly(
        new Requirement.CreateTemporary(ObjectKind.TABLE, ObjectName.unqualified("t"), 1, 10));
  }

  @Test
  void everyCreatableKindIsRecognised() {
    assertThat(of("create or replace function s.f(a int) returns int language sql as $$ select 1 $$"))
        .containsExactly(new CreateIn(ObjectKind.FUNCTION, new ObjectName("s", "f"), 1, 10, true));
    assertThat(of("create procedure s.p() language sql as 'select 1'"))
        .containsExactly(new CreateIn(ObjectKind.PROCEDURE, new ObjectName("s", "p"), 1, 10));
    assertThat(of("create materialized view if not exists s.mv as select 1"))
        .containsExactly(new CreateIn(ObjectKind.MATERIALIZED_VIEW, new ObjectName("s", "mv"), 1, 10, true));
    assertThat(of("create sequence s.seq start 5"))
        .containsExactly(new CreateIn(ObjectKind.SEQUENCE, new ObjectName("s", "seq"), 1, 10));
    assertThat(of("create type s.mood as enum ('a', 'b')"))
        .containsExactly(new CreateIn(ObjectKind.TYPE, new ObjectName("s", "mood"), 1, 10));
    assertThat(of("create schema if not exists gov authorization admin"))
        .containsExactly(new CreateSchema("gov", 1, 10));
    assertThat(of("create schema authorization admin")).containsExactly(new CreateSchema("admin", 1, 10));
  }

  @Test
  void createIndexNeedsTheTableNotTheIndexName() {
    assertThat(of("create unique index if not exists runs_kind on only gov.runs (kind)"))
        .containsExactly(new CreateIndex(new ObjectName("gov", "runs"), 1, 10));
    assertThat(of("create index on runs using btree (kind)"))
        .containsExactly(new CreateIndex(ObjectName.unqualified("runs"), 1, 10));
  }

  @Test
  void alterAndDropNeedOwnership() {
    assertThat(of("alter table if exists only gov.runs add constraint fk foreign key (o) references gov.owners"))
        .containsExactly(
            new Owns(ObjectKind.TABLE, new ObjectName("gov", "runs"), true, "ALTER", 1, 10),
            new References(new ObjectName("gov", "owners"), 1, 10));
    assertThat(of("drop table gov.a, gov.b cascade")).containsExactly(
        new Owns(ObjectKind.TABLE, new ObjectName("gov", "a"), false, "DROP", 1, 10),
        new Owns(ObjectKind.TABLE, new ObjectName("gov", "b"), false, "DROP", 1, 10));
    assertThat(of("drop function if exists s.f(int, text), s.g()")).containsExactly(
        new Owns(ObjectKind.FUNCTION, new ObjectName("s", "f"), true, "DROP", 1, 10),
        new Owns(ObjectKind.FUNCTION, new ObjectName("s", "g"), true, "DROP", 1, 10));
    assertThat(of("alter materialized view s.mv rename to mv2")).containsExactly(
        new Owns(ObjectKind.MATERIALIZED_VIEW, new ObjectName("s", "mv"), false, "ALTER", 1, 10),
        new CreateIn(ObjectKind.MATERIALIZED_VIEW, new ObjectName("s", "mv2"), 1, 10));
  }

  @Test
  void renamingOrMovingNeedsCreateWhereTheNameLands() {
    assertThat(of("alter function s.f(int, text) rename to g")).containsExactly(
        new Owns(ObjectKind.FUNCTION, new ObjectName("s", "f"), false, "ALTER", 1, 10),
        new CreateIn(ObjectKind.FUNCTION, new ObjectName("s", "g"), 1, 10));
    assertThat(of("alter table if exists t set schema other")).containsExactly(
        new Owns(ObjectKind.TABLE, ObjectName.unqualified("t"), true, "ALTER", 1, 10),
        new CreateIn(ObjectKind.TABLE, new ObjectName("other", "t"), 1, 10));
    assertThat(of("alter schema s rename to s2")).containsExactly(
        new Owns(ObjectKind.SCHEMA, ObjectName.unqualified("s"), false, "ALTER", 1, 10),
        new CreateSchema("s2", 1, 10));
    assertThat(of("alter type s.y rename to z")).containsExactly(
        new Owns(ObjectKind.TYPE, new ObjectName("s", "y"), false, "ALTER", 1, 10));
    assertThat(of("alter table s.t rename column a to b")).containsExactly(
        new Owns(ObjectKind.TABLE, new ObjectName("s", "t"), false, "ALTER", 1, 10));
    assertThat(of("alter table s.p attach partition s.c for values in (1)")).containsExactly(
        new Owns(ObjectKind.TABLE, new ObjectName("s", "p"), false, "ALTER", 1, 10),
        new Owns(ObjectKind.TABLE, new ObjectName("s", "c"), false, "ATTACH PARTITION", 1, 10));
  }

  @Test
  void partitionsAndInheritanceNeedOwnershipOfTheParent() {
    assertThat(of("create table s.p1 partition of s.parent for values in (1)")).containsExactly(
        new CreateIn(ObjectKind.TABLE, new ObjectName("s", "p1"), 1, 10),
        new Owns(ObjectKind.TABLE, new ObjectName("s", "parent"), false, "PARTITION OF", 1, 10));
  }

  @Test
  void commentsAndStringsNeverNameObjects() {
    String sql = """
        -- create table s.not_this (a int);
        /* create table s.nor /* nested */ this (a int); */
        insert into s.t values ('create table s.x (a int)', $q$ drop table s.y $q$, E'references s.z\\'');""";
    assertThat(of(sql)).containsExactly(new Requirement.NotDerived("INSERT", 1, 12));
  }

  @Test
  void linesCountFromTheStatementsFirstLine() {
    List<Requirement> r = of("create table s.t (\n  a int,\n\n  b int references s.u\n)");
    assertThat(r).extracting(Requirement::line).containsExactly(10, 13);
  }

  @Test
  void statementsWhosePrivilegesAreNotDerivedAreSaidToBe() {
    assertThat(of("update s.t set a = 1")).containsExactly(new Requirement.NotDerived("UPDATE", 1, 10));
    assertThat(of("grant select on s.t to r")).containsExactly(new Requirement.NotDerived("GRANT", 1, 10));
    assertThat(of("\n do $$ begin perform 1; end $$")).containsExactly(new Requirement.NotDerived("DO", 1, 11));
    assertThat(of("create trigger g after insert on s.t execute function s.f()"))
        .containsExactly(new Requirement.NotDerived("CREATE TRIGGER", 1, 10));
    assertThat(of("set search_path = s")).isEmpty();
    assertThat(of("reset all")).isEmpty();
  }

  @Test
  void statementRangesAreCompact() {
    assertThat(ApplyRolePrivileges.statements(new TreeSet<>(List.of(1, 2, 3, 5, 7, 8)))).isEqualTo("statements 1-3, 5, 7-8");
    assertThat(ApplyRolePrivileges.statements(new TreeSet<>(List.of(4)))).isEqualTo("statement 4");
  }

  private static List<String> touches(String sql) {
    return DdlAnalyzer.touches(1, 1, sql).stream()
        .map(t -> t.action() + " " + t.object() + (t.dropsData() ? " drops-data" : "")
            + t.action().lock().map(m -> " " + m.sql()).orElse("")).toList();
  }

  @Test
  void touchesNameTheLockEachStatementKindNeedsAndWhatDropsData() {
    assertThat(touches("alter table app.t drop column c, alter column d drop default"))
        .containsExactly("ALTER app.t ACCESS EXCLUSIVE", "DROP_COLUMN app.t drops-data ACCESS EXCLUSIVE");
    assertThat(touches("alter table app.t drop constraint t_pk")).containsExactly("ALTER app.t ACCESS EXCLUSIVE");
    assertThat(touches("alter table app.t alter column d drop not null")).containsExactly("ALTER app.t ACCESS EXCLUSIVE");
    assertThat(touches("drop table billing.invoices")).containsExactly("DROP billing.invoices drops-data ACCESS EXCLUSIVE");
    assertThat(touches("drop view app.v")).containsExactly("DROP app.v ACCESS EXCLUSIVE");
    assertThat(touches("truncate table only app.a, app.b *"))
        .containsExactly("TRUNCATE app.a drops-data ACCESS EXCLUSIVE", "TRUNCATE app.b drops-data ACCESS EXCLUSIVE");
    assertThat(touches("create trigger trg after insert on app.t for each row execute function app.f()"))
        .containsExactly("TRIGGER_ON app.t SHARE ROW EXCLUSIVE");
    assertThat(touches("create index on app.t (a)")).containsExactly("INDEX_ON app.t SHARE");
    assertThat(touches("create table app.n (id int references app.t)"))
        .containsExactly("CREATE app.n", "REFERENCE app.t SHARE ROW EXCLUSIVE");
    assertThat(touches("insert into app.t values (1)")).containsExactly("INSERT app.t ROW EXCLUSIVE");
    assertThat(touches("update only app.t set a = 1")).containsExactly("UPDATE app.t drops-data ROW EXCLUSIVE");
    assertThat(touches("delete from t where a = 1")).containsExactly("DELETE t drops-data ROW EXCLUSIVE");
  }

  @Test
  void createIndexNamesItsIndexInTheTablesSchema() {
    assertThat(DdlAnalyzer.createdIndex(1, 1, "create unique index concurrently if not exists runs_kind_idx on only gov.runs (kind)"))
        .contains(new ObjectName("gov", "runs_kind_idx"));
    assertThat(DdlAnalyzer.createdIndex(1, 1, "CREATE INDEX \"Runs Idx\" ON runs (kind)"))
        .contains(ObjectName.unqualified("Runs Idx"));
    assertThat(DdlAnalyzer.createdIndex(1, 1, "create index on gov.runs (kind)")).as("the server names it").isEmpty();
    assertThat(DdlAnalyzer.createdIndex(1, 1, "create table gov.runs_idx (a int)")).isEmpty();
    assertThat(DdlAnalyzer.createdIndex(1, 1, "drop index gov.runs_kind_idx")).isEmpty();
  }
}
