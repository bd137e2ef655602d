package dev.cutter.core.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ExecStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rules decided from the text alone (no catalog: every table the script did not create is taken to exist). */
class LockHazardLinterTest {

  /** The findings of a script, one statement a line, as {@code rule@line}. */
  private static List<String> lint(String... statements) {
    List<ExecStatement> s = new ArrayList<>();
    for (int i = 0; i < statements.length; i++) {
      s.add(new ExecStatement(i + 1, i + 1, statements[i]));
    }
    return LockHazardLinter.lint("ddl/change.sql", s, LintCatalog.textOnly()).stream()
        .map(f -> f.rule().id() + "@" + f.line()).toList();
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', textBlock = """
      create index i on app.t (a)                                      | index-not-concurrent@1
      create unique index if not exists i on only app.t (a)            | index-not-concurrent@1
      create index on t using btree (a)                                | index-not-concurrent@1
      alter table app.t add constraint t_u unique (a)                  | index-not-concurrent@1
      alter table app.t add primary key (id)                           | index-not-concurrent@1
      alter table app.t add constraint fk foreign key (o) references app.o (id) | foreign-key-not-valid@1
      alter table app.t add foreign key (o) references app.o            | foreign-key-not-valid@1
      alter table app.t add constraint c check (n > 0)                 | check-not-valid@1
      alter table app.t alter column c set not null                    | set-not-null-unchecked@1
      alter table app.t alter c type bigint                            | type-change-rewrite@1
      alter table app.t alter column c set data type bigint using c::bigint | type-change-rewrite@1
      alter table app.t add column u uuid default gen_random_uuid()    | add-column-volatile-default@1
      alter table app.t add column r float8 not null default random()  | add-column-volatile-default@1
      alter table app.t add column id bigserial                        | add-column-volatile-default@1
      alter table app.t add column id bigint generated always as identity | add-column-volatile-default@1
      alter table app.t add column n int generated always as (a * 2) stored | add-column-volatile-default@1
      drop table app.t                                                 | drop-table@1
      drop table if exists app.t, app.u                                | drop-table@1;drop-table@1
      alter table app.t drop column c                                  | drop-column@1
      alter table app.t drop c                                         | drop-column@1
      truncate app.t                                                   | truncate@1
      truncate table only app.t, app.u                                 | truncate@1;truncate@1
      delete from app.t                                                | delete-without-where@1
      update app.t set a = (select max(b) from app.u where u.x = 1)    | update-without-where@1
      alter table app.t rename to t2                                   | rename-table@1
      alter table app.t rename column a to b                           | rename-column@1
      alter table app.t rename a to b                                  | rename-column@1
      vacuum full app.t                                                | vacuum-full@1
      vacuum (full, analyze) app.t                                     | vacuum-full@1
      cluster app.t using i                                            | cluster@1
      reindex table app.t                                              | reindex-not-concurrent@1
      lock table app.t                                                 | lock-table@1
      set lock_timeout = 0                                             | lock-timeout-off@1
      set local lock_timeout to '0'                                    | lock-timeout-off@1
      set lock_timeout = '2min'                                        | lock-timeout-long@1
      set session lock_timeout to 61000                                | lock-timeout-long@1
      """)
  void fires(String sql, String expected) {
    assertThat(lint(sql)).as(sql).containsExactly(expected.split(";"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      create index concurrently i on app.t (a)
      alter table app.t add constraint t_u unique using index t_u_idx
      create table app.n (id int)
      alter table app.t add constraint fk foreign key (o) references app.o (id) not valid
      alter table app.t add constraint c check (n > 0) not valid
      alter table app.t validate constraint c
      alter table app.t add column c int
      alter table app.t add column c int not null default 0
      alter table app.t add column c timestamptz default now()
      alter table app.t add column c text default 'random()'
      alter table app.t alter column c set default random()
      alter table app.t alter column c drop not null
      alter table app.t drop constraint c
      alter table app.t rename constraint c to d
      delete from app.t where id = 1
      update app.t set a = 1 where id = 2
      vacuum app.t
      vacuum (analyze) app.t
      reindex table concurrently app.t
      reindex (concurrently) index app.i
      select random()
      insert into app.t select * from app.u
      set lock_timeout = '5s'
      set lock_timeout = 60000
      set lock_timeout to default
      set statement_timeout = 0
      """)
  void doesNotFire(String sql) {
    assertThat(lint(sql)).as(sql).isEmpty();
  }

  @Test
  void statementsOnATableTheScriptCreatedAreNotHazards() {
    assertThat(lint(
        "create table app.n (id int, a text)",
        "create index n_a on app.n (a)",
        "alter table app.n add constraint c check (id > 0)",
        "alter table app.n alter column a type varchar(3)",
        "alter table app.n add column u uuid default gen_random_uuid()",
        "truncate app.n",
        "drop table app.n",
        "create index t_a on app.t (a)")).containsExactly("index-not-concurrent@8");
  }

  @Test
  void aFindingNamesItsLineInTheArtifactTheObjectAndThePredictedLock() {
    List<ExecStatement> s = List.of(new ExecStatement(1, 3, "create table x (a int)"),
        new ExecStatement(2, 5, "alter table app.t\n  add column a int,\n  add constraint c check (a > 0)"),
        new ExecStatement(3, 9, "lock table app.t in share row exclusive mode"));
    List<LintFinding> f = LockHazardLinter.lint("ddl/change.sql", s, LintCatalog.textOnly());

    assertThat(f).extracting(LintFinding::rule).containsExactly(LintRule.CHECK_NOT_VALID, LintRule.LOCK_TABLE);
    assertThat(f.get(0).where()).as("the clause's own line").isEqualTo("ddl/change.sql:7");
    assertThat(f.get(0).statement()).isEqualTo(2);
    assertThat(f.get(0).object()).isEqualTo("app.t");
    assertThat(f.get(0).predictedLock()).isEqualTo("AccessExclusiveLock");
    assertThat(f.get(1).predictedLock()).as("the mode LOCK TABLE names").isEqualTo("ShareRowExclusiveLock");
    assertThat(f.get(0).severity()).isEqualTo(Severity.ERROR);
  }

  @Test
  void thePackagesLockTimeoutIsJudgedToo() {
    assertThat(LockHazardLinter.applyLockTimeout("package.yaml", 30, Duration.ZERO)).get()
        .extracting(LintFinding::rule, LintFinding::where).containsExactly(LintRule.LOCK_TIMEOUT_OFF, "package.yaml:30");
    assertThat(LockHazardLinter.applyLockTimeout("package.yaml", 30, Duration.ofMinutes(2))).get()
        .extracting(LintFinding::rule).isEqualTo(LintRule.LOCK_TIMEOUT_LONG);
    assertThat(LockHazardLinter.applyLockTimeout("package.yaml", 30, Duration.ofMinutes(1))).isEmpty();
    assertThat(LockHazardLinter.applyLockTimeout("package.yaml", 0, Duration.ofSeconds(5))).isEmpty();
  }

  @Test
  void settingValuesAreReadInPostgresUnits() {
    assertThat(LockHazardLinter.millis("500")).isEqualTo(500L);
    assertThat(LockHazardLinter.millis("2s")).isEqualTo(2000L);
    assertThat(LockHazardLinter.millis("1min")).isEqualTo(60_000L);
    assertThat(LockHazardLinter.millis("1h")).isEqualTo(3_600_000L);
    assertThat(LockHazardLinter.millis("soon")).isNull();
  }

  @Test
  void everyRuleHasAnIdSeverityWhyAndFix() {
    for (LintRule r : LintRule.values()) {
      assertThat(r.id()).as(r.name()).matches("[a-z]+(-[a-z]+)*");
      assertThat(r.why()).as(r.id()).isNotBlank();
      assertThat(r.fix()).as(r.id()).isNotBlank();
      assertThat(LintRule.byId(r.id())).contains(r);
    }
  }
}
