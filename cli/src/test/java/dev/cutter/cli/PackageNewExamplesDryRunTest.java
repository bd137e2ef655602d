package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.SqlStatement;
import dev.cutter.core.sql.StatementKind;
import dev.cutter.fixtures.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bar for {@code cutter package new}: for every example package, a server is prepared
 * as the example's dry-run sandbox prepares it (its database, its {@code sandbox.setup} scripts);
 * a package is generated from the example's SQL and rollback against that server, validated by the
 * JSON Schema and the loader, signed, and dry-run. Every example that expects PASS passes. The two
 * that exist to fail still fail, now at P1 — the generated package rehearses, so the bad statement
 * and the missing privilege are BLOCKED before any change rather than FAILED during it.
 */
@Tag("pgdump") // every generated package backs up: pg_dump of the embedded sandbox
class PackageNewExamplesDryRunTest {


  /**
   * What the generated package of each example that does not expect PASS comes to: the line of
   * stdout that says why, and what its report says about it.
   */
  private static final Map<String, List<String>> NOT_PASS = Map.of(
      "failing-statement-7", List.of("(?m)^P1_preflight +FAIL +rehearse#4: apply would stop at statement 7 \\(line 20\\):"
          + " relation \"app.legacy_flag\" does not exist",
          "actual: \"statement 7 (line 20) failed: relation \\\"app.legacy_flag\\\" does not exist (SQLSTATE 42P01)\""),
      "registry-usage-only", List.of("(?m)^P1_preflight +FAIL +rehearse#4: apply would stop at statement 1 \\(line 4\\):"
          + " permission denied for schema governance",
          "message: \"apply_role gov_app lacks CREATE on schema governance (statements 1-12, first at line 4)."));


  @TempDir static Path keys;
  static Approver approver;

  @TempDir Path dir;

  @BeforeAll
  static void setUp() throws IOException {
    approver = Approver.create(keys);
  }

  static List<Path> examples() throws IOException {
    return ExamplePackagesDryRunTest.examples();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void aPackageGeneratedFromTheExamplesSqlDryRunsToPassOrIsBlockedAtP1(Path example) throws Exception {
    ApplyPackage original = PackageLoader.withInstalledChecks().load(example);
    String name = example.getFileName().toString();
    Path pkg = dir.resolve("generated");
    Cli generated;
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      prepareAsTheSandbox(server, original);
      List<String> args = new ArrayList<>(List.of("package", "new", pkg.toString(),
          "--sql", original.artifact().resolved().toString(), "--id", "new-" + name,
          "--apply-role", original.target().applyRole(),
          "--target", server.uri("postgres", original.target().database()),
          "--backup-dir", dir.resolve("backups").toString()));
      original.online().ifPresent(o -> args.addAll(List.of("--online", o.artifact().resolved().toString())));
      original.rollback().ifPresent(r -> args.addAll(List.of("--rollback", r.artifact().resolved().toString())));
      original.sandbox().setup().forEach(s -> args.addAll(List.of("--sandbox-setup", s.toString())));
      generated = Cli.run(args.toArray(String[]::new));
    }
    assertThat(generated.exit()).as(generated.out() + generated.err()).isZero();
    assertThat(generated.err()).as("nothing on the target contradicts the example's SQL").isEmpty();
    assertThat(PackageSchema.errors(pkg.resolve("package.yaml"))).as("schema errors").isEmpty();
    ApplyPackage p = PackageLoader.withInstalledChecks().load(pkg);
    assertThat(p.artifact().sha256()).isEqualTo(original.artifact().sha256());
    assertThat(p.online().map(o -> o.artifact().sha256())).isEqualTo(original.online().map(o -> o.artifact().sha256()));
    assertThat(p.preflight()).as("rehearse: true ends the derived preflight")
        .last().satisfies(c -> assertThat(c.name()).isEqualTo("rehearse"));
    approver.sign(pkg);

    Cli r = Cli.run("dry-run", pkg.toString(), "--trust", approver.trust().toString(), "--report-dir",
        dir.resolve("reports").toString());

    String why = name + "\n" + Files.readString(pkg.resolve("package.yaml")) + "\nstdout:\n" + r.out() + "\nstderr:\n"
        + r.err();
    assertThat(r.out()).as(why).containsPattern("(?m)^signature +PASS");
    if (NOT_PASS.containsKey(name)) {
      assertThat(r.exit()).as(why).isEqualTo(3);
      assertThat(r.out()).as(why).contains("verdict: BLOCKED (exit 3), production changed: no")
          .containsPattern(NOT_PASS.get(name).get(0));
      assertThat(report()).as(why).contains(NOT_PASS.get(name).get(1));
    } else {
      assertThat(r.exit()).as(why).isZero();
      assertThat(r.out()).as(why).containsPattern("(?m)^verdict: PASS \\(exit 0\\), production changed: no");
    }
  }

  private String report() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("reports"))) {
      return Files.readString(s.filter(f -> f.toString().endsWith(".yaml")).findFirst().orElseThrow());
    }
  }

  /** The example's database and its sandbox.setup scripts, statement by statement as the sandbox runs them. */
  private static void prepareAsTheSandbox(EmbeddedPostgresServer server, ApplyPackage p) throws SQLException, IOException {
    try (Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement()) {
      st.execute("create database \"" + p.target().database().replace("\"", "\"\"") + "\"");
    }
    try (Connection c = server.superuserConnection(p.target().database()); Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      for (Path script : p.sandbox().setup()) {
        for (SqlStatement s : SqlSplitter.split(script.toString(), Files.readString(script)).statements()) {
          if (s.kind() != StatementKind.EMPTY) {
            st.execute(s.text());
          }
        }
      }
    }
  }
}
