package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.Sha256;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithPostgres
class PreflightCommandTest {

  private static final Map<String, String> ENV = Map.of("APPROVER_PASSPHRASE", "test-only-passphrase");

  private static final String TWELVE_TABLES = IntStream.rangeClosed(1, 12)
      .mapToObj(i -> "create table gov.t" + i + " (id bigint primary key);").collect(Collectors.joining("\n", "", "\n"));

  @TempDir Path dir;

  /** A signed package for {@code db} pinned to {@code applyRole}, and a trust policy that trusts its signer. */
  private Path signedPackage(TestDatabase db, String applyRole) throws IOException {
    Path pkg = dir.resolve("pkg");
    Files.createDirectories(pkg.resolve("ddl"));
    Files.writeString(pkg.resolve("ddl/change.sql"), TWELVE_TABLES);
    Files.writeString(pkg.resolve("package.yaml"), """
        apiVersion: cutter/v1
        kind: ApplyPackage
        id: seed-situation
        title: Twelve tables
        authorization: { ref: CHG-1, expires_at: 2100-01-01T00:00:00Z, risk: high }
        target:
          database: %s
          system_identifier: "%s"
          apply_role: %s
        artifact: { path: ddl/change.sql, sha256: "%s" }
        preflight:
          - schema_exists: gov
          - objects_absent: { schema: gov, tables: [t1, t12] }
        """.formatted(db.name(), db.queryValue("select system_identifier from pg_control_system()"), applyRole,
        Sha256.of(TWELVE_TABLES.getBytes(StandardCharsets.UTF_8))));
    Cli keys = Cli.run(ENV, "keys", "generate", "--name", "Test Approver <approver@example.org>", "--out",
        dir.resolve("keys").toString(), "--passphrase-env", "APPROVER_PASSPHRASE");
    assertThat(keys.exit()).as(keys.err()).isZero();
    Cli sign = Cli.run(ENV, "package", "sign", pkg.toString(), "--key", dir.resolve("keys/test-approver.sec.asc").toString(),
        "--passphrase-env", "APPROVER_PASSPHRASE");
    assertThat(sign.exit()).as(sign.err()).isZero();
    Files.writeString(dir.resolve("trust.yaml"), "keyring: keys/test-approver.pub.asc\nrequire: 1\n");
    return pkg;
  }

  private static void seed(TestDatabase db, String admin, String app) {
    db.createSchema("gov", admin);
    db.execute("grant usage on schema gov to " + app);
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", admin, "--grant", app).exit()).isZero();
  }

  @Test
  void blocksTheSeedSituationWithOneLinePerCheck(TestDatabase db) throws IOException {
    String admin = db.createRole("wf_admin");
    String app = db.createRole("app");
    seed(db, admin, app);
    Path pkg = signedPackage(db, app);

    Cli r = Cli.run("preflight", pkg.toString(), "--target", db.uri(app), "--trust", dir.resolve("trust.yaml").toString(), "--report-dir", dir.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("PASS    signature#1  expected valid signature")
        .containsPattern("(?m)^PASS    identity  expected system_identifier \\d+, database " + db.name() + "  actual ")
        .contains("PASS    schema_exists#1  expected schema gov exists  actual exists")
        .contains("PASS    journal_writable")
        .contains("FAIL    apply_role_privileges  expected apply_role " + app
            + ": USAGE on schema gov (statements 1-12, first at line 1); CREATE on schema gov (statements 1-12, first at"
            + " line 1)  actual missing: CREATE on schema gov (statements 1-12, first at line 1)")
        .contains("SKIPPED backup_role_privileges  backup.required is false")
        .containsPattern("(?m)^P1_preflight +FAIL  apply_role_privileges: apply_role " + app + " lacks CREATE on schema gov")
        .contains("verdict: BLOCKED (exit 3), production changed: no");
    try (var reports = Files.walk(dir.resolve("reports"))) {
      Path yaml = reports.filter(f -> f.toString().endsWith(".yaml")).findFirst().orElseThrow();
      assertThat(Files.readString(yaml)).as("the report is written").contains("mode: preflight").contains("apply_role_privileges");
    }
  }

  @Test
  void passesWhenPinnedToTheSchemaOwner(TestDatabase db) throws IOException {
    String admin = db.createRole("wf_admin");
    seed(db, admin, db.createRole("app"));
    Path pkg = signedPackage(db, admin);

    Cli r = Cli.run("preflight", pkg.toString(), "--target", db.uri(admin), "--trust", dir.resolve("trust.yaml").toString(), "--report-dir", dir.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^P1_preflight +PASS$").contains("verdict: PASS (exit 0)")
        .doesNotContain("FAIL ").doesNotContain("ERROR ");
    assertThat(r.err()).as("libraries stay quiet").isEmpty();
  }

  @Test
  void refusesAnUnsignedPackageBeforeConnecting(TestDatabase db) throws IOException {
    String admin = db.createRole("wf_admin");
    Path pkg = signedPackage(db, admin);
    Files.delete(pkg.resolve("package.yaml.asc"));

    Cli r = Cli.run("preflight", pkg.toString(), "--target", "postgresql://nobody@127.0.0.1:1/none", "--trust",
        dir.resolve("trust.yaml").toString(), "--report-dir", dir.resolve("reports").toString());

    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).contains("NOT_RUN P1_preflight").contains("package.yaml.asc does not exist")
        .contains("verdict: BLOCKED (exit 3)").doesNotContain("cannot connect");
  }

  @Test
  void refusesAnUnknownTargetParameterWithOneLine(TestDatabase db) throws IOException {
    Path pkg = signedPackage(db, db.createRole("wf_admin"));

    Cli r = Cli.run("preflight", pkg.toString(), "--target", db.uri("postgres") + "?sslmod=verify-full", "--trust",
        dir.resolve("trust.yaml").toString(), "--report-dir", dir.resolve("reports").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip().lines()).as(r.err()).anySatisfy(l -> assertThat(l)
        .contains("unknown connection parameter 'sslmod'"));
    assertThat(r.err()).doesNotContain("\tat ");
  }

  @Test
  void aTlsPolicyBlocksARemoteTargetWithoutVerifyFullBeforeConnecting(TestDatabase db) throws IOException {
    Path pkg = signedPackage(db, db.createRole("wf_admin"));
    Files.writeString(dir.resolve("trust.yaml"), "keyring: keys/test-approver.pub.asc\nrequire: 1\ntls: verify-full\n");

    Cli r = Cli.run("preflight", pkg.toString(), "--target", "postgresql://nobody@db.invalid:5432/none?sslmode=require",
        "--trust", dir.resolve("trust.yaml").toString(), "--report-dir", dir.resolve("reports").toString());

    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.out()).containsPattern("FAIL +tls ").contains("verdict: BLOCKED (exit 3)").doesNotContain("cannot connect");
  }
}
