package dev.cutter.backup;

import static dev.cutter.backup.BackupGateTest.conn;
import static dev.cutter.backup.BackupGateTest.createShop;
import static dev.cutter.backup.BackupGateTest.env;
import static dev.cutter.backup.BackupGateTest.gate;
import static dev.cutter.backup.BackupGateTest.readerRole;
import static dev.cutter.backup.BackupGateTest.sha256;
import static dev.cutter.backup.BackupGateTest.visibleFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.backup.BackupResult.Blocked;
import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.via.PgDumpVia;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup.format: directory: pg_dump -Fd -j N, every file walked, hashed, encrypted one by one, the directory renamed into place. */
@WithPostgres
@Tag("pgdump")
class DirectoryBackupTest {

  private static final String RUN_ID = "20261205T040000Z-0001";

  @TempDir Path tmp;

  private static BackupPolicy directory(List<String> schemas, Path dir, List<String> encryptTo, int jobs) {
    return BackupGateTest.policy(schemas, dir, 1, encryptTo, Optional.empty())
        .withFormat(BackupPolicy.Format.DIRECTORY, jobs);
  }

  @Test
  void directoryBackupListsEveryFileAndRestoresWithParallelJobsToTheSameRows(TestDatabase db) throws Exception {
    createShop(db);
    Path dir = tmp.resolve("backups");

    BackupResult result = gate(env(Map.of())).run(conn(db, readerRole(db)), directory(List.of("shop"), dir, List.of(), 2),
        "shop-change", RUN_ID);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) result).envelope();
    assertThat(e.missingFields()).isEmpty();
    assertThat(e.path()).isEqualTo(dir.resolve("shop-change-" + RUN_ID + ".dumpdir"));
    assertThat(e.format()).isEqualTo("directory");
    assertThat(e.tableDataEntries()).isEqualTo(3);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(e.path()))).isEqualTo("rwx------");
    assertThat(visibleFiles(dir)).as("the directory at its final name, nothing else").containsExactly("shop-change-" + RUN_ID + ".dumpdir");
    assertThat(hidden(dir)).as("no temporary left").containsExactly(BackupDirectory.LOCK_FILE);
    // toc.dat and one gzip data file per table, each listed with the bytes and sha256 on disk
    List<String> onDisk = names(e.path());
    assertThat(e.files()).extracting(ArchiveFile::storedName).containsExactlyElementsOf(onDisk);
    assertThat(onDisk).hasSize(4).contains("toc.dat").allMatch(n -> n.equals("toc.dat") || n.matches("[0-9]+\\.dat\\.gz"));
    for (ArchiveFile f : e.files()) {
      assertThat(f.encrypted()).isFalse();
      assertThat(f.storedBytes()).isEqualTo(Files.size(e.path().resolve(f.name()))).isEqualTo(f.bytes());
      assertThat(f.storedSha256()).isEqualTo(sha256(e.path().resolve(f.name()))).isEqualTo(f.sha256());
    }
    assertThat(e.bytes()).isEqualTo(e.files().stream().mapToLong(ArchiveFile::storedBytes).sum());
    assertThat(e.sha256()).isEqualTo(e.plaintextSha256()).isEqualTo(sha256sum(e.path(), onDisk));

    String restored = TestDatabase.unique("restored");
    db.execute("create database " + restored);
    try {
      PgDumpSupport.run(List.of(PgDumpSupport.program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--jobs=2",
          "-h", db.server().host(), "-p", String.valueOf(db.server().port()), "-U", "postgres", "-d", restored,
          e.path().toString()));
      try (var c = db.server().superuserConnection(restored); var st = c.createStatement()) {
        for (String t : List.of("shop.orders", "shop.\"Line Items\"", "shop.audit")) {
          try (var rs = st.executeQuery("select count(*) from " + t)) {
            rs.next();
            assertThat(rs.getString(1)).as(t).isEqualTo(db.queryValue("select count(*) from " + t));
          }
        }
        try (var rs = st.executeQuery("select count(*) from shop.orders")) {
          rs.next();
          assertThat(rs.getLong(1)).isEqualTo(3000);
        }
      }
    } finally {
      db.execute("drop database " + restored + " with (force)");
    }
  }

  @Test
  void encryptedDirectoryBackupLeavesNoPlaintextAndEveryFileDecryptsToItsListedDigest(TestDatabase db) throws Exception {
    createShop(db);
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String fpr = gpg.generateEncryptionKey("Dir Test <dir@example.invalid>");
      Path dir = tmp.resolve("backups");

      BackupResult result = gate(env(Map.of("GNUPGHOME", gpg.home().toString()))).run(conn(db, "postgres"),
          directory(List.of("shop"), dir, List.of(fpr), 2), "shop-change", RUN_ID);

      assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
      BackupEnvelope e = ((Passed) result).envelope();
      assertThat(e.missingFields()).isEmpty();
      assertThat(e.encryptedTo()).containsExactly(fpr);
      assertThat(e.sha256()).isNotEqualTo(e.plaintextSha256());
      assertThat(everyFile(dir)).as("only encrypted files and the lock anywhere under the backup directory")
          .allMatch(p -> p.endsWith(".pgp") || p.equals(BackupDirectory.LOCK_FILE)).hasSize(5);
      Path plain = Files.createDirectory(tmp.resolve("decrypted"));
      for (ArchiveFile f : e.files()) {
        assertThat(f.storedName()).isEqualTo(f.name() + ".pgp");
        Path stored = e.path().resolve(f.storedName());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");
        assertThat(sha256(stored)).isEqualTo(f.storedSha256());
        assertThat(Files.size(stored)).isEqualTo(f.storedBytes());
        gpg.decrypt(stored, plain.resolve(f.name()));
        assertThat(sha256(plain.resolve(f.name()))).as(f.name()).isEqualTo(f.sha256());
      }
      assertThat(e.plaintextSha256()).isEqualTo(sha256sum(plain, names(plain)));
      assertThat(DirectoryArchive.process(plain, plain, Optional.empty(), true, 1).summary().tableData()).hasSize(3);
    }
  }

  @Test
  void aTruncatedDataFileIsCaughtQuarantinedAndItsPlaintextRemoved(TestDatabase db) throws Exception {
    createShop(db);
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String fpr = gpg.generateEncryptionKey("Dir Test <dir@example.invalid>");
      Path dir = tmp.resolve("backups");
      String[] cut = new String[1];
      BackupGate gate = gate(env(Map.of("GNUPGHOME", gpg.home().toString()))).afterDirectoryDump(plain -> {
        Path largest = largestDataFile(plain);
        cut[0] = largest.getFileName().toString();
        truncate(largest, 10);
      });

      BackupResult result = gate.run(conn(db, "postgres"), directory(List.of("shop"), dir, List.of(fpr), 2), "shop-change", RUN_ID);

      assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
      Blocked b = (Blocked) result;
      assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.ARCHIVE_INVALID);
      assertThat(b.reason()).startsWith("the archive failed verification: the data file " + cut[0] + " of TABLE DATA shop.")
          .contains(" is truncated or corrupt: ");
      assertThat(b.quarantined()).contains(dir.resolve("quarantine").resolve("shop-change-" + RUN_ID + ".dumpdir.partial"));
      assertThat(visibleFiles(dir)).as("nothing at a final name").containsExactly("quarantine");
      assertThat(everyFile(dir)).as("no plaintext anywhere, also not in quarantine")
          .allMatch(p -> p.endsWith(".pgp") || p.endsWith(".reason") || p.equals(BackupDirectory.LOCK_FILE));
    }
  }

  @Test
  void aCorruptTocIsCaught(TestDatabase db) throws Exception {
    createShop(db);
    Path dir = tmp.resolve("backups");
    // pg_restore --list reads the entries and stops: bytes after them are for the walk to find
    BackupGate gate = gate(env(Map.of())).afterDirectoryDump(plain -> append(plain.resolve("toc.dat"), new byte[] {7, 7, 7}));

    BackupResult result = gate.run(conn(db, "postgres"), directory(List.of("shop"), dir, List.of(), 1), "shop-change", RUN_ID);

    assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).kind()).isEqualTo(Cause.BackupRefusal.ARCHIVE_INVALID);
    assertThat(((Blocked) result).reason()).matches("the archive failed verification: toc\\.dat: archive is corrupt at byte"
        + " [0-9]+: bytes after the last of [0-9]+ TOC entries");
    assertThat(visibleFiles(dir)).containsExactly("quarantine");
  }

  @Test
  void theWalkCatchesATruncatedTocAPlainFileCutMidLineAMissingFileAndAStrayOne(TestDatabase db) throws Exception {
    createShop(db);
    String oid = db.queryValue("select lo_from_bytea(0, 'large object bytes')::text");
    Path archive = tmp.resolve("plain-archive");
    PgDumpSupport.run(List.of(PgDumpSupport.program("pg_dump"), "--format=directory", "--compress=0", "--jobs=2",
        "--file=" + archive, "-h", db.server().host(), "-p", String.valueOf(db.server().port()), "-U", "postgres",
        "--schema=shop", "--blobs", db.name()));
    DirectoryArchive.Verified ok = DirectoryArchive.process(archive, archive, Optional.empty(), true, 2);
    assertThat(ok.files()).extracting(ArchiveFile::name).hasSize(6).contains("toc.dat", "blobs.toc", "blob_" + oid + ".dat")
        .allMatch(n -> n.equals("toc.dat") || n.equals("blobs.toc") || n.matches("(blob_)?[0-9]+\\.dat"));
    Files.delete(archive.resolve("blob_" + oid + ".dat"));
    assertThatThrownBy(() -> DirectoryArchive.process(archive, archive, Optional.empty(), true, 2))
        .isInstanceOf(ArchiveException.class)
        .hasMessageStartingWith("the data file blob_" + oid + ".dat of BLOBS ");
    Files.writeString(archive.resolve("blob_" + oid + ".dat"), "large object bytes");

    Path largest = largestDataFile(archive);
    byte[] whole = Files.readAllBytes(largest);
    truncate(largest, 3); // the rows are whole, the end-of-data line is cut
    assertThatThrownBy(() -> DirectoryArchive.process(archive, archive, Optional.empty(), true, 2))
        .isInstanceOf(ArchiveException.class)
        .hasMessageMatching("the data file " + largest.getFileName() + " of TABLE DATA shop\\..* is truncated: it does not end"
            + " with pg_dump's end-of-data line");
    Files.write(largest, java.util.Arrays.copyOf(whole, whole.length - 4000)); // a cut among the rows
    assertThatThrownBy(() -> DirectoryArchive.process(archive, archive, Optional.empty(), true, 2))
        .isInstanceOf(ArchiveException.class)
        .hasMessageEndingWith(" is truncated: it does not end with pg_dump's end-of-data line");
    Files.delete(largest);
    assertThatThrownBy(() -> DirectoryArchive.process(archive, archive, Optional.empty(), true, 2))
        .isInstanceOf(ArchiveException.class)
        .hasMessageMatching("the data file " + largest.getFileName() + " of TABLE DATA shop\\..* is missing from the archive directory");
    Files.write(largest, whole);
    Files.writeString(archive.resolve("9999.dat"), "stray\n");
    assertThatThrownBy(() -> DirectoryArchive.process(archive, archive, Optional.empty(), true, 2))
        .isInstanceOf(ArchiveException.class)
        .hasMessage("the archive directory holds 9999.dat, which its toc.dat does not name");
    Files.delete(archive.resolve("9999.dat"));
    truncate(archive.resolve("toc.dat"), 20);
    assertThatThrownBy(() -> DirectoryArchive.process(archive, archive, Optional.empty(), true, 2))
        .isInstanceOf(ArchiveException.class)
        .hasMessageStartingWith("toc.dat: archive is truncated: it ends at byte ");
  }

  @Test
  void aFileIsFollowedWhileItsWriterHoldsItOpenAndFinishedOnlyOnceClosed(TestDatabase db) throws Exception {
    createShop(db);
    Path complete = tmp.resolve("complete");
    PgDumpSupport.run(List.of(PgDumpSupport.program("pg_dump"), "--format=directory", "--file=" + complete, "-h",
        db.server().host(), "-p", String.valueOf(db.server().port()), "-U", "postgres", "--schema=shop", db.name()));
    Path largest = largestDataFile(complete);
    long size = Files.size(largest);
    Path growing = Files.createDirectory(tmp.resolve("growing"));
    String name = largest.getFileName().toString();
    // a writer standing in for pg_dump: the other files at once, the largest in two halves a second apart, toc.dat last
    String script = "set -e; cd '" + complete + "'; for f in *; do [ \"$f\" = toc.dat ] || [ \"$f\" = " + name + " ] || cp \"$f\" '"
        + growing + "/'; done; exec 3>'" + growing + "/" + name + "'; head -c " + size / 2 + " " + name + " >&3; sleep 1;"
        + " tail -c +" + (size / 2 + 1) + " " + name + " >&3; exec 3>&-; cp toc.dat '" + growing + "/'";
    Process writer = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();

    DirectoryArchive.Verified v;
    int waits;
    try (DirectoryArchive a = DirectoryArchive.following(growing, growing, Optional.empty(), true, 2, writer.toHandle())) {
      assertThat(writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(writer.exitValue()).as(new String(writer.getInputStream().readAllBytes())).isZero();
      v = a.finish();
      waits = a.waits();
    }
    assertThat(waits).as("the largest file was read up to its half and followed while open").isPositive();
    for (ArchiveFile f : v.files()) {
      assertThat(f.sha256()).as(f.name()).isEqualTo(sha256(complete.resolve(f.name())));
      assertThat(f.bytes()).as(f.name()).isEqualTo(Files.size(complete.resolve(f.name())));
    }
    assertThat(v.files()).extracting(ArchiveFile::name).contains(name, "toc.dat");
  }

  @Test
  void aFileHeldOnlyByAChildOfTheWriterIsFollowedUntilTheChildClosesIt(TestDatabase db) throws Exception {
    createShop(db);
    Path complete = tmp.resolve("complete");
    PgDumpSupport.run(List.of(PgDumpSupport.program("pg_dump"), "--format=directory", "--file=" + complete, "-h",
        db.server().host(), "-p", String.valueOf(db.server().port()), "-U", "postgres", "--schema=shop", db.name()));
    Path largest = largestDataFile(complete);
    long size = Files.size(largest);
    Path growing = Files.createDirectory(tmp.resolve("growing"));
    String name = largest.getFileName().toString();
    // as pg_dump --jobs: the leader never opens the file, a worker (a subshell, a child of a child) writes it in halves
    String script = "set -e; cd '" + complete + "'; for f in *; do [ \"$f\" = toc.dat ] || [ \"$f\" = " + name + " ] || cp \"$f\" '"
        + growing + "/'; done; bash -c \"( exec 3>'" + growing + "/" + name + "'; head -c " + size / 2 + " " + name
        + " >&3; sleep 1; tail -c +" + (size / 2 + 1) + " " + name + " >&3 )\"; cp toc.dat '" + growing + "/'";
    Process writer = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();

    DirectoryArchive.Verified v;
    try (DirectoryArchive a = DirectoryArchive.following(growing, growing, Optional.empty(), true, 2, writer.toHandle())) {
      assertThat(writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(writer.exitValue()).as(new String(writer.getInputStream().readAllBytes())).isZero();
      v = a.finish();
      assertThat(a.waits()).as("the file was followed while the worker held it open").isPositive();
    }
    ArchiveFile f = v.files().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    assertThat(f.sha256()).isEqualTo(sha256(largest));
    assertThat(f.bytes()).isEqualTo(size);
  }

  @Test
  void whileAFollowedFileGrowsTheWritersFilesAreNotLookedAtAfterEveryWait(TestDatabase db) throws Exception {
    createShop(db);
    db.execute("create table shop.big as select g, md5(g::text) as h from generate_series(1, 40000) g");
    Path complete = tmp.resolve("complete");
    PgDumpSupport.run(List.of(PgDumpSupport.program("pg_dump"), "--format=directory", "--file=" + complete, "-h",
        db.server().host(), "-p", String.valueOf(db.server().port()), "-U", "postgres", "--schema=shop", db.name()));
    Path largest = largestDataFile(complete);
    byte[] bytes = Files.readAllBytes(largest);
    Path growing = Files.createDirectory(tmp.resolve("growing"));
    String name = largest.getFileName().toString();
    // a writer standing in for pg_dump: the other files at once, the largest 4 KiB at a time as pg_dump streams a
    // table (one dd each, 10 ms apart: shorter than the reader's wait of 20 ms), toc.dat last
    String script = "set -e; cd '" + complete + "'; for f in *; do [ \"$f\" = toc.dat ] || [ \"$f\" = " + name + " ] || cp \"$f\" '"
        + growing + "/'; done; exec 3>'" + growing + "/" + name + "'; for i in $(seq 0 " + (bytes.length / 4096) + "); do"
        + " dd if=" + name + " bs=4096 skip=$i count=1 status=none >&3; sleep 0.01; done; exec 3>&-; cp toc.dat '" + growing + "/'";
    Process writer = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    DirectoryArchive.Verified v;
    int waits;
    int looks;
    try (DirectoryArchive a = DirectoryArchive.following(growing, growing, Optional.empty(), true, 1, writer.toHandle())) {
      assertThat(writer.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(writer.exitValue()).as(new String(writer.getInputStream().readAllBytes())).isZero();
      v = a.finish();
      waits = a.waits();
      looks = a.looks();
    }
    assertThat(bytes.length).as("a file that takes pg_dump a while").isGreaterThan(200 * 1024);
    assertThat(waits).as("the file was followed to its end %d times while it grew", waits).isGreaterThan(10);
    // before: the writer's open files were read at every wait (looks == waits); now only when a wait saw no growth
    assertThat(looks).as("%d looks at the writer's files in %d waits", looks, waits).isLessThan(waits / 2);
    ArchiveFile f = v.files().stream().filter(x -> x.name().equals(largest.getFileName().toString())).findFirst().orElseThrow();
    assertThat(f.sha256()).isEqualTo(sha256(largest));
  }

  @Test
  void restoreProofOfAnEncryptedDirectoryBackupRunsParallelAndLeavesNoPlaintext(TestDatabase db) throws Exception {
    RestoreProofTest.createLedger(db);
    String role = RestoreProofTest.reader(db);
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String fpr = gpg.generateEncryptionKey("Dir Test <dir@example.invalid>");
      Path dir = tmp.resolve("backups");
      String runId = "20261205T040000Z-0105";
      Map<String, String> env = env(Map.of("GNUPGHOME", gpg.home().toString()));

      BackupResult result = RestoreProofTest.gate(db, env).run(conn(db, role),
          RestoreProofTest.proving(dir, List.of(fpr)).withFormat(BackupPolicy.Format.DIRECTORY, 2), "ledger-change", runId);

      assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
      BackupEnvelope e = ((Passed) result).envelope();
      assertThat(e.proof().tablesCompared()).isEqualTo(5);
      assertThat(e.proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
      assertThat(e.proof().differences()).isEmpty();
      assertThat(RestoreProofTest.proofDatabases(db, runId)).isEmpty();
      assertThat(everyFile(dir)).allMatch(p -> p.endsWith(".pgp") || p.equals(BackupDirectory.LOCK_FILE));

      // and a difference is caught in this format too
      String runId2 = "20261205T040000Z-0106";
      BackupResult blocked = RestoreProofTest.gate(db, env)
          .beforeProofComparison(scratch -> {
            try (var c = dev.cutter.core.db.Connections.open(scratch, "test"); var st = c.createStatement()) {
              st.execute("delete from ledger.entries where id = 7");
            } catch (java.sql.SQLException x) {
              throw new IllegalStateException(x);
            }
          })
          .run(conn(db, role), RestoreProofTest.proving(dir, List.of(fpr)).withFormat(BackupPolicy.Format.DIRECTORY, 2),
              "ledger-change", runId2);
      assertThat(blocked).isInstanceOf(Blocked.class);
      assertThat(((Blocked) blocked).cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.ROWS_DIFFER,
          List.of("ledger.entries")));
      assertThat(everyFile(dir)).allMatch(p -> p.endsWith(".pgp") || p.endsWith(".reason") || p.equals(BackupDirectory.LOCK_FILE));
    }
  }

  @Test
  void aParallelProofsIndexMemoryIsSharedByItsJobs(TestDatabase db) throws Exception {
    RestoreProofTest.createLedger(db);
    String role = RestoreProofTest.reader(db);
    long server = RestoreProofTest.bytes(db, "maintenance_work_mem");
    long cache = RestoreProofTest.bytes(db, "effective_cache_size");
    long buffers = RestoreProofTest.bytes(db, "shared_buffers");
    long each = RestoreProof.indexMemoryMb(server, cache, buffers, 2);
    assertThat(each).as("two jobs, half of one job's").isEqualTo(RestoreProof.indexMemoryMb(server, cache, buffers, 1) / 2)
        .isPositive();
    String[] seen = new String[1];
    BackupResult result = RestoreProofTest.gate(db, env(Map.of()))
        .beforeProofComparison(scratch -> seen[0] = db.queryValue("select coalesce(string_agg(s.setconfig::text, ','), '')"
            + " from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase where s.setrole = 0 and d.datname = '"
            + scratch.database() + "'"))
        .run(conn(db, role), RestoreProofTest.proving(tmp.resolve("backups"), List.of()).withFormat(BackupPolicy.Format.DIRECTORY, 2),
            "ledger-change", "20261205T040000Z-0120");

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(seen[0]).isEqualTo("{synchronous_commit=off,maintenance_work_mem=" + each + "MB}");
  }

  @Test
  void compressionZeroWritesPlainDataFilesThatAreWalkedAndProven(TestDatabase db) throws Exception {
    RestoreProofTest.createLedger(db);
    String role = RestoreProofTest.reader(db);
    Path dir = tmp.resolve("backups");
    String runId = "20261205T040000Z-0107";

    BackupResult result = RestoreProofTest.gate(db, env(Map.of())).run(conn(db, role),
        RestoreProofTest.proving(dir, List.of()).withFormat(BackupPolicy.Format.DIRECTORY, 2)
            .withCompression(java.util.OptionalInt.of(0)), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) result).envelope();
    assertThat(e.proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
    List<String> onDisk = names(e.path());
    assertThat(onDisk).hasSize(6).contains("toc.dat").allMatch(n -> n.equals("toc.dat") || n.matches("[0-9]+\\.dat"));
  }

  @Test
  void theDirectoryFormatThroughAPgDumpPrefixIsRefusedInOneLine(TestDatabase db) throws Exception {
    createShop(db);
    Path dir = tmp.resolve("backups");
    PgDumpVia via = PgDumpVia.parse("/bin/sh -c exec", Optional.empty(), OptionalInt.empty(), "--pg-dump-via");
    BackupSettings s = BackupSettings.defaults().withEnvironment(env(Map.of())).withProgress(null).withPgDumpVia(Optional.of(via));

    BackupResult result = new BackupGate(s).run(conn(db, "postgres"), directory(List.of("shop"), dir, List.of(), 2), "shop-change", RUN_ID);

    assertThat(result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.FORMAT_UNSUPPORTED);
    assertThat(b.reason()).isEqualTo("backup.format directory cannot be written through the pg_dump prefix " + via.display()
        + ": its files would be written on the prefix's side; use format custom there, or run pg_dump on this host");
    assertThat(b.reason()).doesNotContain("\n");
    assertThat(Files.exists(dir)).as("nothing was prepared").isFalse();
    assertThat(new BackupGate(s).selftest(conn(db, "postgres"), directory(List.of("shop"), dir, List.of(), 2)))
        .filteredOn(i -> i.check().equals("backup format")).singleElement()
        .satisfies(i -> assertThat(i.passed()).isFalse());
    assertThat(gate(env(Map.of())).selftest(conn(db, "postgres"), directory(List.of("shop"), dir, List.of(), 2)))
        .filteredOn(i -> i.check().equals("backup format")).singleElement()
        .satisfies(i -> assertThat(i.line()).endsWith("directory, 2 pg_dump workers"));
  }

  @Test
  void aPlaintextDirectoryLeftByAKilledRunIsDeletedByTheNextRun(TestDatabase db) throws Exception {
    createShop(db);
    Path dir = tmp.resolve("backups");
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path leftover = Files.createDirectory(dir.resolve(".old-20261205T030000Z-0001.dumpdir.plain"));
    Files.writeString(leftover.resolve("3001.dat.gz"), "plaintext");

    BackupResult result = gate(env(Map.of())).run(conn(db, "postgres"), directory(List.of("shop"), dir, List.of(), 1),
        "shop-change", RUN_ID);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(Files.exists(leftover)).isFalse();
  }

  private static Path largestDataFile(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().equals("toc.dat"))
          .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void truncate(Path file, int bytes) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - bytes);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void append(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> hidden(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).sorted().toList();
    }
  }

  /** Every regular file under {@code root}, by name, at any depth. */
  private static List<String> everyFile(Path root) throws IOException {
    List<String> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(p -> all.add(p.getFileName().toString()));
    }
    return all;
  }

  /** sha256 of what {@code sha256sum} prints for {@code names} in {@code dir}, sorted. */
  private static String sha256sum(Path dir, List<String> names) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String n : names.stream().sorted().toList()) {
      sb.append(sha256(dir.resolve(n))).append("  ").append(n).append('\n');
    }
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    return java.util.HexFormat.of().formatHex(md.digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
