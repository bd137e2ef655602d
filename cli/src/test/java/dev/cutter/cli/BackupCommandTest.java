package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithPostgres
@Tag("pgdump")
class BackupCommandTest {

  private static final Path DEBIAN_PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String PASSPHRASE = "backup-Approver-Pass-7";

  @TempDir Path tmp;

  @Test
  void selftestPrintsOneLinePerCheckAndExitsZeroWhenReady(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id serial primary key); insert into app.t default values;");
    Path pkg = writePackage(db, "app");

    Cli r = cli(Map.of(), "backup", "--selftest", pkg.toString(), "--target", db.uri("postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("PASS pg_dump found: ", "PASS pg_dump new enough: ", "PASS USAGE on schemas: ",
        "PASS SELECT on tables: postgres can read all 1 tables in scope", "backup selftest: READY");
    assertThat(r.out().lines().filter(l -> l.startsWith("PASS ") || l.startsWith("FAIL ")).count()).isGreaterThanOrEqualTo(7);
  }

  @Test
  void selftestExitsThreeNamingWhatBackupRoleCannotRead(TestDatabase db) throws Exception {
    String role = db.createRole("bk");
    db.execute("create schema app; create table app.t(id int); grant usage on schema app to " + role);
    Path pkg = writePackage(db, "app", "  backup_role: " + role + "\n");

    Cli r = cli(Map.of(), "backup", "--selftest", pkg.toString(), "--target", db.uri("postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("FAIL SELECT on tables: " + role + " cannot read 1 of 1 tables: app.t")
        .contains("NOT READY (backup_role " + role + ")");
  }

  @Test
  void refusesToDumpAnUnsignedPackage(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id int);");
    Path pkg = writePackage(db, "app");
    Path trust = trustWithApprover();

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("integrity: FAIL").contains("verdict: BLOCKED (integrity gate; nothing was dumped)");
    assertThat(tmp.resolve("backups")).doesNotExist();
  }

  @Test
  void theIntegrityGateDecidesBeforeTheDatabaseOrTheRecipientKeysAreLookedAt(TestDatabase db) throws Exception {
    // the tools and keys are looked up while the signatures are checked; a refusal still comes
    // from the integrity gate first, and nothing connects: the target here is a closed port
    Path pkg = writePackage(db, "app");
    Files.writeString(pkg.resolve("package.yaml"), "  encrypt_to: [ \"${CUTTER_TEST_NEVER_SET}\" ]\n",
        java.nio.file.StandardOpenOption.APPEND);
    Path trust = trustWithApprover();

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", "postgresql://postgres@127.0.0.1:1/" + db.name(),
        "--trust", trust.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("integrity: FAIL").contains("verdict: BLOCKED (integrity gate; nothing was dumped)")
        .doesNotContain("CUTTER_TEST_NEVER_SET");
    assertThat(r.out() + r.err()).doesNotContain("cannot connect").doesNotContain("Connection refused");
    assertThat(tmp.resolve("backups")).doesNotExist();
  }

  @Test
  void dumpsASignedPackageAndPrintsItsEnvelope(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id serial primary key, v text);"
        + "insert into app.t(v) select md5(g::text) from generate_series(1, 500) g;");
    Path pkg = writePackage(db, "app");
    Path trust = trustWithApprover();
    sign(pkg);

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("format: custom", "archive_version: 1.14-0", "table_data_entries: 1", "encrypted_to: []",
        "verdict: PASS");
    String path = r.out().lines().filter(l -> l.startsWith("path: ")).findFirst().orElseThrow().substring(6);
    assertThat(Path.of(path)).exists().hasParent(tmp.resolve("backups"));
    assertThat(Path.of(path).getFileName().toString()).matches("backup-cli-\\d{8}T\\d{6}Z-[0-9a-f]{4}\\.dump");
    assertThat(r.out() + r.err()).as("progress stays off redirected output").doesNotContain("MiB/s");
  }

  @Test
  void proveRestoresIntoTheNamedServerAndPrintsTheCountsAndTheAnchor(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id serial primary key, v text); create table app.u(x int);"
        + "insert into app.t(v) select md5(g::text) from generate_series(1, 500) g; insert into app.u values (1), (2);");
    Path pkg = writePackage(db, "app");
    Path trust = trustWithApprover();
    sign(pkg);

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(), "--prove",
        "--restore-into", db.uri("postgres").replace("/" + db.name(), "/postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^wal_lsn: [0-9A-F]+/[0-9A-F]+$").containsPattern("(?m)^snapshot_xmin: \\d+$")
        .containsPattern("(?m)^restore_proof: 2 tables, 502 rows, \\d+ relations compared in .*; no difference$")
        .contains("verdict: PASS");
    assertThat(db.queryValue("select count(*) from pg_database where datname like 'cutter_proof_%'")).isEqualTo("0");
  }

  /**
   * The proof's database is made on the scratch server beside the identity gate; when that gate
   * refuses the target, nothing is dumped and the database is dropped before the command ends.
   */
  @Test
  void anIdentityRefusalWithTheProofDumpsNothingAndLeavesNoProofDatabase(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id int); insert into app.t values (1);");
    Path pkg = writePackage(db, "app");
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("system_identifier: \"" + Approver.systemIdentifier(db) + "\"",
        "system_identifier: \"1234\""));
    Path trust = trustWithApprover();
    sign(pkg);

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(), "--prove",
        "--restore-into", db.uri("postgres").replace("/" + db.name(), "/postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("verdict: BLOCKED (identity gate: not the approved target; nothing was dumped)");
    assertThat(db.queryValue("select count(*) from pg_database where datname like 'cutter_proof_%'")).isEqualTo("0");
    assertThat(tmp.resolve("backups")).doesNotExist();
  }

  @Test
  void proveRestoresIntoTheEmbeddedServerByDefault(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id serial primary key, v text); create table app.u(x int);"
        + "insert into app.t(v) select md5(g::text) from generate_series(1, 500) g; insert into app.u values (1), (2);");
    Path pkg = writePackage(db, "app");
    Path trust = trustWithApprover();
    sign(pkg);
    List<Long> before = servers();

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(), "--prove");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^restore_proof: 2 tables, 502 rows, \\d+ relations compared in embedded "
        + "PostgreSQL 15\\.\\d+ from the bundled binaries; no difference$").contains("verdict: PASS");
    assertThat(db.queryValue("select count(*) from pg_database where datname like 'cutter_proof_%'")).isEqualTo("0");
    assertThat(servers()).as("the embedded server is stopped").isEqualTo(before);
  }

  /**
   * A real {@code cutter backup --prove} as a user who is not root (here {@code postgres}, through
   * runuser, in a child JVM): the scratch runs from the host's own server binaries of the bundled
   * major, says so in the proof's line, and makes its cluster template under that user's cache;
   * the next proof starts from a copy of it (still one template).
   */
  @Test
  void proveAsAUserWhoIsNotRootRestoresIntoTheHostsOwnServerBinaries(TestDatabase db) throws Exception {
    Path runuser = Path.of("/usr/sbin/runuser");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(runuser)
        && Files.isExecutable(DEBIAN_PG_BIN.resolve("initdb")), "needs root, runuser and the host's server binaries");
    db.execute("create schema app; create table app.t(id serial primary key, v text); create table app.u(x int);"
        + "insert into app.t(v) select md5(g::text) from generate_series(1, 500) g; insert into app.u values (1), (2);");
    // what the user postgres reads: the package, the trust policy, the class path; what it writes:
    // the backup directory and its cache
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path pkg = writePackage(db, "app");
    Path trust = trustWithApprover();
    Cli sign = cli(Map.of("P", PASSPHRASE), "package", "sign", pkg.toString(), "--key",
        tmp.resolve("keys/approver-one.sec.asc").toString(), "--passphrase-env", "P");
    assertThat(sign.exit()).as(sign.err()).isZero();
    Path home = Files.createDirectories(tmp.resolve("home"));
    for (Path own : List.of(Files.createDirectories(tmp.resolve("backups")), home)) {
      Files.setOwner(own, own.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
    }
    String cp = ReadableClassPath.linkedUnder(tmp.resolve("lib"));
    Path templates = home.resolve(".cache/cutter/scratch-templates");

    for (int run = 1; run <= 2; run++) {
      List<String> cmd = new ArrayList<>(List.of(runuser.toString(), "-u", "postgres", "--",
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC", "-cp", cp, Main.class.getName(), "backup", pkg.toString(), "--target", db.uri("postgres"),
          "--trust", trust.toString(), "--prove", "--pg-bin", DEBIAN_PG_BIN.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile())
          .redirectError(tmp.resolve("err.txt").toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("XDG_"));
      pb.environment().put("HOME", home.toString());
      pb.environment().put("XDG_CACHE_HOME", home.resolve(".cache").toString());
      Process p = pb.start();
      assertThat(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).as("cutter finished").isTrue();
      Cli r = new Cli(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));

      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).containsPattern("(?m)^restore_proof: 2 tables, 502 rows, \\d+ relations compared in embedded "
          + "PostgreSQL 15\\.\\d+.* from the host's binaries \\(postgres \\(PostgreSQL\\) 15\\.\\d+.*\\); no difference$")
          .contains("verdict: PASS");
      try (var made = Files.list(templates)) {
        assertThat(made.map(t -> t.getFileName().toString()).toList()).as("run %d: one template, the host binaries'", run)
            .singleElement().asString().matches("pg-[0-9a-f]{24}");
      }
    }
    assertThat(db.queryValue("select count(*) from pg_database where datname like 'cutter_proof_%'")).isEqualTo("0");
  }

  @Test
  void aCheckFunctionApplyRolePlantedRunsNoProgramOnThisHostDuringTheEmbeddedProof(TestDatabase db) throws Exception {
    // apply_role's CHECK constraint runs for every restored row; restored by the embedded server's
    // superuser it would run a program on this host as the operator
    String app = db.createRole("app");
    db.createSchema("app", app);
    Path mark = Path.of(System.getProperty("java.io.tmpdir"), "cutter-planted-" + Long.toHexString(System.nanoTime()));
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create function app.ok(n int) returns boolean language plpgsql as $$ begin"
          + " if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then"
          + " execute 'copy (select 1) to program ''touch " + mark + "'''; end if; return true; end $$");
      st.execute("create table app.t(id int primary key, n int check (app.ok(n)))");
      st.execute("insert into app.t select g, g from generate_series(1, 3) g");
    }
    Path pkg = writePackage(db, "app");
    Path trust = trustWithApprover();
    sign(pkg);

    Cli r;
    boolean ran;
    try {
      r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(), "--prove");
    } finally {
      ran = Files.deleteIfExists(mark);
    }

    assertThat(ran).as("the planted function ran a program as the embedded server's superuser").isFalse();
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^restore_proof: 1 tables, 3 rows, \\d+ relations compared in embedded "
        + "PostgreSQL 15\\.\\d+ from the bundled binaries; no difference$");
  }

  /**
   * apply_role's CHECK function raises a row only the backup login reads, during the embedded
   * proof's restore: pg_restore's stderr carried the server's message into stdout (and, with
   * --verbose, nothing more may come). pg_restore's own words are printed, the server's withheld.
   */
  @Test
  void aRowTheRestoresCodeRaisesReachesNeitherStdoutNorStderrEvenWithVerbose(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    db.createSchema("app", app);
    // a table apply_role may not read, in the backup's scope: the backup login dumps it
    db.execute("create table app.secrets(v text); insert into app.secrets values ('Payroll-Row-7731')");
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create function app.ok(n int) returns boolean language plpgsql as $$ begin"
          + " if pg_catalog.current_database() operator(pg_catalog.~~) 'cutter_proof_%' then"
          + " raise exception '%', (select pg_catalog.string_agg(v, ',') from app.secrets)"
          + " using detail = (select pg_catalog.string_agg(v, ',') from app.secrets); end if; return true; end $$");
      st.execute("create table app.t(n int check (app.ok(n)))");
      st.execute("insert into app.t values (1)");
    }
    Path pkg = writePackage(db, "app");
    Path trust = trustWithApprover();
    sign(pkg);

    // the JVM's own stderr too: where the log (and the embedded server's output, through its logger) would go
    java.io.PrintStream jvmErr = System.err;
    java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
    Cli r;
    System.setErr(new java.io.PrintStream(logged, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(), "--prove",
          "--verbose");
    } finally {
      System.setErr(jvmErr);
    }

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out() + r.err()).doesNotContain("Payroll-Row-7731");
    assertThat(logged.toString(java.nio.charset.StandardCharsets.UTF_8)).as("the log").doesNotContain("Payroll-Row-7731");
    assertThat(r.out()).contains("reason: pg_restore into the restore proof's database exited 1: pg_restore: error: COPY failed"
        + " for table \"t\"; the server's message is withheld").contains("verdict: BLOCKED");
    try (var files = Files.walk(tmp.resolve("backups"))) {
      for (Path f : files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".reason")).toList()) {
        assertThat(Files.readString(f)).as("the quarantine's reason file").doesNotContain("Payroll-Row-7731");
      }
    }
  }

  @Test
  void theEmbeddedServerStartedBesideTheChecksIsStoppedWhenTheyBlock(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id int);");
    Path pkg = writePackage(db, "app"); // not signed
    Path trust = trustWithApprover();
    List<Long> before = servers();

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(), "--prove");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("verdict: BLOCKED (integrity gate; nothing was dumped)");
    assertThat(servers()).as("no embedded server left running").isEqualTo(before);
  }

  /** The PostgreSQL servers this JVM started and that still run (the test server among them). */
  private static List<Long> servers() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .filter(p -> p.parent().map(pp -> pp.info().command().map(c -> !c.endsWith("/postgres")).orElse(true)).orElse(true))
        .map(ProcessHandle::pid).sorted().toList();
  }

  @Test
  void restoreIntoWithoutTheProofIsRefusedInOneLine(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id int);");
    Path pkg = writePackage(db, "app");

    Cli r = cli(Map.of(), "backup", pkg.toString(), "--target", db.uri("postgres"), "--restore-into", db.uri("postgres"));

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo(
        "--restore-into: only the restore proof uses it; add --prove (or backup.verify: restore)");
    assertThat(tmp.resolve("backups")).doesNotExist();
  }

  /** Signs {@code pkg} with the approver's key ({@link #trustWithApprover} made it). */
  private void sign(Path pkg) {
    Cli sign = cli(Map.of("P", PASSPHRASE), "package", "sign", pkg.toString(), "--key",
        tmp.resolve("keys/approver-one.sec.asc").toString(), "--passphrase-env", "P");
    assertThat(sign.exit()).as(sign.err()).isZero();
  }

  private Path trustWithApprover() throws IOException {
    Cli gen = cli(Map.of("P", PASSPHRASE), "keys", "generate", "--name", "Approver One <one@example.org>", "--out",
        tmp.resolve("keys").toString(), "--passphrase-env", "P");
    assertThat(gen.exit()).as(gen.err()).isZero();
    return Files.writeString(tmp.resolve("keys/trust.yaml"), "keyring: approver-one.pub.asc\nrequire: 1\n");
  }

  private Path writePackage(TestDatabase db, String schema, String... targetExtra) throws Exception {
    Path pkg = Files.createDirectories(tmp.resolve("pkg"));
    Path sql = Files.writeString(Files.createDirectories(pkg.resolve("ddl")).resolve("change.sql"), "select 1;\n");
    String yaml = "apiVersion: cutter/v1\nkind: ApplyPackage\nid: backup-cli\ntitle: backup from the command line\n"
        + "authorization:\n  ref: CHG-1\n  expires_at: 2099-01-01T00:00:00Z\n  risk: low\n"
        + "target:\n  database: " + db.name() + "\n  system_identifier: \"" + Approver.systemIdentifier(db) + "\"\n"
        + "  apply_role: postgres\n"
        + String.join("", targetExtra)
        + "artifact:\n  path: ddl/change.sql\n  sha256: " + sha256(Files.readAllBytes(sql)) + "\n"
        + "backup:\n  required: true\n  scope: { schemas: [" + schema + "] }\n  dir: " + tmp.resolve("backups") + "\n"
        + "  min_bytes: 100\n";
    Files.writeString(pkg.resolve("package.yaml"), yaml);
    return pkg;
  }

  private static Cli cli(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(extraEnv);
    List<String> all = new ArrayList<>(List.of(args));
    if (all.get(0).equals("backup") && Files.isExecutable(DEBIAN_PG_BIN.resolve("pg_dump"))) {
      all.addAll(List.of("--pg-bin", DEBIAN_PG_BIN.toString()));
    }
    return Cli.run(env, all.toArray(String[]::new));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
