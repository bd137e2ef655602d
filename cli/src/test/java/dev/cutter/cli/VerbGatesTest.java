package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verb that connects to a target runs the integrity gates before it connects, and proves
 * it is on the approved target before anything of the package runs there.
 */
@WithPostgres
class VerbGatesTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  /**
   * A signed package for {@code database} on the cluster {@code sysid}: creates table {@code t},
   * verifies it with an {@code sql} check, and rolls back by dropping it.
   */
  private Path signed(String database, String sysid, Path backups) {
    Path pkg = dir.resolve("pkg");
    try {
      Files.createDirectories(pkg);
      String change = "create table t (id int);\n";
      String rollback = "drop table t;\n";
      Files.writeString(pkg.resolve("change.sql"), change);
      Files.writeString(pkg.resolve("rollback.sql"), rollback);
      Files.writeString(pkg.resolve("package.yaml"), """
          apiVersion: cutter/v1
          kind: ApplyPackage
          id: verb-gates
          title: verb gates
          authorization: { ref: CHG-VG-1, expires_at: 2100-01-01T00:00:00Z, risk: low }
          target:
            database: %s
            system_identifier: "%s"
            apply_role: postgres
          artifact: { path: change.sql, sha256: "%s" }
          preflight: []
          backup:
            required: true
            scope: { schemas: [ public ] }
            dir: %s
            min_bytes: 64
          verify:
            - sql: { name: t is there, query: "select count(*) from pg_class where relname = 't'", expect: 1 }
          rollback:
            artifact: { path: rollback.sql, sha256: "%s" }
            precondition:
              - sql: { name: t is empty, query: "select count(*) from public.t", expect: 0 }
          """.formatted(database, sysid, Approver.sha256(change), backups.toAbsolutePath(), Approver.sha256(rollback)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    approver.sign(pkg);
    return pkg;
  }

  private Cli verb(String verb, Path pkg, String target, String... extra) {
    List<String> args = new ArrayList<>(List.of(verb, pkg.toString(), "--target", target, "--trust",
        approver.trust().toString()));
    if (!verb.equals("backup")) {
      args.addAll(List.of("--report-dir", dir.resolve("reports").toString()));
    }
    args.addAll(List.of(extra));
    return Cli.run(Map.of(), args.toArray(String[]::new));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String closedPort(TestDatabase db) {
    return "postgresql://postgres@127.0.0.1:1/" + db.name();
  }

  @Test
  void aPackageEditedAfterSigningIsBlockedByTheIntegrityGateBeforeAnyVerbConnects(TestDatabase db) throws IOException {
    Path pkg = signed(db.name(), Approver.systemIdentifier(db), dir.resolve("backups"));
    // the verify check's SQL is changed after the approvers signed: it would run on production
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("where relname = 't'", "where relname = 'u'"));

    for (String verb : List.of("verify", "preflight", "rollback", "backup")) {
      // the target is a closed port: a verb that connected first would fail on the connection instead
      Cli r = verb(verb, pkg, closedPort(db));

      assertThat(r.exit()).as(verb + ": " + r.out() + r.err()).isEqualTo(3);
      assertThat(r.out() + r.err()).as(verb + " never tried to connect").doesNotContain("cannot connect")
          .doesNotContain("Connection refused");
      if (verb.equals("backup")) {
        assertThat(r.out()).contains("verdict: BLOCKED (integrity gate; nothing was dumped)");
      } else {
        assertThat(r.out()).as(verb).containsPattern("(?m)^signature\\s+FAIL").contains("verdict: BLOCKED")
            .doesNotContainPattern("(?m)^(lock|identity|P1_preflight|verify|rollback)\\s+FAIL");
      }
    }
    assertThat(dir.resolve("backups")).doesNotExist();
  }

  @Test
  void aDryRunWithATamperedArtifactIsBlockedByItsHash(TestDatabase db) throws IOException {
    Path pkg = signed(db.name(), Approver.systemIdentifier(db), dir.resolve("backups"));
    Files.writeString(pkg.resolve("change.sql"), "create table t (id int);\ndrop table if exists accounts;\n");

    // no trust policy: a dry-run does not require signatures, but it never skips the hashes
    Cli r = Cli.run("dry-run", pkg.toString(), "--sandbox", db.server().uri("postgres", "postgres"), "--trust",
        dir.resolve("no-such-trust.yaml").toString(), "--report-dir", dir.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).containsPattern("(?m)^P3_artifact_integrity\\s+FAIL").contains("verdict: BLOCKED");
  }

  @Test
  void verifyAgainstAnotherDatabaseOfTheServerIsBlockedByTheIdentityGate(TestDatabase db) {
    Path pkg = signed("shop", Approver.systemIdentifier(db), dir.resolve("backups"));

    Cli r = verb("verify", pkg, db.uri("postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).containsPattern("(?m)^identity\\s+FAIL").containsPattern("(?m)^verify\\s+NOT_RUN");
  }

  @Test
  void rollbackAgainstAnotherDatabaseOfTheServerIsBlockedAndItsTableStays(TestDatabase db) throws SQLException {
    String other = TestDatabase.unique("shop_other");
    db.execute("create database " + other);
    try {
      try (Connection c = db.server().superuserConnection(other); Statement st = c.createStatement()) {
        st.execute("create table t (id int)");
      }
      Path pkg = signed(db.name(), Approver.systemIdentifier(db), dir.resolve("backups"));

      Cli r = verb("rollback", pkg, db.server().uri("postgres", other));

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
      assertThat(r.out()).containsPattern("(?m)^identity\\s+FAIL").contains("verdict: BLOCKED");
      try (Connection c = db.server().superuserConnection(other); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select to_regclass('public.t') is not null")) {
        rs.next();
        assertThat(rs.getBoolean(1)).as("shop_other's table is intact").isTrue();
      }
    } finally {
      db.execute("drop database " + other + " with (force)");
    }
  }

  @Test
  void rollbackOfAPackageThatWasNeverAppliedHereIsBlocked(TestDatabase db) {
    Cli init = Cli.run("init", "--target", db.uri("postgres"));
    assertThat(init.exit()).as(init.err()).isZero();
    db.execute("create table t (id int)");
    Path pkg = signed(db.name(), Approver.systemIdentifier(db), dir.resolve("backups"));

    Cli r = verb("rollback", pkg, db.uri("postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).containsPattern("(?m)^journal\\s+FAIL");
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).as("table intact").isEqualTo("t");
  }

  @Test
  void aRollbackAfterTheApplyRunsOnceAndRecordsItsRun(TestDatabase db) {
    Cli init = Cli.run("init", "--target", db.uri("postgres"));
    assertThat(init.exit()).as(init.err()).isZero();
    Path pkg = signed(db.name(), Approver.systemIdentifier(db), dir.resolve("backups"));
    db.execute("create table t (id int)");
    // the apply's row, as an apply run leaves it (the apply itself is tested elsewhere)
    db.execute("insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role, apply_role, started)"
        + " values ('verb-gates', '" + Approver.sha256(read(pkg.resolve("package.yaml"))) + "', '20260101T000000Z-0001',"
        + " 'PASS', 'postgres', 'postgres', now())");

    Cli r = verb("rollback", pkg, db.uri("postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(db.queryValue("select string_agg(verdict || ':' || (report_sha256 is not null), ',' order by id)"
        + " from cutter.journal")).isEqualTo("PASS:false,ROLLBACK_PASS:true");
  }

  @Test
  @Tag("pgdump")
  void backupAgainstAnotherDatabaseOfTheServerIsBlockedByTheIdentityGate(TestDatabase db) {
    Path pkg = signed("shop", Approver.systemIdentifier(db), dir.resolve("backups"));

    Cli r = verb("backup", pkg, db.uri("postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("identity: FAIL").contains("nothing was dumped");
    assertThat(dir.resolve("backups")).doesNotExist();
  }
}
