package dev.cutter.core.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules the catalog decides, against a real server: what exists, what rewrites, what is volatile, what is proven. */
@WithPostgres
class LockHazardCatalogTest {

  private TestDatabase db;

  @BeforeEach
  void seed(TestDatabase db) {
    this.db = db;
    db.execute("""
        create schema if not exists app;
        drop table if exists app.t, app.o cascade;
        create table app.o (id int primary key);
        create table app.t (id int primary key, o int, name varchar(20), code char(4), amount numeric(10,2),
          at timestamp(3), note text, n int, checked int,
          constraint checked_nn check (checked is not null));
        alter table app.t add constraint n_nn check (n is not null) not valid;
        create or replace function app.stable_default() returns int language sql stable as 'select 1';
        create or replace function app.volatile_default() returns int language sql volatile as 'select 1';
        """);
  }

  /** The rule ids the script fires, as {@code rule@statement}, read against the live catalog in a read-only transaction. */
  private List<String> lint(String... statements) throws SQLException {
    return lint(Optional.empty(), statements);
  }

  private List<String> lint(Optional<SearchPath> path, String... statements) throws SQLException {
    List<ExecStatement> s = new ArrayList<>();
    for (int i = 0; i < statements.length; i++) {
      s.add(new ExecStatement(i + 1, i + 1, statements[i]));
    }
    try (Connection c = db.superuser()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try {
        return LockHazardLinter.lint("change.sql", s, new LiveCatalog(c, path)).stream()
            .map(f -> f.rule().id() + "@" + f.statement()).toList();
      } finally {
        c.rollback();
      }
    }
  }

  @Test
  void anIndexOnAnExistingTableFiresAndOnATableCreatedEarlierInTheScriptDoesNot() throws SQLException {
    assertThat(lint("create index t_note on app.t (note)")).containsExactly("index-not-concurrent@1");
    SearchPath appFirst = new SearchPath("app, public", "test", List.of("app", "public"));
    assertThat(lint(Optional.of(appFirst), "create index t_note on t (note)")).as("unqualified, found along the search_path")
        .containsExactly("index-not-concurrent@1");
    assertThat(lint("create index t_note on t (note)")).as("not on the search_path (public only)").isEmpty();
    assertThat(lint(Optional.of(appFirst), "create table fresh2 (a int)", "create index fresh2_a on app.fresh2 (a)"))
        .as("created unqualified into the creation schema, app").isEmpty();
    assertThat(lint("create table if not exists app.t (id int)", "create index t_note on app.t (note)"))
        .as("IF NOT EXISTS of a table that is there creates nothing").containsExactly("index-not-concurrent@2");
    assertThat(lint("create table app.fresh (a int)", "create index fresh_a on app.fresh (a)",
        "alter table app.fresh add constraint fk foreign key (a) references app.o (id)")).isEmpty();
    assertThat(lint("create index nowhere_a on app.nowhere (a)")).as("no such table: nothing to lock").isEmpty();
  }

  /**
   * R47: after the artifact's own {@code SET search_path = app}, {@code t} is app.t, whatever apply_role's
   * search_path finds (public only here): the index on it is a hazard, and one made unqualified there is new.
   */
  @Test
  void anUnqualifiedTableAfterTheArtifactSetsItsOwnSearchPathIsTheOneInItsFirstSchema() throws SQLException {
    assertThat(lint("set search_path = app, public", "create index t_note on t (note)", "truncate t"))
        .containsExactly("index-not-concurrent@2", "truncate@3");
    assertThat(lint("set search_path = app", "create table fresh3 (a int)", "create index fresh3_a on app.fresh3 (a)"))
        .as("created unqualified into app").isEmpty();
    assertThat(lint("set search_path = app", "reset search_path", "create index t_note on t (note)"))
        .as("apply_role's again").isEmpty();
  }

  @Test
  void constraintsWithoutNotValidOnAnExistingTableFire() throws SQLException {
    assertThat(lint("alter table app.t add constraint t_o foreign key (o) references app.o (id)",
        "alter table app.t add constraint t_n check (n > 0)",
        "alter table app.t add constraint t_o2 foreign key (o) references app.o (id) not valid"))
        .containsExactly("foreign-key-not-valid@1", "check-not-valid@2");
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', textBlock = """
      alter table app.t alter column name type varchar(40)          | false
      alter table app.t alter column name type varchar              | false
      alter table app.t alter column name type text                 | false
      alter table app.t alter column name type varchar(10)          | true
      alter table app.t alter column note type varchar(10)          | true
      alter table app.t alter column note type varchar              | false
      alter table app.t alter column amount type numeric(12,2)      | false
      alter table app.t alter column amount type numeric            | false
      alter table app.t alter column amount type numeric(12,3)      | true
      alter table app.t alter column at type timestamp(6)           | false
      alter table app.t alter column at type timestamp(0)           | true
      alter table app.t alter column code type char(8)              | true
      alter table app.t alter column n type bigint                  | true
      alter table app.t alter column name type varchar(40) using name::varchar(40) | true
      alter table app.t alter column n type no_such_type            | false
      """)
  void aTypeChangeFiresOnlyWhenItRewrites(String sql, boolean rewrites) throws SQLException {
    assertThat(lint(sql)).as(sql).isEqualTo(rewrites ? List.of("type-change-rewrite@1") : List.of());
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', textBlock = """
      alter table app.t add column a timestamptz default clock_timestamp()  | true
      alter table app.t add column a uuid default gen_random_uuid()         | true
      alter table app.t add column a int default app.volatile_default()     | true
      alter table app.t add column a int default app.stable_default()       | false
      alter table app.t add column a timestamptz default now()              | false
      alter table app.t add column a int default 42                         | false
      alter table app.t add column a text default upper('x')                | false
      """)
  void aDefaultIsVolatileWhenPgProcSaysSo(String sql, boolean fires) throws SQLException {
    assertThat(lint(sql)).as(sql).isEqualTo(fires ? List.of("add-column-volatile-default@1") : List.of());
  }

  @Test
  void setNotNullFiresUnlessAValidatedCheckProvesTheColumnOrItIsAlreadyNotNull() throws SQLException {
    assertThat(lint("alter table app.t alter column note set not null")).as("no check at all")
        .containsExactly("set-not-null-unchecked@1");
    assertThat(lint("alter table app.t alter column n set not null")).as("a check, NOT VALID")
        .containsExactly("set-not-null-unchecked@1");
    assertThat(lint("alter table app.t alter column checked set not null")).as("a validated check").isEmpty();
    assertThat(lint("alter table app.t alter column id set not null")).as("already NOT NULL (primary key)").isEmpty();
  }

  @Test
  void destructiveStatementsFireOnExistingTablesOnly() throws SQLException {
    assertThat(lint("drop table app.t", "truncate app.o", "delete from app.t", "update app.t set n = 1",
        "alter table app.t rename column note to remark", "alter table app.o rename to o2"))
        .containsExactly("drop-table@1", "truncate@2", "delete-without-where@3", "update-without-where@4",
            "rename-column@5", "rename-table@6");
    assertThat(lint("create table app.scratch (a int)", "truncate app.scratch", "delete from app.scratch",
        "drop table app.scratch")).isEmpty();
  }
}
