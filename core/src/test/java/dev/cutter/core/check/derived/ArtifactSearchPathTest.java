package dev.cutter.core.check.derived;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.check.derived.ArtifactSearchPath.PathName;
import dev.cutter.core.check.derived.ArtifactSearchPath.Setting;
import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The search_path an artifact sets itself, followed from its text: what each form of SET, RESET and
 * set_config leaves in effect, what cannot be followed, and how the analysis names the objects a
 * statement names unqualified under it.
 */
class ArtifactSearchPathTest {

  private static Setting after(String sql) {
    return ArtifactSearchPath.after(ArtifactSearchPath.SESSION, sql, 1, 1);
  }

  private static Setting afterSet(String sql) {
    Setting set = after("set search_path = app");
    return ArtifactSearchPath.after(set, sql, 2, 2);
  }

  private static List<ExecStatement> stmts(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, i + 1, texts[i]));
    }
    return out;
  }

  @Test
  void everyFormOfSetNamesItsSchemasAsTheServerStoresThem() {
    assertThat(after("set search_path = App, \"Mixed\", 'quoted one'")).isEqualTo(
        new ArtifactSearchPath.Set(List.of("app", "Mixed", "quoted one"), false, 1, 1));
    assertThat(after("SET SESSION search_path TO s1")).isEqualTo(new ArtifactSearchPath.Set(List.of("s1"), false, 1, 1));
    assertThat(after("set local search_path to s1, public")).isEqualTo(
        new ArtifactSearchPath.Set(List.of("s1", "public"), true, 1, 1));
    assertThat(after("select pg_catalog.set_config('search_path', 'a, \"B\"', false)")).isEqualTo(
        new ArtifactSearchPath.Set(List.of("a", "B"), false, 1, 1));
    assertThat(after("SELECT set_config('search_path', '', true)")).isEqualTo(
        new ArtifactSearchPath.Set(List.of(), true, 1, 1));
  }

  @Test
  void resetAndDefaultGiveTheSessionsBack() {
    assertThat(afterSet("reset search_path")).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(afterSet("RESET ALL")).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(afterSet("set search_path to default")).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(afterSet("reset statement_timeout")).isInstanceOf(ArtifactSearchPath.Set.class);
  }

  @Test
  void whatSetsNoSessionsPathLeavesItAsItWas() {
    assertThat(after("alter role r set search_path = x")).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(afterSet("alter database d set search_path = x")).isInstanceOf(ArtifactSearchPath.Set.class);
    assertThat(after("create function f() returns int language sql set search_path = x as 'select 1'"))
        .isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(after("set statement_timeout = 0")).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(after("rollback to savepoint a")).as("nothing set since").isEqualTo(ArtifactSearchPath.SESSION);
  }

  @Test
  void whatTheTextDoesNotTellCannotBeFollowed() {
    assertThat(after("select set_config('search_path', current_user, false)")).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    assertThat(after("do $$ begin perform set_config('search_path', 'x', false); end $$"))
        .isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    assertThat(after("set search_path from current")).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    assertThat(after("set search_path = a,")).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    assertThat(afterSet("rollback to savepoint a")).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    assertThat(afterSet("ROLLBACK WORK TO a")).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
  }

  @Test
  void theFirstSchemaListedIsWhereNamesGoButNotTheCatalogNorUser() {
    assertThat(new ArtifactSearchPath.Set(List.of("pg_catalog", "pg_temp", "app", "public"), false, 1, 1).first()).isEqualTo("app");
    assertThat(new ArtifactSearchPath.Set(List.of("pg_catalog", "app"), false, 1, 1).catalogFirst()).isTrue();
    assertThat(new ArtifactSearchPath.Set(List.of("app", "pg_catalog"), false, 1, 1).catalogFirst()).isFalse();
    assertThat(new ArtifactSearchPath.Set(List.of("$user", "app"), false, 1, 1).first()).isNull();
    assertThat(new ArtifactSearchPath.Set(List.of("", "pg_catalog"), false, 1, 1).first()).isNull();
  }

  @Test
  void namesUnderTheArtifactsPathAreNamedInItsFirstSchemaAndRecorded() {
    List<ExecStatement> s = stmts("create table t (a int)", "set search_path = s1, public", "create table u (a int)",
        "insert into u values (1)", "insert into t values (1)", "create index on v (a)", "reset search_path",
        "insert into w values (1)");
    List<Touch> touches = StatementAnalysis.touches(s);
    assertThat(touches).extracting(Touch::object).containsExactly(ObjectName.unqualified("t"), new ObjectName("s1", "u"),
        new ObjectName("s1", "u"), new ObjectName("s1", "t"), new ObjectName("s1", "v"), ObjectName.unqualified("w"));
    assertThat(StatementAnalysis.requirements(s)).filteredOn(r -> r instanceof Requirement.CreateIn)
        .extracting(r -> ((Requirement.CreateIn) r).object()).containsExactly(ObjectName.unqualified("t"), new ObjectName("s1", "u"));
    List<PathName> names = StatementAnalysis.pathNames(s);
    assertThat(names).extracting(PathName::name).containsExactly("u", "u", "t", "v");
    assertThat(names).extracting(PathName::created).as("u created at 3, t elsewhere").containsExactly(true, true, false, false);
    assertThat(names.get(0).where()).isEqualTo("statement 3 (line 3): table u");
    assertThat(names.get(0).settingInWords()).isEqualTo("the search_path the artifact set at statement 2 (line 2) to s1, public");
  }

  @Test
  void aTemporaryRelationAndAnUnfollowedChangeAreNotNamedInTheFirstSchema() {
    List<ExecStatement> s = stmts("create temp table tmp (a int)", "create schema s1", "set search_path = s1",
        "insert into tmp values (1)", "create table n (a int)", "select set_config('search_path', current_user, false)",
        "insert into n values (1)");
    List<PathName> names = StatementAnalysis.pathNames(s);
    assertThat(names).extracting(PathName::name).containsExactly("n", "n");
    assertThat(names.get(0).schema()).isEqualTo("s1");
    assertThat(names.get(0).schemaCreated()).isTrue();
    assertThat(names.get(1).schema()).isNull();
    assertThat(names.get(1).setting()).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    assertThat(StatementAnalysis.touches(s)).filteredOn(t -> t.action() == Touch.Action.INSERT).extracting(Touch::object)
        .containsExactly(ObjectName.unqualified("tmp"), ObjectName.unqualified("n"));
  }

  @Test
  void aRoutineAndATypeAreNamedInTheirOwnNamespaces() {
    List<ExecStatement> s = stmts("set search_path = app", "create type mood as enum ('a')",
        "create function f() returns int language sql as 'select 1'", "alter function f() owner to r");
    List<PathName> names = StatementAnalysis.pathNames(s);
    assertThat(names).extracting(PathName::kind).containsExactly(ObjectKind.TYPE, ObjectKind.FUNCTION, ObjectKind.FUNCTION);
    assertThat(names).extracting(PathName::created).containsExactly(true, true, true);
  }

  /** Forms the server reads as setting search_path that never spell it as written before (R47 follow-up). */
  @Test
  void setSchemaAndANameInCapitalsAreFollowedAndEscapesAreNot() {
    assertThat(after("SET SCHEMA 'S1'")).isEqualTo(new ArtifactSearchPath.Set(List.of("S1"), false, 1, 1));
    assertThat(after("set local \"SEARCH_PATH\" = s1")).isEqualTo(new ArtifactSearchPath.Set(List.of("s1"), true, 1, 1));
    assertThat(after("select set_config('Search_Path', 's1', false)")).isEqualTo(new ArtifactSearchPath.Set(List.of("s1"), false, 1, 1));
    assertThat(afterSet("discard all")).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(after("set search_path = s1, public;")).as("ended as the splitter gives it")
        .isEqualTo(new ArtifactSearchPath.Set(List.of("s1", "public"), false, 1, 1));
    assertThat(after("select pg_catalog.set_config('search_path', '', false);")).isEqualTo(
        new ArtifactSearchPath.Set(List.of(), false, 1, 1));
    assertThat(afterSet("reset search_path ;")).isEqualTo(ArtifactSearchPath.SESSION);
    for (String unread : List.of("set U&\"search\\005fpath\" = s1", "set search_path = E'\\x73\\x31'",
        "set search_path = U&'\\0073\\0031'", "select set_config(E'search\\137path', 's1', false)",
        "select set_config('search' || '_path', 's1', false)", "select set_config('search_path'::text, 's1', false)",
        "update pg_settings set setting = 's1' where name = 'search' || '_path'", "set schema E'\\x73\\x31'",
        "create table x as select set_config('search_path', 's1', false)",
        "alter table x add column y text default set_config('search_path', 's1', false)")) {
      assertThat(after(unread)).as(unread).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    }
    assertThat(after("select set_config('app.tenant', current_user, false)")).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(after("create function f() returns text language sql as $$ select set_config('search_path', 'x', true) $$"))
        .isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(after("select * from pg_settings where name = 'search_path'")).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
  }

  @Test
  void aRoleSwitchMakesThePathUnfollowedAndWhatWasTakenAwayIsRecorded() {
    List<PathName> names = StatementAnalysis.pathNames(stmts("set search_path = s1, public", "set role r;",
        "insert into t values (1)", "set role none", "insert into t values (2)"));
    assertThat(names).extracting(PathName::role).containsExactly("r", "r");
    assertThat(names.get(0).setting()).isInstanceOf(ArtifactSearchPath.Set.class);
    assertThat(names.get(1).setting()).as("back to a role cutter cannot name").isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    assertThat(StatementAnalysis.pathNames(stmts("select set_config('role', 'r', false)", "set search_path = s1",
        "insert into t values (1)")).get(0).setting()).isInstanceOf(ArtifactSearchPath.Unfollowed.class);
    List<PathName> gone = StatementAnalysis.pathNames(stmts("set search_path = s1, public", "drop table t",
        "insert into t values (1)", "create table t (a int)", "insert into t values (2)"));
    assertThat(gone).extracting(PathName::takenAway).containsExactly(null, "the artifact drops it at statement 2 (line 2)",
        null, null);
    assertThat(StatementAnalysis.pathNames(stmts("set search_path = s1", "alter table t rename to u", "insert into t values (1)"))
        .get(2).takenAway()).contains("renames or moves it at statement 2");
    assertThat(StatementAnalysis.pathNames(stmts("drop schema s1 cascade", "set search_path = s1", "insert into t values (1)"))
        .get(0).takenAway()).contains("drops schema s1 at statement 1");
  }

  @Test
  void aTemporaryRelationTakesTheNameOnlyWhileSearchedFirstAndNotDropped() {
    assertThat(StatementAnalysis.touches(stmts("create temp table t (a int)", "set search_path = s1, pg_temp",
        "insert into t values (1)"))).last().extracting(Touch::object).isEqualTo(new ObjectName("s1", "t"));
    assertThat(StatementAnalysis.touches(stmts("create temp table t (a int)", "set search_path = pg_temp, s1",
        "insert into t values (1)"))).last().extracting(Touch::object).isEqualTo(ObjectName.unqualified("t"));
    for (String gone : List.of("drop table t", "discard temp")) {
      assertThat(StatementAnalysis.touches(stmts("set search_path = s1", "create temp table t (a int)", gone,
          "insert into t values (1)"))).last().extracting(Touch::object).isEqualTo(new ObjectName("s1", "t"));
    }
  }

  @Test
  void theSettingBeforeCommitHoldsWhenItIsTheOneTheTextLeaves() {
    ArtifactSearchPath.Setting set = ArtifactSearchPath.after(ArtifactSearchPath.SESSION, "set search_path = S1, \"Two\", ''", 1, 1);
    assertThat(ArtifactSearchPath.holds(set, "\"$user\", public", "s1, \"Two\", \"\"")).isTrue();
    assertThat(ArtifactSearchPath.holds(set, "\"$user\", public", "s1, public")).isFalse();
    assertThat(ArtifactSearchPath.holds(ArtifactSearchPath.SESSION, "\"$user\", public", "\"$user\", public")).isTrue();
    assertThat(ArtifactSearchPath.holds(ArtifactSearchPath.SESSION, "\"$user\", public", "s1, public")).isFalse();
    assertThat(ArtifactSearchPath.holds(ArtifactSearchPath.after(ArtifactSearchPath.SESSION, "set search_path from current", 1, 1),
        "public", "anything")).isTrue();
    assertThat(StatementAnalysis.finalSearchPath(List.of(new ExecStatement(1, 1, "set search_path = a;"),
        new ExecStatement(2, 2, "reset search_path;")))).isEqualTo(ArtifactSearchPath.SESSION);
    assertThat(StatementAnalysis.finalSearchPath(List.of(new ExecStatement(1, 1, "create table t (a int);"))))
        .as("nothing followed where nothing may change it").isEqualTo(ArtifactSearchPath.SESSION);
  }
}
