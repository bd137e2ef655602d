package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.check.CheckType;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.model.YamlValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuiltInCheckArgumentsTest {

  @Test
  void everyBuiltInCheckIsDiscoveredOnTheClassPath() {
    assertThat(PackageLoader.withInstalledChecks().checkNames()).containsExactlyInAnyOrder(
        "schema_exists", "objects_absent", "objects_present", "baseline", "privilege", "sql", "rehearse",
        "server_version", "journal_writable");
  }

  @Test
  void schemaExistsTakesOneName() {
    assertThat(problems(new SchemaExistsCheck(), "governance")).isEmpty();
    assertThat(problems(new SchemaExistsCheck(), "[a, b]")).containsExactly("preflight[1].schema_exists: expected a string, got a list");
    assertThat(problems(new SchemaExistsCheck(), "'" + "s".repeat(64) + "'")).singleElement().asString().contains("64 bytes");
  }

  @Test
  void objectListsNeedASchemaAndAtLeastOneNonEmptyList() {
    CheckType absent = new ObjectsAbsentCheck();
    assertThat(problems(absent, "{ schema: gov, tables: [a, b], functions: [f] }")).isEmpty();
    assertThat(problems(new ObjectsPresentCheck(), "{ roles: [gov_owner] }")).as("roles are global").isEmpty();
    assertThat(problems(absent, "{ schema: gov }"))
        .containsExactly("preflight[1].objects_absent: list at least one of tables, views, materialized_views, indexes, sequences, functions, types, roles");
    assertThat(problems(absent, "{ tables: [a] }")).containsExactly("preflight[1].objects_absent: missing required field 'schema' (roles alone need none)");
    assertThat(problems(absent, "{ schema: gov, tables: [], tabels: [a], views: [1] }")).containsExactly(
        "preflight[1].objects_absent.tabels: unknown key; allowed: schema, tables, views, materialized_views, indexes, sequences, functions, types, roles",
        "preflight[1].objects_absent.tables: must list at least one name",
        "preflight[1].objects_absent.views[1]: expected a string, got an integer (1); quote it");
  }

  @Test
  void objectListsReadInKindOrder() {
    Optional<ObjectLists> read = ObjectLists.read(parse("{ schema: gov, views: [v], tables: [t] }"), new Problems("p"));

    assertThat(read).get().extracting(ObjectLists::objects).isEqualTo(Map.of("tables", List.of("t"), "views", List.of("v")));
    assertThat(read.get().objects().keySet()).containsExactly("tables", "views");
  }

  @Test
  void baselineCountsPerLetter() {
    CheckType baseline = new BaselineCheck();
    Optional<BaselineCheck.Args> args = BaselineCheck.read(
        parse("{ schema: gov, constraints: { p: 12, f: 19, n: 0 }, relations: { r: 12, S: 1, I: 2 } }"), new Problems("p"));

    assertThat(args).get().extracting(BaselineCheck.Args::constraints).isEqualTo(Map.of("p", 12L, "f", 19L, "n", 0L));
    assertThat(args.get().relations()).containsEntry("S", 1L).containsEntry("I", 2L);
    assertThat(problems(baseline, "{ schema: gov }")).containsExactly("preflight[1].baseline: list constraints or relations (or both)");
    assertThat(problems(baseline, "{ schema: gov, constraints: { p: -1, q: 2 }, relations: { s: 1, r: \"3\" } }")).containsExactly(
        "preflight[1].baseline.constraints.q: unknown key; allowed: p, f, u, c, x, t, n",
        "preflight[1].baseline.constraints.p: must be between 0 and 2147483647, got -1",
        "preflight[1].baseline.relations.s: unknown key; allowed: r, p, v, m, S, i, I, f, c, t",
        "preflight[1].baseline.relations.r: expected a decimal integer, got a string");
    assertThat(problems(baseline, "{ constraints: {} }")).containsExactly(
        "preflight[1].baseline: missing required field 'schema'",
        "preflight[1].baseline.constraints: list at least one of p f u c x t n");
  }

  @Test
  void privilegeSeparatesSchemaAndTablePrivileges() {
    CheckType privilege = new PrivilegeCheck();
    assertThat(problems(privilege, "{ role: gov_app, schema: gov, has: [USAGE], lacks: [CREATE] }")).isEmpty();
    assertThat(problems(privilege, "{ role: rep, schema: gov, table: entry, has: [SELECT], lacks: [INSERT, UPDATE, DELETE] }")).isEmpty();
    assertThat(problems(privilege, "{ role: gov_app, has: [MEMBER OF gov_owner] }")).as("membership needs no schema").isEmpty();
    assertThat(problems(privilege, "{ role: gov_app, schema: gov, has: [SELECT, usage] }")).containsExactly(
        "preflight[1].privilege.has[1]: 'SELECT' is not a privilege on a schema (add table: for table privileges); expected one of USAGE, CREATE, OWNER or MEMBER OF role",
        "preflight[1].privilege.has[2]: 'usage' is not a privilege on a schema (add table: for table privileges); expected one of USAGE, CREATE, OWNER or MEMBER OF role");
    assertThat(problems(privilege, "{ role: r, schema: s, table: t, has: [CREATE] }")).singleElement().asString()
        .startsWith("preflight[1].privilege.has[1]: 'CREATE' is not a privilege on a table");
    assertThat(problems(privilege, "{ role: r, has: [USAGE], lacks: [USAGE] }")).containsExactly(
        "preflight[1].privilege.lacks: USAGE is also listed under has",
        "preflight[1].privilege: missing required field 'schema'");
    assertThat(problems(privilege, "{ role: r, schema: s }")).containsExactly("preflight[1].privilege: list what the role has, lacks, or both");
    assertThat(problems(privilege, "{ schema: s, has: [MEMBER OF ] }")).containsExactly(
        "preflight[1].privilege: missing required field 'role'",
        "preflight[1].privilege.has[1]: MEMBER OF needs a role name");
  }

  @Test
  void privilegeReadsWhatItChecks() {
    Optional<PrivilegeCheck.Args> args = PrivilegeCheck.read(parse("{ role: a, schema: s, table: t, has: [SELECT], lacks: [TRUNCATE] }"), new Problems("p"));

    assertThat(args).contains(new PrivilegeCheck.Args("a", Optional.of("s"), Optional.of("t"), List.of("SELECT"), List.of("TRUNCATE")));
  }

  @Test
  void sqlNeedsAQueryAndAScalarExpectation() {
    CheckType sql = new SqlCheck();
    assertThat(problems(sql, "{ name: no open runs, query: 'select count(*) from x', expect: 0 }")).isEmpty();
    assertThat(problems(sql, "{ query: select 1, expect: null }")).isEmpty();
    assertThat(problems(sql, "{ query: '', expect: [1] }")).containsExactly(
        "preflight[1].sql.query: must not be empty",
        "preflight[1].sql.expect: expected a single value (string, number, boolean or null), got a list");
    assertThat(problems(sql, "{ name: x, expect: 1 }")).containsExactly("preflight[1].sql: missing required field 'query'");
    assertThat(SqlCheck.read(parse("{ query: select 1, expect: '1' }"), new Problems("p"))).get()
        .satisfies(a -> assertThat(a.name()).isEmpty()).extracting(a -> a.expect().value()).isEqualTo("1");
  }

  @Test
  void flagsAndVersions() {
    assertThat(problems(new RehearseCheck(), "false")).isEmpty();
    assertThat(problems(new RehearseCheck(), "yes")).containsExactly("preflight[1].rehearse: expected true or false, got a boolean (yes)");
    assertThat(problems(new JournalWritableCheck(), "true")).isEmpty();
    assertThat(problems(new JournalWritableCheck(), "false")).containsExactly("preflight[1].journal_writable: takes only true (the journal is always checked)");
    assertThat(problems(new ServerVersionCheck(), "16")).isEmpty();
    assertThat(problems(new ServerVersionCheck(), "'15'")).isEmpty();
    assertThat(problems(new ServerVersionCheck(), "15.4")).containsExactly("preflight[1].server_version: expected a PostgreSQL major version such as 16, got a number (15.4)");
  }

  @Test
  void noCheckTypeThrowsForArgumentsOfAnyShape() {
    List<String> shapes = List.of("~", "true", "1", "1.5", "''", "x", "[]", "[~, [], {}]", "{}", "{ schema: ~ }",
        "{ schema: [], tables: {}, has: 1, constraints: [], relations: x, query: {}, expect: {}, role: 1 }",
        "{ schema: s, constraints: { p: ~ }, relations: { r: [] } }", "{ role: r, schema: s, table: t, has: [[]], lacks: [~] }",
        "!custom x", "2026-01-01");
    for (CheckType type : PackageLoader.withInstalledChecks().checkNames().stream()
        .map(n -> PackageLoader.withInstalledChecks().checkType(n).orElseThrow()).toList()) {
      for (String shape : shapes) {
        Problems problems = new Problems("package.yaml");
        type.validate(parse(shape), problems.in(type.name()));
        assertThat(problems.diagnostics()).as("%s: %s", type.name(), shape)
            .allSatisfy(d -> assertThat(d.message()).startsWith(type.name()));
      }
    }
  }

  @Test
  void problemsCarryTheArgumentsPosition() {
    Problems problems = new Problems("package.yaml");
    new BaselineCheck().validate(parse("schema: gov\nrelations:\n  r: many\n"), problems.in("verify[1].baseline"));

    assertThat(problems.diagnostics()).extracting(Diagnostic::toString)
        .containsExactly("package.yaml:3:6: verify[1].baseline.relations.r: expected a decimal integer, got a string");
  }

  private static YamlValue parse(String yaml) {
    return YamlValue.parse(yaml, new Problems("args")).orElseThrow();
  }

  private static List<String> problems(CheckType type, String yaml) {
    Problems problems = new Problems("package.yaml");
    type.validate(parse(yaml), problems.in("preflight[1]." + type.name()));
    return problems.diagnostics().stream().map(Diagnostic::message).toList();
  }
}
