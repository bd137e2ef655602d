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
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --pg-dump-via} and the trust policy's {@code pg_dump_via} on the backup and apply verbs. */
@WithPostgres
class PgDumpViaCommandTest {

  private static final Path DEBIAN_PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String PASSPHRASE = "via-Approver-Pass-3";

  @TempDir Path tmp;

  @Test
  void refusesAnUnsplittablePrefixInOneLine(TestDatabase db) throws Exception {
    Path pkg = writePackage(db);

    Cli r = cli("backup", "--selftest", pkg.toString(), "--target", db.uri("postgres"), "--pg-dump-via", "docker exec 'db");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("--pg-dump-via: unterminated ' quote at column 13");
    Cli secret = cli("backup", "--selftest", pkg.toString(), "--target", db.uri("postgres"), "--pg-dump-via",
        "docker exec -e PGPASSWORD=hunter2 db");
    assertThat(secret.exit()).isEqualTo(2);
    assertThat(secret.err().strip()).isEqualTo("--pg-dump-via: the word at column 16 assigns a value to the libpq"
        + " variable PGPASSWORD in argv, which every user of this host can read; forward variables by name only (e.g. -e"
        + " PGPASSWORD) and cutter sets them in the prefix's environment");
  }

  @Test
  void refusesAHostOrPortWithoutAPrefixOnApplyToo(TestDatabase db) throws Exception {
    Path pkg = writePackage(db);

    Cli r = cli("apply", pkg.toString(), "--target", db.uri("postgres"), "--pg-dump-port", "5433",
        "--report-dir", tmp.resolve("reports").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines().filter(l -> l.startsWith("--pg-dump")).toList())
        .containsExactly("--pg-dump-port needs --pg-dump-via: it says where pg_dump run through the prefix connects");
  }

  @Test
  @Tag("pgdump") // pg_dump of the server under test
  void theTrustPolicysPrefixRunsTheBackupAndTheCommandLineWins(TestDatabase db) throws Exception {
    db.execute("create schema app; create table app.t(id serial primary key, v text);"
        + "insert into app.t(v) select md5(g::text) from generate_series(1, 300) g;");
    Path pkg = writePackage(db);
    Path script = recordingPrefix();
    Path trust = trustWithApprover("pg_dump_via: " + script + " -i -e PGPASSWORD policy-box\n");
    Cli sign = cli(Map.of("P", PASSPHRASE), "package", "sign", pkg.toString(), "--key",
        tmp.resolve("keys/approver-one.sec.asc").toString(), "--passphrase-env", "P");
    assertThat(sign.exit()).as(sign.err()).isZero();

    Cli r = cli("backup", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("verdict: PASS");
    List<List<String>> calls = calls();
    assertThat(calls).as("every pg_dump and pg_restore ran through the policy's prefix").hasSize(4)
        .allSatisfy(argv -> assertThat(argv.subList(0, 4)).containsExactly("-i", "-e", "PGPASSWORD", "policy-box"));

    Cli selftest = cli("backup", "--selftest", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(),
        "--pg-dump-via", script + " -i -e PGPASSWORD cli-box");

    assertThat(selftest.exit()).as(selftest.out() + selftest.err()).isZero();
    assertThat(selftest.out().lines().filter(l -> l.startsWith("PASS pg_dump found: ")).toList()).singleElement()
        .asString().startsWith("PASS pg_dump found: " + script + " -i -e PGPASSWORD cli-box ")
        .endsWith(" (prefix from --pg-dump-via)");
    assertThat(calls()).as("the command line's prefix, not the policy's, for the selftest").hasSize(6)
        .filteredOn(argv -> argv.get(3).equals("cli-box")).hasSize(2);
  }

  @Test
  void aPolicyRequiringVerifiedTlsRefusesAPgDumpHostThatIsNotLocal(TestDatabase db) throws Exception {
    Path pkg = writePackage(db);
    Path trust = trustWithApprover("tls: verify-full\n");

    Cli r = cli("backup", "--selftest", pkg.toString(), "--target", db.uri("postgres"), "--trust", trust.toString(),
        "--pg-dump-via", "docker exec -i -e PGPASSWORD db", "--pg-dump-host", "db.example.org");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("pg_dump through docker exec -i -e PGPASSWORD db (from --pg-dump-via): the trust"
        + " policy requires tls: verify-full for a target that is not local; db.example.org would be reached with sslmode"
        + " prefer: set sslmode=verify-full and sslrootcert in the target");
  }

  /** A prefix script that records its argv (one file per run) and runs the rest as docker exec would. */
  private Path recordingPrefix() throws IOException {
    Path calls = Files.createDirectories(tmp.resolve("calls"));
    Path script = tmp.resolve("fake-exec");
    Files.writeString(script, """
        #!/bin/bash
        { for a in "$@"; do printf '%%s\\t' "$a"; done; } > "%s/$$-$RANDOM.log"
        shift 4
        exec "$@"
        """.formatted(calls));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private List<List<String>> calls() throws IOException {
    List<List<String>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(tmp.resolve("calls"))) {
      for (Path f : files.toList()) {
        out.add(List.of(Files.readString(f).split("\t")));
      }
    }
    return out;
  }

  private Path trustWithApprover(String extra) throws IOException {
    Cli gen = cli(Map.of("P", PASSPHRASE), "keys", "generate", "--name", "Approver One <one@example.org>", "--out",
        tmp.resolve("keys").toString(), "--passphrase-env", "P");
    assertThat(gen.exit()).as(gen.err()).isZero();
    return Files.writeString(tmp.resolve("keys/trust.yaml"), "keyring: approver-one.pub.asc\nrequire: 1\n" + extra);
  }

  private Path writePackage(TestDatabase db) throws Exception {
    Path pkg = Files.createDirectories(tmp.resolve("pkg"));
    Path sql = Files.writeString(Files.createDirectories(pkg.resolve("ddl")).resolve("change.sql"), "select 1;\n");
    String yaml = "apiVersion: cutter/v1\nkind: ApplyPackage\nid: via-cli\ntitle: backup through a prefix\n"
        + "authorization:\n  ref: CHG-1\n  expires_at: 2099-01-01T00:00:00Z\n  risk: low\n"
        + "target:\n  database: " + db.name() + "\n  system_identifier: \"" + Approver.systemIdentifier(db) + "\"\n"
        + "  apply_role: postgres\n"
        + "artifact:\n  path: ddl/change.sql\n  sha256: " + sha256(Files.readAllBytes(sql)) + "\n"
        + "backup:\n  required: true\n  scope: { schemas: [app] }\n  dir: " + tmp.resolve("backups") + "\n"
        + "  min_bytes: 100\n";
    Files.writeString(pkg.resolve("package.yaml"), yaml);
    return pkg;
  }

  private static Cli cli(String... args) {
    return cli(Map.of(), args);
  }

  private static Cli cli(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(extraEnv);
    List<String> all = new ArrayList<>(List.of(args));
    if ((all.get(0).equals("backup") || all.get(0).equals("apply")) && Files.isExecutable(DEBIAN_PG_BIN.resolve("pg_dump"))) {
      all.addAll(List.of("--pg-bin", DEBIAN_PG_BIN.toString()));
    }
    return Cli.run(env, all.toArray(String[]::new));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
