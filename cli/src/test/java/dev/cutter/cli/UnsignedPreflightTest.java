package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutter preflight --unsigned}: approvers look at production before they sign. Signatures
 * are not required; only cutter's own catalog checks and the derived checks run — a {@code sql}
 * check or a rehearsal that would fail if it ran is reported as not run — and the report says it
 * is not an authorization.
 */
@WithPostgres
class UnsignedPreflightTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  @Test
  void anUnsignedPackageGetsAReadOnlyLookThatRunsNoneOfItsOwnSql(TestDatabase db) throws IOException {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", role).exit()).isZero();
    // a sql check that fails and a rehearsal that fails if either ran; the artifact would also leave a mark
    Path pkg = approver.write(dir.resolve("p"), "unsigned-look", db, role,
        "create table public.rehearsed_mark (id int);\nselect 1/0;\n",
        "\n  - schema_exists: public\n  - sql: { name: would fail, query: \"select 1\", expect: 2 }\n  - rehearse: true",
        "[]", null);
    Files.delete(pkg.resolve("package.yaml.asc"));
    List<String> args = List.of("preflight", pkg.toString(), "--target", db.uri("postgres"), "--trust",
        approver.trust().toString(), "--report-dir", dir.resolve("reports").toString());

    // its own report directory: the unsigned run's report is then the only one under reports/
    Cli signedOnly = Cli.run(Stream.concat(args.stream().limit(args.size() - 1),
        Stream.of(dir.resolve("reports-signed").toString())).toArray(String[]::new));
    assertThat(signedOnly.exit()).as("without --unsigned it is refused: " + signedOnly.out()).isEqualTo(3);

    Cli r = Cli.run(Stream.concat(args.stream(), Stream.of("--unsigned")).toArray(String[]::new));

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("UNSIGNED: not an authorization: this preflight did not require signatures and"
        + " ran only cutter's built-in catalog checks and the derived checks; sql checks, the rehearsal and installed"
        + " check types did not run");
    assertThat(lines).contains("PASS    schema_exists#1  expected schema public exists  actual exists",
        "SKIPPED sql#2  not run: an unsigned preflight runs only cutter's built-in catalog checks; sql runs once the"
            + " package is signed",
        "SKIPPED rehearse#3  not run: an unsigned preflight runs only cutter's built-in catalog checks; rehearse runs"
            + " once the package is signed");
    assertThat(r.out()).contains("next action: Sign the package, then run cutter preflight: this unsigned look is not"
        + " an authorization.");
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'rehearsed_mark'")).isEqualTo("0");
    String yaml;
    try (Stream<Path> files = Files.walk(dir.resolve("reports"))) {
      Path report = files.filter(f -> f.toString().endsWith(".yaml")).collect(java.util.stream.Collectors.toList())
          .stream().reduce((a, b) -> {
            throw new AssertionError("one report expected: " + a + ", " + b);
          }).orElseThrow();
      yaml = Files.readString(report);
      assertThat(Files.readString(Path.of(report.toString().replace(".yaml", ".md"))))
          .contains("**UNSIGNED: not an authorization.**");
    }
    assertThat(yaml).contains("mode: unsigned-preflight");
    assertThat(db.queryValue("select count(*) from cutter.journal")).as("nothing consumed").isEqualTo("0");
  }

  /**
   * The unsigned look connects to the real target: a trust policy's {@code tls: verify-full} holds
   * for it as for a signed preflight (before, its tls gate was skipped as if it were a dry-run's
   * sandbox, and it connected to a remote server without verify-full).
   */
  @Test
  void aTlsPolicyBlocksTheUnsignedLookAtARemoteTargetWithoutVerifyFullBeforeConnecting(TestDatabase db)
      throws IOException {
    Path pkg = approver.write(dir.resolve("p"), "unsigned-tls", db, "app", "select 1;\n", "[]", "[]", null);
    Files.delete(pkg.resolve("package.yaml.asc"));
    Path strict = Files.writeString(dir.resolve("strict-trust.yaml"),
        Files.readString(approver.trust()) + "tls: verify-full\n");

    Cli r = Cli.run("preflight", pkg.toString(), "--unsigned", "--target",
        "postgresql://nobody@db.invalid:5432/none?sslmode=require", "--trust", strict.toString(), "--report-dir",
        dir.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).containsPattern("(?m)^FAIL    tls  expected sslmode verify-full, or a local target  actual "
        + "db\\.invalid, sslmode require")
        .containsPattern("(?m)^SKIPPED signature  .*  — unsigned preflight: signatures reported, not required; ")
        .contains("verdict: BLOCKED (exit 3)").doesNotContain("dry-run").doesNotContain("cannot connect");
  }
}
