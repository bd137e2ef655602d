package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.backup.BackupResult.Blocked;
import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithPostgres
@Tag("pgdump")
class BackupGateTest {

  private static final String RUN_ID = "20261122T220000Z-0001";

  @TempDir Path tmp;

  @Test
  void encryptedBackupDecryptsWithGpgAndRestoresIdentically(TestDatabase db) throws Exception {
    createShop(db);
    String role = readerRole(db);
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String fpr = gpg.generateEncryptionKey("Backup Test <backup@example.invalid>");
      Path dir = tmp.resolve("backups");
      BackupPolicy policy = policy(List.of("shop"), dir, 1024, List.of("${BACKUP_GPG_FPR}"), Optional.empty());
      Map<String, String> env = env(Map.of("BACKUP_GPG_FPR", fpr, "GNUPGHOME", gpg.home().toString()));

      BackupResult result = gate(env).run(conn(db, role), policy, "shop-change", RUN_ID);

      assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
      BackupEnvelope e = ((Passed) result).envelope();
      assertThat(e.missingFields()).isEmpty();
      assertThat(e.path()).isEqualTo(dir.resolve("shop-change-" + RUN_ID + ".dump.pgp"));
      assertThat(e.encryptedTo()).containsExactly(fpr);
      assertThat(e.format()).isEqualTo("custom");
      assertThat(e.archiveVersion()).isEqualTo("1.14-0");
      assertThat(e.pgDumpVersion()).startsWith("15.");
      assertThat(e.tableDataEntries()).isEqualTo(3);
      assertThat(e.tocEntries()).isGreaterThan(10);
      assertThat(e.bytes()).isEqualTo(Files.size(e.path()));
      assertThat(sha256(e.path())).isEqualTo(e.sha256());
      assertThat(e.sha256()).isNotEqualTo(e.plaintextSha256());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(e.path()))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      assertThat(visibleFiles(dir)).as("only the backup at a final name, no plaintext")
          .containsExactly(e.path().getFileName().toString());
      try (InputStream in = Files.newInputStream(e.path())) {
        assertThat(new String(in.readNBytes(5), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as("encrypted file does not start with the archive magic").isNotEqualTo("PGDMP");
      }

      Path plain = tmp.resolve("decrypted.dump");
      gpg.decrypt(e.path(), plain);
      assertThat(sha256(plain)).isEqualTo(e.plaintextSha256());
      assertThat(Files.size(plain)).isEqualTo(e.plaintextBytes());

      String restored = TestDatabase.unique("restored");
      db.execute("create database " + restored);
      try {
        PgDumpSupport.run(List.of(PgDumpSupport.program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error",
            "-h", db.server().host(), "-p", String.valueOf(db.server().port()), "-U", "postgres", "-d", restored,
            plain.toString()));
        try (var c = db.server().superuserConnection(restored)) {
          assertThat(shape(c)).isEqualTo(shape(db.superuser()));
        }
      } finally {
        db.execute("drop database " + restored + " with (force)");
      }
    }
  }

  @Test
  void unencryptedWholeDatabaseBackupRecordsOneDigest(TestDatabase db) throws Exception {
    createShop(db);
    Path dir = tmp.resolve("plain");

    BackupResult result = gate(env(Map.of())).run(conn(db, "postgres"),
        policy(List.of(), dir, 1, List.of(), Optional.empty()), "whole", RUN_ID);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) result).envelope();
    assertThat(e.path().getFileName().toString()).isEqualTo("whole-" + RUN_ID + ".dump");
    assertThat(e.encryptedTo()).isEmpty();
    assertThat(e.sha256()).isEqualTo(e.plaintextSha256()).isEqualTo(sha256(e.path()));
    assertThat(e.tableDataEntries()).as("shop's three tables and public.notes").isEqualTo(4);
    assertThat(ArchiveVerifier.verify(Files.newInputStream(e.path())).tocEntries()).isEqualTo(e.tocEntries());
  }

  @Test
  void pgDumpFailureLeavesNothingAtAFinalNameAndReportsItsError(TestDatabase db) throws Exception {
    createShop(db);
    String role = db.createRole("nousage");
    db.execute("grant usage on schema shop to " + role + "; grant select on all tables in schema shop to " + role
        + "; create schema secret; create table secret.keys(k text); insert into secret.keys values ('x');");
    Path dir = tmp.resolve("failing");

    BackupResult result = gate(env(Map.of())).run(conn(db, role),
        policy(List.of("shop", "secret"), dir, 1, List.of(), Optional.empty()), "pkg", RUN_ID);

    assertThat(result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.reason()).startsWith("pg_dump exited 1").contains("permission denied for schema secret");
    assertThat(visibleFiles(dir)).as("nothing at a final name").containsExactly("quarantine");
    assertThat(b.quarantined()).isPresent();
    Path reason = Path.of(b.quarantined().get() + ".reason");
    assertThat(Files.readString(reason)).contains("permission denied for schema secret");
    assertThat(b.quarantined().get().getParent()).isEqualTo(dir.resolve("quarantine"));
  }

  @Test
  void blocksWhenTheRecipientKeyIsMissing(TestDatabase db) throws Exception {
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      gpg.generateEncryptionKey("Someone Else <else@example.invalid>");
      String absent = "0123456789ABCDEF0123456789ABCDEF01234567";
      Path dir = tmp.resolve("nokey");

      BackupResult result = gate(env(Map.of("GNUPGHOME", gpg.home().toString()))).run(conn(db, "postgres"),
          policy(List.of(), dir, 1, List.of(absent), Optional.empty()), "pkg", RUN_ID);

      assertThat(result).isInstanceOf(Blocked.class);
      assertThat(((Blocked) result).reason()).contains("no key with fingerprint " + absent);
      assertThat(dir).as("nothing is created before the keys are known").doesNotExist();
    }
  }

  @Test
  void blocksWhenTheRecipientKeyCannotEncrypt(TestDatabase db) throws Exception {
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String signOnly = gpg.generate("Signer <signer@example.invalid>", "ed25519", "sign", "never");
      Path keyFile = tmp.resolve("signer.asc");
      Files.writeString(keyFile, gpg.exportArmored(signOnly));

      BackupResult result = gate(env(Map.of())).run(conn(db, "postgres"),
          policy(List.of(), tmp.resolve("d"), 1, List.of(signOnly), Optional.of(keyFile)), "pkg", RUN_ID);

      assertThat(result).isInstanceOf(Blocked.class);
      assertThat(((Blocked) result).reason()).contains(signOnly).contains("encryption-capable");
    }
  }

  @Test
  void blocksNamingAnUnsetVariableInEncryptTo(TestDatabase db) {
    BackupResult result = gate(env(Map.of())).run(conn(db, "postgres"),
        policy(List.of(), tmp.resolve("d"), 1, List.of("${CUTTER_TEST_UNSET_FPR}"), Optional.empty()), "pkg", RUN_ID);

    assertThat(result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).reason()).contains("CUTTER_TEST_UNSET_FPR").contains("not set");
  }

  @Test
  void blocksWhenTheDumpIsSmallerThanMinBytes(TestDatabase db) throws Exception {
    Path dir = tmp.resolve("small");

    BackupResult result = gate(env(Map.of())).run(conn(db, "postgres"),
        policy(List.of(), dir, 10L << 20, List.of(), Optional.empty()), "pkg", RUN_ID);

    assertThat(result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.reason()).contains("min_bytes");
    assertThat(b.expected()).isEqualTo(">= " + (10L << 20) + " bytes");
    assertThat(b.actual()).matches("\\d+ bytes");
    assertThat(visibleFiles(dir)).as("the small dump is quarantined, not kept").containsExactly("quarantine");
  }

  @Test
  void blocksWhileAnotherBackupHoldsTheDirectory(TestDatabase db) throws Exception {
    Path dir = tmp.resolve("locked");
    try (BackupDirectory held = BackupDirectory.open(dir)) {
      BackupResult result = gate(env(Map.of())).run(conn(db, "postgres"),
          policy(List.of(), dir, 1, List.of(), Optional.empty()), "pkg", RUN_ID);

      assertThat(result).isInstanceOf(Blocked.class);
      assertThat(((Blocked) result).reason()).contains("another backup is writing into");
    }
  }

  @Test
  void blocksWhenAScopeSchemaDoesNotExist(TestDatabase db) {
    BackupResult result = gate(env(Map.of())).run(conn(db, "postgres"),
        policy(List.of("nope"), tmp.resolve("d"), 1, List.of(), Optional.empty()), "pkg", RUN_ID);

    assertThat(result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).reason()).contains("nope");
  }

  @Test
  void selftestPassesForAReadyRoleAndNamesWhatIsUnreadable(TestDatabase db) throws Exception {
    createShop(db);
    String reader = readerRole(db);
    String partial = db.createRole("partial");
    db.execute("grant usage on schema shop to " + partial + "; grant select on shop.orders to " + partial);
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String fpr = gpg.generateEncryptionKey("Ready <ready@example.invalid>");
      BackupPolicy policy = policy(List.of("shop"), tmp.resolve("ready"), 1, List.of(fpr), Optional.empty());
      BackupGate gate = gate(env(Map.of("GNUPGHOME", gpg.home().toString())));

      List<ReadinessItem> ready = gate.selftest(conn(db, reader), policy);
      List<ReadinessItem> notReady = gate.selftest(conn(db, partial), policy);

      assertThat(ready).as(lines(ready)).allMatch(ReadinessItem::passed);
      assertThat(ready).extracting(ReadinessItem::check).contains("pg_dump found", "pg_dump new enough",
          "USAGE on schemas", "SELECT on tables", "SELECT on sequences", "backup directory", "recipient key " + fpr);
      assertThat(tmp.resolve("ready")).as("selftest does not create the directory").doesNotExist();
      assertThat(lines(notReady)).contains("FAIL SELECT on tables: " + partial + " cannot read 2 of 3 tables")
          .contains("shop.Line Items").contains("FAIL SELECT on sequences");
    }
  }

  @Test
  void compressionIsPassedToPgDumpOnlyWhenSet() {
    BackupPolicy plain = policy(List.of(), tmp, 1, List.of(), Optional.empty());
    assertThat(BackupGate.dumpCommand(Path.of("pg_dump"), plain)).noneMatch(a -> a.startsWith("--compress"));
    assertThat(BackupGate.dumpCommand(List.of("pg_dump"), plain.withCompression(java.util.OptionalInt.of(1)), "SNAP"))
        .containsExactly("pg_dump", "--format=custom", "--no-password", "--compress=1", "--snapshot=SNAP");
    assertThat(BackupGate.dumpCommand(List.of("pg_dump"), plain.withFormat(BackupPolicy.Format.DIRECTORY, 2)
        .withCompression(java.util.OptionalInt.of(0)), null, Path.of("/d")))
        .containsExactly("pg_dump", "--format=directory", "--jobs=2", "--file=/d", "--no-password", "--compress=0");
  }

  @Test
  void passwordTravelsInTheEnvironmentNotInArgv() {
    ConnectionSpec spec = new ConnectionSpec("db.invalid", 5433, "app", "bk",
        Optional.of(new ConnectionSpec.Secret("s3cret-Value")));
    List<String> argv = BackupGate.dumpCommand(Path.of("pg_dump"),
        policy(List.of("Odd \"Name\"", "a*b"), tmp, 1, List.of(), Optional.empty()));
    Map<String, String> env = BackupGate.childEnvironment(spec, Map.of("PGSERVICE", "prod"), Optional.empty());

    assertThat(String.join(" ", argv)).doesNotContain("s3cret").doesNotContain("db.invalid");
    assertThat(argv).contains("--schema=\"Odd \"\"Name\"\"\"", "--schema=\"a*b\"", "--strict-names", "--no-password");
    assertThat(env).containsEntry("PGPASSWORD", "s3cret-Value").containsEntry("PGHOST", "db.invalid")
        .containsEntry("PGPORT", "5433").containsEntry("PGUSER", "bk").doesNotContainKey("PGSERVICE");
  }

  @Test
  void pgDumpGetsExactlyTheEndpointCutterUsesAndNoOtherLibpqVariable() {
    Path ca = Path.of("/certs/ca.crt");
    ConnectionSpec spec = new ConnectionSpec("/run/pg-a", 5433, "a?sslmode=disable", "bk", Optional.empty(),
        ConnectionSpec.Tls.mode(ConnectionSpec.SslMode.REQUIRE).withRootCert(ca), 7);
    Map<String, String> inherited = Map.of("PGHOSTADDR", "10.9.9.9", "PGSERVICE", "other", "PGSERVICEFILE", "/x",
        "PGOPTIONS", "-c role=postgres", "PGSSLMODE", "disable", "PGTARGETSESSIONATTRS", "any", "PGREQUIRESSL", "0",
        "PGSSLCRL", "/x.crl", "PATH", "/usr/bin", "HOME", "/home/op");
    Map<String, String> env = BackupGate.childEnvironment(spec, inherited, Optional.empty());

    assertThat(env.keySet().stream().filter(k -> k.startsWith("PG")).sorted().toList())
        .containsExactly("PGAPPNAME", "PGCONNECT_TIMEOUT", "PGDATABASE", "PGGSSENCMODE", "PGHOST", "PGPORT", "PGSSLMODE",
            "PGSSLROOTCERT", "PGUSER");
    assertThat(env).containsEntry("PGHOST", "/run/pg-a").as("the socket directory stays one: pg_dump uses the socket file cutter uses")
        .containsEntry("PGDATABASE", "a?sslmode=disable").containsEntry("PGSSLMODE", "verify-ca")
        .containsEntry("PGSSLROOTCERT", ca.toString()).containsEntry("PGCONNECT_TIMEOUT", "7")
        .containsEntry("PATH", "/usr/bin").containsEntry("HOME", "/home/op");
    assertThat(BackupGate.withoutLibpqVariables(inherited)).containsOnlyKeys("PATH", "HOME");
  }

  @Test
  void theKeyPassphraseReachesPgDumpThroughAPrivateServiceFile() throws Exception {
    ConnectionSpec.Tls tls = new ConnectionSpec.Tls(ConnectionSpec.SslMode.REQUIRE, Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.of(new ConnectionSpec.Secret("k3y-Pass")));
    ConnectionSpec spec = new ConnectionSpec("h", 5432, "app", "bk", Optional.empty(), tls, 10);
    Path file;
    try (KeyPasswordFile f = KeyPasswordFile.of(spec)) {
      file = f.file().orElseThrow();
      Map<String, String> env = BackupGate.childEnvironment(spec, Map.of(), f.file());
      assertThat(env.values()).doesNotContain("k3y-Pass");
      assertThat(env).containsEntry("PGSERVICEFILE", file.toString()).containsEntry("PGSERVICE", "cutter");
      assertThat(Files.readString(file)).isEqualTo("[cutter]\nsslpassword=k3y-Pass\n");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
      assertThat(String.join(" ", BackupGate.dumpCommand(Path.of("pg_dump"),
          policy(List.of("s"), tmp, 1, List.of(), Optional.empty()), "00000003-1"))).doesNotContain("k3y");
    }
    assertThat(file).as("deleted after the dump").doesNotExist();
  }

  // --- fixtures

  static void createShop(TestDatabase db) {
    db.execute("create schema shop;"
        + "create table shop.orders(id serial primary key, note text not null, created date default current_date);"
        + "create table shop.\"Line Items\"(id bigserial primary key, order_id int not null references shop.orders,"
        + "  qty int check (qty > 0), unique (order_id, id));"
        + "create table shop.audit(at timestamptz, what text);"
        + "create index on shop.audit(at);"
        + "create view shop.totals as select order_id, sum(qty) from shop.\"Line Items\" group by 1;"
        + "insert into shop.orders(note) select md5(g::text) from generate_series(1, 3000) g;"
        + "insert into shop.\"Line Items\"(order_id, qty) select 1 + g % 3000, 1 + g % 7 from generate_series(1, 9000) g;"
        + "create table public.notes(body text); insert into public.notes values ('n');");
  }

  static String readerRole(TestDatabase db) {
    String role = db.createRole("reader");
    db.execute("grant usage on schema shop to " + role + "; grant select on all tables in schema shop to " + role
        + "; grant select on all sequences in schema shop to " + role);
    return role;
  }

  static ConnectionSpec conn(TestDatabase db, String user) {
    return new ConnectionSpec(db.server().host(), db.server().port(), db.name(), user, Optional.empty());
  }

  /**
   * pg_dump is found on PATH and gets the backup login's password in its environment: a PATH
   * directory another user may write (a shared tools directory, {@code .} in a shared working
   * directory) lets them put a pg_dump of their own first, which cutter ran with the password.
   * A program, or a directory above it, that someone other than root or the running user could
   * change is refused before it runs.
   */
  @Test
  void aPgDumpOnPathThatAnotherUserCouldHavePlantedIsNeverRun(TestDatabase db) throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared-bin"));
    Path ran = tmp.resolve("ran");
    programsThatLeaveATrace(shared, ran);
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    BackupGate gate = firstOnPath(shared);

    BackupResult result = gate.run(conn(db, "postgres"), policy(List.of(), tmp.resolve("b"), 1, List.of(), Optional.empty()),
        "pkg", RUN_ID);

    assertThat(Files.exists(ran)).as("the planted program ran").isFalse();
    assertThat(result).isInstanceOfSatisfying(Blocked.class, b -> {
      assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.TOOL_MISSING);
      assertThat(b.reason()).contains(shared.resolve("pg_dump").toString()).contains(shared.toString())
          .contains("rwxrwxrwx");
    });
    assertThat(gate.selftest(conn(db, "postgres"), policy(List.of(), tmp.resolve("b"), 1, List.of(), Optional.empty())))
        .filteredOn(i -> i.check().equals("pg_dump found")).singleElement()
        .satisfies(i -> assertThat(i.passed()).isFalse());
    assertThat(Files.exists(ran)).isFalse();
  }

  /**
   * B15: the PATH entry and the program's final file are the operator's, but a link on the way lies in a directory
   * others may write ({@code bin/pg_dump -> shared/pg_dump -> private/pg_dump}): whoever may write {@code shared} points
   * that link at a program of theirs after the check. Before: the gate ran it (neither the named path's directories nor
   * the resolved path's held the link in between).
   */
  @Test
  void aPgDumpReachedThroughALinkInADirectoryOthersMayWriteIsNeverRun(TestDatabase db) throws Exception {
    Path own = Files.createDirectory(tmp.resolve("own-bin"));
    Path shared = Files.createDirectory(tmp.resolve("shared-links"));
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    Path ran = tmp.resolve("ran");
    programsThatLeaveATrace(own, ran);
    for (String name : List.of("pg_dump", "pg_restore")) {
      Files.createSymbolicLink(shared.resolve(name), own.resolve(name));
      Files.createSymbolicLink(bin.resolve(name), shared.resolve(name));
    }
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    BackupGate gate = firstOnPath(bin);

    BackupResult result = gate.run(conn(db, "postgres"), policy(List.of(), tmp.resolve("b"), 1, List.of(), Optional.empty()),
        "pkg", RUN_ID);

    assertThat(Files.exists(ran)).as("the program behind the link ran").isFalse();
    assertThat(result).isInstanceOfSatisfying(Blocked.class, b -> {
      assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.TOOL_MISSING);
      assertThat(b.reason()).contains(shared.toString()).contains("rwxrwxrwx");
    });
  }

  /** A pg_dump and a pg_restore in {@code dir} that write their environment to {@code ran} when run. */
  private static void programsThatLeaveATrace(Path dir, Path ran) throws IOException {
    for (String name : List.of("pg_dump", "pg_restore")) {
      Path program = dir.resolve(name);
      Files.writeString(program, "#!/bin/sh\nenv > " + ran + "\necho '" + name + " (PostgreSQL) 15.1'\n");
      Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /** The backup gate with {@code dir} first on PATH. */
  private static BackupGate firstOnPath(Path dir) {
    Map<String, String> env = env(Map.of());
    env.put("PATH", dir + ":" + env.get("PATH"));
    return new BackupGate(BackupSettings.defaults().withEnvironment(env).withProgress(null));
  }

  static BackupPolicy policy(List<String> schemas, Path dir, long minBytes, List<String> encryptTo,
      Optional<Path> keys) {
    return new BackupPolicy(true, schemas, dir, minBytes, encryptTo, keys);
  }

  static Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", System.getProperty("java.io.tmpdir"));
    return env;
  }

  static BackupGate gate(Map<String, String> env) {
    BackupSettings s = BackupSettings.defaults().withEnvironment(env).withProgress(null);
    return new BackupGate(PgDumpSupport.pgBin().map(s::withPgBin).orElse(s));
  }

  static List<String> visibleFiles(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /** Relation counts by kind, constraint counts by type and row counts of schema shop. */
  private static String shape(java.sql.Connection c) throws Exception {
    try (c; var st = c.createStatement()) {
      StringBuilder sb = new StringBuilder();
      try (var rs = st.executeQuery("select c.relkind, count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
          + " where n.nspname = 'shop' group by 1 order by 1")) {
        while (rs.next()) {
          sb.append("relkind ").append(rs.getString(1)).append('=').append(rs.getInt(2)).append('\n');
        }
      }
      try (var rs = st.executeQuery("select contype, count(*) from pg_constraint k join pg_namespace n on n.oid = k.connamespace"
          + " where n.nspname = 'shop' group by 1 order by 1")) {
        while (rs.next()) {
          sb.append("contype ").append(rs.getString(1)).append('=').append(rs.getInt(2)).append('\n');
        }
      }
      for (String t : List.of("shop.orders", "shop.\"Line Items\"", "shop.audit")) {
        try (var rs = st.executeQuery("select count(*), coalesce(sum(hashtext(x::text)), 0) from " + t + " x")) {
          rs.next();
          sb.append(t).append(" rows=").append(rs.getLong(1)).append(" hash=").append(rs.getLong(2)).append('\n');
        }
      }
      return sb.toString();
    }
  }

  private static String lines(List<ReadinessItem> items) {
    return String.join("\n", items.stream().map(ReadinessItem::line).toList());
  }
}
