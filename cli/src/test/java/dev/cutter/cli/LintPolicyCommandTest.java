package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lint policy end to end: a signed package, a trust policy, cutter apply against the real server. */
@WithPostgres
class LintPolicyCommandTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private static String seed(TestDatabase db) {
    String role = db.createRole("app");
    db.execute("create table lint_t (id int primary key, a text); alter table lint_t owner to " + role
        + "; grant create on schema public to " + role);
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(r.exit()).as(r.err()).isZero();
    return role;
  }

  private Path pkg(TestDatabase db, String role, String lint) {
    return approver.write(dir.resolve("p"), "lint-policy", db, role, "create index lint_t_a on lint_t (a);\n", "[]",
        "[]" + (lint == null ? "" : "\nlint: " + lint), null);
  }

  private Cli apply(Path pkg, TestDatabase db, Path trust) {
    return Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(),
        "--report-dir", dir.resolve("reports").toString());
  }

  private String report() throws IOException {
    try (var s = Files.walk(dir.resolve("reports"))) {
      Path yaml = s.filter(p -> p.toString().endsWith(".yaml")).findFirst().orElseThrow();
      return Files.readString(yaml);
    }
  }

  private static String indexExists(TestDatabase db) {
    return db.queryValue("select to_regclass('public.lint_t_a') is not null");
  }

  @Test
  void byDefaultAnIndexOnAnExistingTableIsBlockedInP1(TestDatabase db) throws IOException {
    String role = seed(db);
    Cli r = apply(pkg(db, role, null), db, approver.trust());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("lock_hazards: denied: change.sql:1 index-not-concurrent (error) on public.lint_t");
    assertThat(report()).contains("- rule: index-not-concurrent\n    severity: error\n    denied: true\n");
    assertThat(indexExists(db)).isEqualTo("f");
  }

  @Test
  void aSignedAllowLetsItRun(TestDatabase db) throws IOException {
    String role = seed(db);
    Cli r = apply(pkg(db, role, "{ allow: [index-not-concurrent] }"), db, approver.trust());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(report()).contains("- rule: index-not-concurrent\n    severity: error\n    denied: false\n");
    assertThat(indexExists(db)).isEqualTo("t");
  }

  @Test
  void aFloorRuleThePackageAllowsIsBlockedAtAuthorization(TestDatabase db) throws IOException {
    String role = seed(db);
    Path trust = Files.writeString(dir.resolve("trust.yaml"), Files.readString(approver.trust())
        + "lint:\n  floor: [index-not-concurrent]\n");
    Cli r = apply(pkg(db, role, "{ allow: [index-not-concurrent] }"), db, trust);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    String yaml = report();
    assertThat(yaml).contains("- id: authorization\n    status: FAIL");
    assertThat(yaml).contains("id: lint_floor");
    assertThat(yaml).as("stopped before P1: no lint section").doesNotContain("\nlint:");
    assertThat(indexExists(db)).isEqualTo("f");
  }
}
