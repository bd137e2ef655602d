package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.Problems;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs each example package's sandbox setup and artifacts on the real server, checks that its
 * baselines and privilege checks describe the catalog truly, and that the change behaves as the
 * package's first line says (PASS, BLOCKED at P1, FAILED at statement 7). This proves the
 * examples, not the executor: statements are split at {@code ;} line ends, which is enough for
 * these files.
 */
@WithPostgres
class ExamplePackagesOnPostgresTest {

  private final PackageLoader loader = PackageLoader.withInstalledChecks();

  static Stream<Path> examples() throws IOException {
    return PackageSchemaAgreementTest.examples();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void behavesAsItsFirstLineSays(Path example, TestDatabase db) throws Exception {
    ApplyPackage p = loader.load(example);
    String expect = Files.readString(p.file()).lines().findFirst().orElseThrow().replaceFirst("^# expect: (\\w+).*", "$1");
    Set<String> rolesBefore = roles(db);
    try {
      for (Path script : p.sandbox().setup()) {
        db.execute(Files.readString(script));
      }
      List<String> preflightFailures = failures(db, p.preflight());
      Map<String, Map<String, Long>> baselineBefore = baselines(db, p.preflight());
      switch (expect) {
        case "BLOCKED" -> {
          assertThat(preflightFailures).as("P1 refuses, naming CREATE").anySatisfy(f -> assertThat(f).contains("CREATE"));
          assertThat(apply(db, p.target().applyRole(), p.artifact())).as("the change could not run anyway").isEqualTo(1);
        }
        case "FAILED" -> {
          assertThat(preflightFailures).as("P1 passes").isEmpty();
          assertThat(apply(db, p.target().applyRole(), p.artifact())).as("failing statement").isEqualTo(7);
          assertThat(baselines(db, p.preflight())).as("target unchanged").isEqualTo(baselineBefore);
        }
        default -> {
          assertThat(expect).isEqualTo("PASS");
          assertThat(preflightFailures).as("P1 passes").isEmpty();
          assertThat(apply(db, p.target().applyRole(), p.artifact())).as("no statement fails").isZero();
          assertThat(failures(db, p.verify())).as("verify passes").isEmpty();
          assertThat(failures(db, p.rollback().orElseThrow().precondition())).as("rollback precondition holds").isEmpty();
          assertThat(apply(db, p.target().applyRole(), p.rollback().get().artifact())).as("rollback runs").isZero();
          assertThat(baselines(db, p.preflight())).as("rollback restores the baseline").isEqualTo(baselineBefore);
          assertThat(failures(db, p.preflight())).as("and P1 would pass again").isEmpty();
        }
      }
    } finally {
      dropRolesCreatedSince(db, rolesBefore);
    }
  }

  /** Runs the artifact as {@code role} in one transaction; 0 when it committed, else the failing statement's number. */
  private static int apply(TestDatabase db, String role, ArtifactRef artifact) throws Exception {
    List<String> statements = Stream.of(Files.readString(artifact.resolved()).split(";\\s*\n"))
        .map(s -> s.lines().filter(l -> !l.strip().startsWith("--")).reduce("", (a, b) -> a + b + "\n").strip())
        .filter(s -> !s.isEmpty())
        .toList();
    try (Connection c = db.connectAs(role)) {
      c.setAutoCommit(false);
      for (int i = 0; i < statements.size(); i++) {
        try (Statement st = c.createStatement()) {
          st.execute(statements.get(i));
        } catch (SQLException e) {
          c.rollback();
          return i + 1;
        }
      }
      c.commit();
      return 0;
    }
  }

  /** The checks among {@code checks} that do not hold (baseline, privilege, sql; others are not this test's business). */
  private static List<String> failures(TestDatabase db, List<CheckSpec> checks) throws SQLException {
    List<String> failures = new ArrayList<>();
    for (CheckSpec c : checks) {
      Problems none = new Problems("package.yaml");
      switch (c.name()) {
        case BaselineCheck.NAME -> {
          BaselineCheck.Args a = BaselineCheck.read(c.args(), none).orElseThrow();
          Map<String, Long> actual = baseline(db, a.schema());
          a.constraints().forEach((k, n) -> expectCount(failures, a.schema() + " contype " + k, n, actual.getOrDefault("c:" + k, 0L)));
          a.relations().forEach((k, n) -> expectCount(failures, a.schema() + " relkind " + k, n, actual.getOrDefault("r:" + k, 0L)));
        }
        case PrivilegeCheck.NAME -> privilegeFailures(db, PrivilegeCheck.read(c.args(), none).orElseThrow(), failures);
        case SqlCheck.NAME -> {
          SqlCheck.Args a = SqlCheck.read(c.args(), none).orElseThrow();
          String value = db.queryValue(a.query());
          if (!String.valueOf(value).equals(a.expect().isNull() ? "null" : a.expect().value())) {
            failures.add("sql " + a.name().orElse(a.query()) + ": " + value);
          }
        }
        default -> { }
      }
    }
    return failures;
  }

  private static void privilegeFailures(TestDatabase db, PrivilegeCheck.Args a, List<String> failures) throws SQLException {
    for (boolean wanted : new boolean[] {true, false}) {
      for (String privilege : wanted ? a.has() : a.lacks()) {
        if (privilege.equals("OWNER") || privilege.startsWith(PrivilegeCheck.MEMBER_OF)) {
          continue;
        }
        String sql = a.table().isPresent()
            ? "select has_table_privilege(?, format('%I.%I', ?::text, ?::text), ?)"
            : "select has_schema_privilege(?, ?, ?)";
        try (Connection c = db.superuser(); PreparedStatement ps = c.prepareStatement(sql)) {
          List<String> params = new ArrayList<>(List.of(a.role(), a.schema().orElseThrow()));
          a.table().ifPresent(params::add);
          params.add(privilege);
          for (int i = 0; i < params.size(); i++) {
            ps.setString(i + 1, params.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getBoolean(1) != wanted) {
              failures.add(a.role() + (wanted ? " lacks " : " has ") + privilege + " on " + a.schema().get() + a.table().map(t -> "." + t).orElse(""));
            }
          }
        }
      }
    }
  }

  private static void expectCount(List<String> failures, String what, long expected, long actual) {
    if (expected != actual) {
      failures.add(what + ": expected " + expected + ", actual " + actual);
    }
  }

  private static Map<String, Map<String, Long>> baselines(TestDatabase db, List<CheckSpec> checks) throws SQLException {
    Map<String, Map<String, Long>> all = new LinkedHashMap<>();
    for (CheckSpec c : checks) {
      if (c.name().equals(BaselineCheck.NAME)) {
        String schema = BaselineCheck.read(c.args(), new Problems("p")).orElseThrow().schema();
        all.put(schema, baseline(db, schema));
      }
    }
    return all;
  }

  private static Map<String, Long> baseline(TestDatabase db, String schema) throws SQLException {
    String sql = "select 'c:' || contype::text, count(*) from pg_constraint where connamespace = to_regnamespace(?) group by 1"
        + " union all select 'r:' || relkind::text, count(*) from pg_class where relnamespace = to_regnamespace(?) group by 1";
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = db.superuser(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      ps.setString(2, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return counts;
  }

  private static Set<String> roles(TestDatabase db) throws SQLException {
    Set<String> roles = new HashSet<>();
    try (Connection c = db.superuser(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select rolname from pg_roles")) {
      while (rs.next()) {
        roles.add(rs.getString(1));
      }
    }
    return roles;
  }

  /** Sandbox roles have fixed names and roles are cluster-wide: drop them so the next example can create them. */
  private static void dropRolesCreatedSince(TestDatabase db, Set<String> before) throws SQLException {
    Set<String> created = roles(db);
    created.removeAll(before);
    try (Connection c = db.superuser(); Statement st = c.createStatement()) {
      for (String role : created) {
        st.execute("drop owned by " + quote(role) + " cascade");
      }
      for (String role : created) {
        st.execute("drop role " + quote(role));
      }
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
