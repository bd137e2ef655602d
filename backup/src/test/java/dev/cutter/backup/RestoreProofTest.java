package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutter.backup.BackupResult.Blocked;
import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup.verify: restore: the archive restored into a scratch database and compared with the source at the dump's snapshot. */
@WithPostgres
@Tag("pgdump")
class RestoreProofTest {

  @TempDir Path tmp;

  /** Two schemas, five tables (one quoted, one partitioned in two leaves), a view, a sequence. */
  static void createLedger(TestDatabase db) {
    db.execute("create schema ledger; create schema \"Stock Room\";"
        + "create table ledger.accounts(id int primary key, name text not null);"
        + "create table ledger.entries(id bigserial primary key, account int references ledger.accounts, amount numeric check (amount <> 0));"
        + "create index on ledger.entries(account);"
        + "create view ledger.balances as select account, sum(amount) from ledger.entries group by 1;"
        + "create table \"Stock Room\".\"Items\"(sku text primary key, qty int default 0);"
        + "create table \"Stock Room\".moves(at date not null, sku text) partition by range (at);"
        + "create table \"Stock Room\".moves_2025 partition of \"Stock Room\".moves for values from ('2025-01-01') to ('2026-01-01');"
        + "create table \"Stock Room\".moves_2026 partition of \"Stock Room\".moves for values from ('2026-01-01') to ('2027-01-01');"
        + "insert into ledger.accounts select g, 'a' || g from generate_series(1, 40) g;"
        + "insert into ledger.entries(account, amount) select 1 + g % 40, g from generate_series(1, 1234) g;"
        + "insert into \"Stock Room\".\"Items\" select 'sku' || g, g from generate_series(1, 77) g;"
        + "insert into \"Stock Room\".moves select date '2025-06-01' + g, 'sku' || (g % 77) from generate_series(1, 300) g;");
  }

  static String reader(TestDatabase db) {
    String role = db.createRole("proofreader");
    db.execute("grant usage on schema ledger, \"Stock Room\" to " + role
        + "; grant select on all tables in schema ledger, \"Stock Room\" to " + role
        + "; grant select on all sequences in schema ledger, \"Stock Room\" to " + role);
    return role;
  }

  static BackupPolicy proving(Path dir, List<String> encryptTo) {
    return BackupGateTest.policy(List.of("ledger", "Stock Room"), dir, 1, encryptTo, Optional.empty())
        .withVerify(BackupPolicy.Verify.RESTORE);
  }

  static ConnectionSpec admin(TestDatabase db) {
    return new ConnectionSpec(db.server().host(), db.server().port(), "postgres", db.server().superuser(), Optional.empty());
  }

  static BackupGate gate(TestDatabase db, Map<String, String> env) {
    return new BackupGate(settings(env).withScratch(() -> ScratchServer.at(admin(db))));
  }

  private static BackupSettings settings(Map<String, String> env) {
    BackupSettings s = BackupSettings.defaults().withEnvironment(env).withProgress(null);
    return PgDumpSupport.pgBin().map(s::withPgBin).orElse(s);
  }

  static Set<String> proofDatabases(TestDatabase db, String runId) {
    String prefix = "cutter_proof_" + runId.toLowerCase().replaceAll("[^a-z0-9]", "_");
    String names = db.queryValue("select coalesce(string_agg(datname, ','), '') from pg_database where datname like '"
        + prefix + "%'");
    return names.isEmpty() ? Set.of() : Set.of(names.split(","));
  }

  @Test
  void provenBackupCarriesExactCountsAndTheAnchorAndComparesAtTheSnapshot(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    Path dir = tmp.resolve("backups");
    String runId = "20261205T010000Z-0101";
    long xidBefore = Long.parseLong(db.queryValue("select pg_snapshot_xmin(pg_current_snapshot())::text"));
    // rows committed after the dump's snapshot change the source, not what the proof compares with
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeProofComparison(scratch ->
        db.execute("insert into ledger.accounts select g, 'late' from generate_series(1000, 1004) g"));

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(dir, List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) result).envelope();
    ProofResult proof = e.proof();
    assertThat(proof).isNotNull();
    assertThat(proof.tablesCompared()).as("accounts, entries, Items, moves_2025, moves_2026").isEqualTo(5);
    assertThat(proof.rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
    // 5 tables + partitioned parent + view + sequence + 5 indexes (3 pkeys, entries_account_idx, the parent's none)
    assertThat(proof.relationsCompared()).isEqualTo(Integer.parseInt(db.queryValue("select count(*) from pg_class c join"
        + " pg_namespace n on n.oid = c.relnamespace where n.nspname in ('ledger', 'Stock Room') and c.relkind <> 't'")));
    assertThat(proof.differences()).isEmpty();
    assertThat(proof.scratch()).isEqualTo(admin(db).display());
    assertThat(e.anchor().standby()).isFalse();
    assertThat(e.anchor().walLsn()).matches("[0-9A-F]+/[0-9A-F]+");
    assertThat(Long.parseLong(e.anchor().snapshotXmin())).isGreaterThanOrEqualTo(xidBefore);
    assertThat(e.tableDataEntries()).isEqualTo(5);
    assertThat(db.queryValue("select count(*) from ledger.accounts")).as("the late rows are in the source").isEqualTo("45");
    assertThat(proofDatabases(db, runId)).as("the scratch database is dropped after a success").isEmpty();
    assertThat(BackupGateTest.visibleFiles(dir)).containsExactly("ledger-change-" + runId + ".dump");
  }

  @Test
  void theSourceIsCountedOnlyAfterPgDumpExitedAndStillAtTheDumpsSnapshot(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    Path dir = tmp.resolve("backups");
    String runId = "20261205T010000Z-0107";
    List<Boolean> pgDumpRunning = new java.util.ArrayList<>();
    // the counting starts once pg_dump is gone: rows committed then, long after the export, are not counted
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeSourceCount(() -> {
      pgDumpRunning.add(ProcessHandle.current().descendants().anyMatch(p -> p.isAlive()
          && p.info().command().map(c -> c.endsWith("/pg_dump")).orElse(false)));
      db.execute("insert into ledger.entries(account, amount) select 1, g from generate_series(1, 9) g;"
          + " delete from \"Stock Room\".\"Items\" where sku = 'sku1'");
    });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(dir, List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(pgDumpRunning).as("counted once, after pg_dump exited").containsExactly(false);
    assertThat(((Passed) result).envelope().proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
    assertThat(db.queryValue("select count(*) from ledger.entries")).as("the late rows are in the source").isEqualTo("1243");
  }

  @Test
  void aFailedDumpNeverCountsTheSource(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    db.execute("revoke select on ledger.entries from " + role); // pg_dump cannot read it and exits 1
    Path dir = tmp.resolve("backups");
    String runId = "20261205T010000Z-0108";
    java.util.concurrent.atomic.AtomicInteger counted = new java.util.concurrent.atomic.AtomicInteger();
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeSourceCount(counted::incrementAndGet);

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(dir, List.of()), "ledger-change", runId);

    assertThat(result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).kind()).isEqualTo(Cause.BackupRefusal.DUMP_FAILED);
    assertThat(counted.get()).as("no count of a dump that failed").isZero();
    assertThat(proofDatabases(db, runId)).isEmpty();
  }

  @Test
  void theCompressionLevelReachesTheArchiveAndEveryLevelIsProven(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    for (int level : new int[] {0, 1, 9}) {
      Path dir = tmp.resolve("backups-" + level);
      String runId = "20261205T010000Z-010" + level;
      BackupResult result = gate(db, BackupGateTest.env(Map.of())).run(BackupGateTest.conn(db, role),
          proving(dir, List.of()).withCompression(java.util.OptionalInt.of(level)), "ledger-change", runId);

      assertThat(result).as("level %d: %s", level, result).isInstanceOf(Passed.class);
      BackupEnvelope e = ((Passed) result).envelope();
      assertThat(e.proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
      try (var in = Files.newInputStream(e.path())) {
        ArchiveHeader h = ArchiveVerifier.verify(in).header();
        // up to archive 1.14 the header holds the gzip level; from 1.15 the algorithm (0 none, 1 gzip)
        assertThat(h.compression()).as("the archive's header").isEqualTo(h.version() < 0x010F00 ? level : Math.min(level, 1));
      }
    }
  }

  @Test
  void aRowMissingFromTheRestoreBlocksNamingTheTableAndTheScratchDatabaseIsDropped(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    Path dir = tmp.resolve("backups");
    String runId = "20261205T010000Z-0102";
    String[] scratchName = new String[1];
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeProofComparison(scratch -> {
      scratchName[0] = scratch.database();
      try (var c = db.server().superuserConnection(scratch.database()); var st = c.createStatement()) {
        st.execute("delete from \"Stock Room\".\"Items\" where sku = 'sku7'");
      } catch (java.sql.SQLException ex) {
        throw new IllegalStateException(ex);
      }
    });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(dir, List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.RESTORE_PROOF);
    assertThat(b.cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.ROWS_DIFFER,
        List.of("\"Stock Room\".\"Items\"")));
    assertThat(b.reason()).isEqualTo("the restore proof found 1 difference between the restored backup and the source"
        + " (\"Stock Room\".\"Items\")");
    assertThat(b.details()).isEqualTo("rows of \"Stock Room\".\"Items\": 77 in the source at the dump's snapshot, 76 restored");
    assertThat(scratchName[0]).startsWith("cutter_proof_20261205t010000z_0102_");
    assertThat(proofDatabases(db, runId)).as("the scratch database is dropped after a failure").isEmpty();
    assertThat(BackupGateTest.visibleFiles(dir)).as("nothing at a final name").containsExactly("quarantine");
  }

  private static BackupResult runWithScratchChange(TestDatabase db, Path dir, String runId, String sql) {
    String role = reader(db);
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeProofComparison(scratch -> {
      try (var c = db.server().superuserConnection(scratch.database()); var st = c.createStatement()) {
        st.execute(sql);
      } catch (java.sql.SQLException ex) {
        throw new IllegalStateException(ex);
      }
    });
    return gate.run(BackupGateTest.conn(db, role), proving(dir, List.of()), "ledger-change", runId);
  }

  @Test
  void aMissingRelationBlocksNamingIt(TestDatabase db) throws Exception {
    createLedger(db);
    String runId = "20261205T010000Z-0107";

    Blocked b = (Blocked) runWithScratchChange(db, tmp.resolve("backups"), runId, "drop index ledger.entries_account_idx");

    assertThat(b.cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.RELATIONS_DIFFER,
        List.of("ledger.entries_account_idx")));
    assertThat(b.details().lines().toList()).containsExactly(
        "missing from the restore: ledger.entries_account_idx i",
        "catalog: counts of schema ledger: constraints {c=1, f=1, p=2} → {c=1, f=1, p=2}, relations {S=1, i=3, r=2, v=1} → {S=1, i=2, r=2, v=1}",
        "catalog: removed: ledger.entries index entries_account_idx (CREATE INDEX entries_account_idx ON ledger.entries USING btree"
            + " (account))");
    assertThat(proofDatabases(db, runId)).isEmpty();
  }

  @Test
  void aCatalogDifferenceAloneBlocks(TestDatabase db) throws Exception {
    createLedger(db);

    Blocked b = (Blocked) runWithScratchChange(db, tmp.resolve("backups"), "20261205T010000Z-0108",
        "alter table ledger.accounts alter column name drop not null");

    assertThat(b.cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.CATALOG_DIFFERS, List.of()));
    assertThat(b.details()).isEqualTo("catalog: changed: ledger.accounts column name (in the source: text not null;"
        + " the restored definition is withheld)");
  }

  @Test
  void encryptedArchiveIsProvenWithoutPlaintextOnDisk(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    // the pipeline's children (pg_dump, gpg, pg_restore) are pointed at a temporary directory of
    // this test's own (TMPDIR, HOME): watched whole, nothing another process writes can enter it
    Path tempDir = Files.createDirectories(tmp.resolve("pipeline-tmp"));
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String fpr = gpg.generateEncryptionKey("Proof Test <proof@example.invalid>");
      Path dir = tmp.resolve("backups");
      String runId = "20261205T010000Z-0103";
      Map<String, String> env = new java.util.HashMap<>(BackupGateTest.env(Map.of("GNUPGHOME", gpg.home().toString())));
      env.put("TMPDIR", tempDir.toString());
      env.put("HOME", tempDir.toString());
      boolean[] looked = {false};
      BackupGate gate = gate(db, env)
          .beforeProofComparison(scratch -> {
            // the restore is over and the archive was fed only through pipes: no plaintext file anywhere
            assertThat(plaintextFiles(dir)).isEmpty();
            assertThat(plaintextFiles(tempDir)).isEmpty();
            looked[0] = true;
          });

      BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(dir, List.of(fpr)), "ledger-change", runId);

      assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
      assertThat(looked[0]).isTrue();
      BackupEnvelope e = ((Passed) result).envelope();
      assertThat(e.encryptedTo()).containsExactly(fpr);
      assertThat(e.proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
      assertThat(BackupGateTest.visibleFiles(dir)).containsExactly("ledger-change-" + runId + ".dump.pgp");
      assertThat(plaintextFiles(dir)).isEmpty();
      assertThat(plaintextFiles(tempDir)).as("no plaintext archive in the pipeline's temporary directory").isEmpty();
      assertThat(proofDatabases(db, runId)).isEmpty();
    }
  }

  @Test
  void aScratchServerOfAnotherMajorIsRefusedInOneLineBeforeAnythingIsWritten(TestDatabase db) throws Exception {
    String jar = System.getProperty("cutter.newer.postgres.binaries");
    assumeTrue(jar != null && Files.exists(Path.of(jar)), "PostgreSQL 16 binaries are copied by the Maven build");
    byte[] txz;
    try (ZipFile zip = new ZipFile(jar)) {
      ZipEntry entry = zip.getEntry("postgres-linux-x86_64.txz");
      txz = zip.getInputStream(entry).readAllBytes();
    }
    createLedger(db);
    String role = reader(db);
    Path dir = tmp.resolve("backups");
    try (EmbeddedPostgres pg16 = EmbeddedPostgres.builder().setPgBinaryResolver((s, a) -> new ByteArrayInputStream(txz))
        .setPGStartupWait(Duration.ofSeconds(60)).start()) {
      ConnectionSpec other = new ConnectionSpec("localhost", pg16.getPort(), "postgres", "postgres", Optional.empty());
      BackupSettings s = settings(BackupGateTest.env(Map.of())).withScratch(() -> ScratchServer.at(other));

      BackupResult result = new BackupGate(s).run(BackupGateTest.conn(db, role), proving(dir, List.of()), "ledger-change",
          "20261205T010000Z-0104");

      assertThat(result).isInstanceOf(Blocked.class);
      Blocked b = (Blocked) result;
      assertThat(b.cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.SCRATCH_REFUSED, List.of()));
      assertThat(b.reason()).matches("the restore proof needs a scratch server of the source's major \\(PostgreSQL 15\\); "
          + "postgresql://postgres@localhost:" + pg16.getPort() + "/postgres runs PostgreSQL 16\\.\\d+");
      assertThat(b.reason()).doesNotContain("\n");
      assertThat(dir).as("refused before the dump").doesNotExist();
      try (var c = pg16.getPostgresDatabase().getConnection(); var st = c.createStatement();
          var rs = st.executeQuery("select count(*) from pg_database where datname like 'cutter_proof_%'")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void withoutAScratchServerTheProofIsRefused(TestDatabase db) throws Exception {
    createLedger(db);
    BackupResult result = BackupGateTest.gate(BackupGateTest.env(Map.of())).run(BackupGateTest.conn(db, reader(db)),
        proving(tmp.resolve("backups"), List.of()), "ledger-change", "20261205T010000Z-0105");

    assertThat(((Blocked) result).cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.SCRATCH_REFUSED, List.of()));
    assertThat(tmp.resolve("backups")).doesNotExist();
  }

  @Test
  void theScratchPasswordTravelsInTheEnvironmentNeverInArgv(TestDatabase db) throws Exception {
    String admin = db.createRole("proofadmin", "createdb", "createrole", "password 'pr00f-s3cret'");
    ConnectionSpec spec = new ConnectionSpec(db.server().host(), db.server().port(), "postgres", admin,
        Optional.of(new Secret("pr00f-s3cret")));
    try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(spec), db.server().major(), "20261205T010000Z-0106")) {
      List<String> argv = proof.command(List.of("/bin/pg_restore"));
      assertThat(argv).containsExactly("/bin/pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
          "--no-password", "--dbname=" + proof.database());
      Map<String, String> env = proof.environment(Map.of("PGPASSWORD", "inherited", "PATH", "/bin"));
      // pg_restore logs in as the proof's own role (named as its database), with the password made for it
      assertThat(env).containsEntry("PGUSER", proof.database()).containsEntry("PGDATABASE", proof.database())
          .containsEntry("PATH", "/bin");
      assertThat(env.get("PGPASSWORD")).hasSize(48).isNotEqualTo("inherited").isNotEqualTo("pr00f-s3cret");
      assertThat(String.join(" ", argv)).doesNotContain("pr00f-s3cret").doesNotContain(env.get("PGPASSWORD"));
    }
  }

  /** The test server seen as a disposable one (as the embedded scratch is): its close is counted, not done. */
  private static ScratchServer disposable(TestDatabase db, java.util.concurrent.atomic.AtomicInteger closed) {
    ScratchServer at = ScratchServer.at(admin(db));
    return new ScratchServer() {
      @Override
      public ConnectionSpec admin() {
        return at.admin();
      }

      @Override
      public String describe() {
        return "disposable " + at.describe();
      }

      @Override
      public boolean disposable() {
        return true;
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    };
  }

  /** How many transactions created the relations of the scope in the restored database. */
  private static int creatingTransactions(TestDatabase db, ConnectionSpec scratch) {
    try (var c = db.server().superuserConnection(scratch.database()); var st = c.createStatement();
        var rs = st.executeQuery("select count(distinct c.xmin::text) from pg_class c join pg_namespace n"
            + " on n.oid = c.relnamespace where n.nspname in ('ledger', 'Stock Room')")) {
      rs.next();
      return rs.getInt(1);
    } catch (java.sql.SQLException ex) {
      throw new IllegalStateException(ex);
    }
  }

  @Test
  void intoADisposableServerTheRestoreIsOneTransactionAndTheServerIsStoppedWithoutTheDrop(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    String runId = "20261205T010000Z-0109";
    var closed = new java.util.concurrent.atomic.AtomicInteger();
    int[] transactions = {0};
    String[] scratchName = new String[1];
    BackupGate gate = new BackupGate(settings(BackupGateTest.env(Map.of())).withScratch(() -> disposable(db, closed)))
        .beforeProofComparison(scratch -> {
          scratchName[0] = scratch.database();
          transactions[0] = creatingTransactions(db, scratch);
        });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(((Passed) result).envelope().proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
    assertThat(transactions[0]).as("every relation created by pg_restore --single-transaction's one transaction").isEqualTo(1);
    assertThat(closed.get()).as("the server is stopped once").isEqualTo(1);
    assertThat(proofDatabases(db, runId)).as("not dropped first: a disposable server goes with its data")
        .containsExactly(scratchName[0]);
    db.execute("drop database " + scratchName[0]);
  }

  @Test
  void intoAnOperatorsServerTheRestoreCommitsTableByTableWithoutWaitingForTheDisk(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    int[] transactions = {0};
    String[] commits = new String[2];
    // the database's own settings (the test server runs with synchronous_commit off anyway)
    String settingsOf = "select coalesce(string_agg(s.setconfig::text, ','), '') from pg_db_role_setting s"
        + " join pg_database d on d.oid = s.setdatabase where s.setrole = 0 and d.datname = ";
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeProofComparison(scratch -> {
      transactions[0] = creatingTransactions(db, scratch);
      commits[0] = db.queryValue(settingsOf + "'" + scratch.database() + "'");
      commits[1] = db.queryValue(settingsOf + "'postgres'");
    });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(tmp.resolve("backups"), List.of()), "ledger-change",
        "20261205T010000Z-0110");

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(transactions[0]).as("no single transaction holding the operator's lock table").isGreaterThan(1);
    assertThat(commits[0]).as("set on the proof's database only").isEqualTo("{synchronous_commit=off,maintenance_work_mem="
        + RestoreProof.indexMemoryMb(bytes(db, "maintenance_work_mem"), bytes(db, "effective_cache_size"),
            bytes(db, "shared_buffers"), 1) + "MB}");
    assertThat(commits[1]).as("the server's other databases keep theirs").isEmpty();
    assertThat(proofDatabases(db, "20261205T010000Z-0110")).isEmpty();
  }

  static long bytes(TestDatabase db, String setting) {
    return Long.parseLong(db.queryValue("select pg_size_bytes(current_setting('" + setting + "'))"));
  }

  @Test
  void theProofsIndexBuildsGetAQuarterOfTheEffectiveCacheAtMostTheSharedBuffersAnd1GbSharedByItsJobsNeverLessThanTheServerGives() {
    long mb = 1L << 20;
    long big = 8192 * mb;
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 4096 * mb, big, 1)).as("the cache's default").isEqualTo(1024);
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 16384 * mb, big, 1)).as("capped").isEqualTo(1024);
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 1024 * mb, big, 1)).as("a small host").isEqualTo(256);
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 4096 * mb, 128 * mb, 1))
        .as("an untuned server: the cache's default on any host, shared_buffers' default").isEqualTo(128);
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 4096 * mb, 512 * mb, 1)).as("shared_buffers sized for a 2 GB host")
        .isEqualTo(512);
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 4096 * mb, big, 4)).as("four jobs, four indexes at once").isEqualTo(256);
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 1024 * mb, big, 4)).as("four jobs on a small host: the server's").isZero();
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 128 * mb, big, 1)).as("less than the server's: unchanged").isZero();
    assertThat(RestoreProof.indexMemoryMb(64 * mb, 4096 * mb, 32 * mb, 1)).as("shared_buffers below the server's: unchanged")
        .isZero();
    assertThat(RestoreProof.indexMemoryMb(1024 * mb, 8192 * mb, big, 1)).as("as much as the server's: unchanged").isZero();
    assertThat(RestoreProof.indexMemoryMb(2048 * mb, 4096 * mb, big, 1)).as("more than the cap: unchanged").isZero();
  }

  @Test
  void theProofsDatabaseAloneGetsTheIndexMemoryWhileTheProofRunsAndItGoesWithTheDatabase(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    String runId = "20261205T010000Z-0120";
    long expected = RestoreProof.indexMemoryMb(bytes(db, "maintenance_work_mem"), bytes(db, "effective_cache_size"),
            bytes(db, "shared_buffers"), 1);
    assertThat(expected << 20).as("the test server's own is smaller, so the setting shows")
        .isGreaterThan(bytes(db, "maintenance_work_mem"));
    String[] seen = new String[4];
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeProofComparison(scratch -> {
      seen[0] = db.queryValue("select oid::text from pg_database where datname = '" + scratch.database() + "'");
      seen[1] = db.queryValue("select coalesce(string_agg(setconfig::text, ','), '') from pg_db_role_setting"
          + " where setrole = 0 and setdatabase = " + seen[0]);
      // what a new session of the proof's database, such as pg_restore's, works with
      try (var c = dev.cutter.core.db.Connections.open(scratch, "test"); var st = c.createStatement();
          var rs = st.executeQuery("select pg_size_bytes(current_setting('maintenance_work_mem'))")) {
        rs.next();
        seen[2] = rs.getString(1);
      } catch (java.sql.SQLException ex) {
        throw new IllegalStateException(ex);
      }
      seen[3] = db.queryValue("select pg_size_bytes(current_setting('maintenance_work_mem'))");
    });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(seen[1]).isEqualTo("{synchronous_commit=off,maintenance_work_mem=" + expected + "MB}");
    assertThat(seen[2]).as("the proof's sessions").isEqualTo(String.valueOf(expected << 20));
    assertThat(seen[3]).as("the source's sessions keep the server's").isEqualTo(String.valueOf(bytes(db, "maintenance_work_mem")));
    assertThat(db.queryValue("select count(*) from pg_db_role_setting where setdatabase = " + seen[0]))
        .as("gone with the database").isEqualTo("0");
    assertThat(proofDatabases(db, runId)).isEmpty();
  }

  @Test
  void theCountsRunWithoutJitCompilationOnlyInTheirOwnTransaction(TestDatabase db) throws Exception {
    createLedger(db);
    try (var c = db.superuser(); var st = c.createStatement()) {
      st.execute("set jit = on");
      c.setAutoCommit(false);
      ScopeState state = ScopeState.read(c, List.of("ledger", "Stock Room"));
      assertThat(state.totalRows()).isEqualTo(40 + 1234 + 77 + 300);
      try (var rs = st.executeQuery("select current_setting('jit')")) {
        rs.next();
        assertThat(rs.getString(1)).as("within the counting transaction").isEqualTo("off");
      }
      c.rollback();
      try (var rs = st.executeQuery("select current_setting('jit')")) {
        rs.next();
        assertThat(rs.getString(1)).as("after it").isEqualTo("on");
      }
    }
  }

  @Test
  void aRowMissingFromAOneTransactionRestoreStillBlocks(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    String runId = "20261205T010000Z-0111";
    var closed = new java.util.concurrent.atomic.AtomicInteger();
    String[] scratchName = new String[1];
    BackupGate gate = new BackupGate(settings(BackupGateTest.env(Map.of())).withScratch(() -> disposable(db, closed)))
        .beforeProofComparison(scratch -> {
          scratchName[0] = scratch.database();
          try (var c = db.server().superuserConnection(scratch.database()); var st = c.createStatement()) {
            st.execute("delete from ledger.entries where id = 17");
          } catch (java.sql.SQLException ex) {
            throw new IllegalStateException(ex);
          }
        });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.ROWS_DIFFER,
        List.of("ledger.entries")));
    assertThat(((Blocked) result).details()).isEqualTo("rows of ledger.entries: 1234 in the source at the dump's snapshot, 1233 restored");
    assertThat(closed.get()).isEqualTo(1);
    db.execute("drop database " + scratchName[0]);
  }

  @Test
  void oneTransactionOnlyIntoADisposableServerWithOneJobAndRoomInItsLockTable(TestDatabase db) throws Exception {
    var closed = new java.util.concurrent.atomic.AtomicInteger();
    // the test server's lock table: max_locks_per_transaction x (max_connections + max_prepared_transactions)
    long slots = Long.parseLong(db.queryValue("select current_setting('max_locks_per_transaction')::bigint"
        + " * (current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint)"));
    try (RestoreProof proof = RestoreProof.open(() -> disposable(db, closed), db.server().major(), "20261205T010000Z-0112")) {
      List<String> base = List.of("/bin/pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--no-password",
          "--dbname=" + proof.database());
      assertThat(proof.command(List.of("/bin/pg_restore"), 1, 10)).containsExactlyElementsOf(
          java.util.stream.Stream.concat(base.stream(), Stream.of("--single-transaction")).toList());
      assertThat(proof.command(List.of("/bin/pg_restore"), 1, slots / 2)).contains("--single-transaction");
      assertThat(proof.command(List.of("/bin/pg_restore"), 1, slots / 2 + 1)).as("more than half the lock table")
          .containsExactlyElementsOf(base);
      assertThat(proof.command(List.of("/bin/pg_restore"), 2, 10)).as("pg_restore refuses it with --jobs")
          .containsExactlyElementsOf(base);
      db.execute("drop database " + proof.database());
    }
    try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(admin(db)), db.server().major(), "20261205T010000Z-0113")) {
      assertThat(proof.command(List.of("/bin/pg_restore"), 1, 10)).as("never into the operator's server")
          .doesNotContain("--single-transaction").hasSize(6);
    }
  }

  /**
   * A client directory whose pg_dump runs the real one into a file {@code $f}, applies {@code damage}
   * (a shell snippet) to it and prints it, exiting 0 whatever happened: a stream damaged on its way
   * with nobody saying so. pg_restore is the real one.
   */
  private Path damagingPgDump(String damage) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("damaging-bin"));
    Path real = Path.of(PgDumpSupport.program("pg_dump"));
    Files.writeString(bin.resolve("pg_dump"), """
        #!/bin/bash
        if [ "$1" = --version ]; then exec %s --version; fi
        f=$(mktemp "%s/dump.XXXXXX")
        %s "$@" >"$f" || exit $?
        size=$(stat -c %%s "$f")
        %s
        cat "$f"; rm -f "$f"
        exit 0
        """.formatted(real, tmp, real, damage));
    Files.setPosixFilePermissions(bin.resolve("pg_dump"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Files.createSymbolicLink(bin.resolve("pg_restore"), Path.of(PgDumpSupport.program("pg_restore")).toRealPath());
    return bin;
  }

  private BackupResult proveWith(TestDatabase db, Path pgBin, String runId) {
    BackupSettings s = BackupSettings.defaults().withEnvironment(BackupGateTest.env(Map.of())).withProgress(null)
        .withPgBin(pgBin).withScratch(() -> ScratchServer.at(admin(db)));
    return new BackupGate(s).run(BackupGateTest.conn(db, reader(db)), proving(tmp.resolve("backups"), List.of()),
        "ledger-change", runId);
  }

  @Test
  void aTruncatedArchiveUnderTheProofIsRefusedByTheWalk(TestDatabase db) throws Exception {
    assumeTrue(PgDumpSupport.pgBin().isPresent(), "the real pg_dump's directory");
    createLedger(db);
    String runId = "20261205T010000Z-0114";

    BackupResult result = proveWith(db, damagingPgDump("truncate -s $((size - 40)) \"$f\""), runId);

    assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.ARCHIVE_INVALID);
    assertThat(b.reason()).startsWith("the archive failed verification: archive is truncated: it ends at byte ");
    assertThat(proofDatabases(db, runId)).isEmpty();
    assertThat(BackupGateTest.visibleFiles(tmp.resolve("backups"))).containsExactly("quarantine");
  }

  @Test
  void aCorruptedDataBlockTheWalkCannotSeeFailsTheProofsRestore(TestDatabase db) throws Exception {
    assumeTrue(PgDumpSupport.pgBin().isPresent(), "the real pg_dump's directory");
    createLedger(db);
    String runId = "20261205T010000Z-0115";
    // the last block's compressed bytes, just before its closing zero-length chunk (5 bytes): the
    // structure stays whole, so the walk (which does not inflate) passes; inflating fails
    String flip = "pos=$((size - 7)); b=$(od -An -tu1 -j $pos -N 1 \"$f\" | tr -d ' ');"
        + " printf \"$(printf '\\\\%03o' $((b ^ 255)))\" | dd of=\"$f\" bs=1 seek=$pos conv=notrunc status=none";

    BackupResult result = proveWith(db, damagingPgDump(flip), runId);

    assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.RESTORE_PROOF);
    assertThat(b.cause()).isEqualTo(new Cause.RestoreProofFailed(Cause.ProofFailure.RESTORE_FAILED, List.of()));
    assertThat(b.reason()).startsWith("pg_restore into the restore proof's database exited 1: ")
        .contains("could not uncompress data");
    assertThat(proofDatabases(db, runId)).isEmpty();
    assertThat(BackupGateTest.visibleFiles(tmp.resolve("backups"))).containsExactly("quarantine");
  }

  @Test
  void theProofsDatabaseIsDroppedWhileTheBackupIsCommitted(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    String runId = "20261205T010000Z-0121";
    boolean[] goneBeforeCommit = {false};
    // the commit waits (at most 20 s) for the proof's database to go: only a drop already under way
    // ends the wait; one that runs only after the commit never does
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeCommit(() -> {
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < until && !proofDatabases(db, runId).isEmpty()) {
        sleep(20);
      }
      goneBeforeCommit[0] = proofDatabases(db, runId).isEmpty();
    });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(((Passed) result).envelope().proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
    assertThat(goneBeforeCommit[0]).as("dropped while the backup is committed, not after").isTrue();
    assertThat(BackupGateTest.visibleFiles(tmp.resolve("backups"))).containsExactly("ledger-change-" + runId + ".dump");
  }

  @Test
  void theRunEndsOnlyOnceTheProofsDatabaseIsGoneEvenWhenItsDropWaits(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    String runId = "20261205T010000Z-0122";
    long[] releasedAt = {0};
    java.sql.Connection[] holder = new java.sql.Connection[1];
    Thread[] releaser = new Thread[1];
    // another session (of another database: the forced drop does not end it) holds a lock on the
    // proof's database until 1.5 s after the comparison starts: the drop waits for it
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeProofComparison(scratch -> {
      try {
        holder[0] = db.server().superuserConnection("postgres");
        holder[0].setAutoCommit(false);
        try (var st = holder[0].createStatement()) {
          st.execute("comment on database " + scratch.database() + " is 'held by the test'");
        }
      } catch (java.sql.SQLException ex) {
        throw new IllegalStateException(ex);
      }
      releaser[0] = new Thread(() -> {
        sleep(1500);
        try {
          releasedAt[0] = System.nanoTime();
          holder[0].rollback();
          holder[0].close();
        } catch (java.sql.SQLException ex) {
          throw new IllegalStateException(ex);
        }
      });
      releaser[0].start();
    });

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);
    long endedAt = System.nanoTime();
    boolean gone = proofDatabases(db, runId).isEmpty();
    releaser[0].join();

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(releasedAt[0]).as("the lock was released before the run ended").isPositive().isLessThan(endedAt);
    assertThat(gone).as("the proof's database is gone when the run ends").isTrue();
  }

  /** Waits (at most 20 s) until the run's proof database exists; whether it came. */
  private static boolean waitForProofDatabase(TestDatabase db, String runId) {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until && proofDatabases(db, runId).isEmpty()) {
      sleep(20);
    }
    return !proofDatabases(db, runId).isEmpty();
  }

  /**
   * The proof's database is made beside the catalog reading, not after it: the catalog session
   * opens only once it exists (the hook waits up to 20 s for it; before, it was made only after
   * the catalog was read, so the wait never ended and the proof still passed).
   */
  @Test
  void theProofsDatabaseIsMadeWhileTheCatalogIsRead(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    String runId = "20261205T010000Z-0131";
    boolean[] madeBeforeTheCatalog = {false};
    BackupGate gate = gate(db, BackupGateTest.env(Map.of()))
        .beforeCatalog(() -> madeBeforeTheCatalog[0] = waitForProofDatabase(db, runId));

    BackupResult result = gate.run(BackupGateTest.conn(db, role), proving(tmp.resolve("backups"), List.of()), "ledger-change", runId);

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    assertThat(((Passed) result).envelope().proof().rowsCompared()).isEqualTo(40 + 1234 + 77 + 300);
    assertThat(madeBeforeTheCatalog[0]).as("the proof's database exists while the catalog session opens").isTrue();
    assertThat(proofDatabases(db, runId)).isEmpty();
  }

  /**
   * A refusal of the catalog reading (a schema in scope that does not exist) comes after the
   * proof's database was made beside it: the run drops it, and nothing was dumped or written.
   */
  @Test
  void aCatalogRefusalDropsTheProofsDatabaseMadeBesideItAndWritesNothing(TestDatabase db) throws Exception {
    createLedger(db);
    String role = reader(db);
    String runId = "20261205T010000Z-0132";
    boolean[] made = {false};
    BackupGate gate = gate(db, BackupGateTest.env(Map.of())).beforeCatalog(() -> made[0] = waitForProofDatabase(db, runId));
    BackupPolicy policy = BackupGateTest.policy(List.of("ledger", "nowhere"), tmp.resolve("backups"), 1, List.of(),
        Optional.empty()).withVerify(BackupPolicy.Verify.RESTORE);

    BackupResult result = gate.run(BackupGateTest.conn(db, role), policy, "ledger-change", runId);

    assertThat(result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).kind()).isEqualTo(Cause.BackupRefusal.SCOPE_MISSING);
    assertThat(made[0]).as("the proof's database was made before the refusal").isTrue();
    assertThat(proofDatabases(db, runId)).as("and dropped with it").isEmpty();
    assertThat(tmp.resolve("backups")).as("nothing dumped or written").doesNotExist();
    assertThat(db.queryValue("select count(*) from pg_stat_activity where application_name = 'cutter pg_dump'")).isEqualTo("0");
  }

  /**
   * Made ahead by the command (beside the identity gate) and never used, because the identity
   * gate refused the target: closing it drops the database once it is made.
   */
  @Test
  void aProofDatabaseMadeAheadAndNeverUsedIsDroppedWhenClosed(TestDatabase db) throws Exception {
    String runId = "20261205T010000Z-0133";
    BackupGate gate = gate(db, BackupGateTest.env(Map.of()));
    BackupGate.ProofAhead ahead = gate.startProof(proving(tmp.resolve("backups"), List.of()), runId);
    assertThat(waitForProofDatabase(db, runId)).as("made on its own thread").isTrue();
    assertThat(db.queryValue("select has_database_privilege('public', d.oid, 'connect') from pg_database d"
        + " where d.datname like 'cutter_proof_20261205t010000z_0133%'")).as("PUBLIC may not connect").isEqualTo("f");

    ahead.close();

    assertThat(proofDatabases(db, runId)).isEmpty();
    assertThat(gate.startProof(BackupGateTest.policy(List.of("ledger"), tmp.resolve("backups"), 1, List.of(), Optional.empty()),
        runId).started()).as("nothing is made without a proof").isFalse();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }


  /** Regular files under {@code dir} that start with the custom format's magic. */
  private static List<Path> plaintextFiles(Path dir) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir, 3)) {
      return s.filter(Files::isRegularFile).filter(Files::isReadable).filter(p -> {
        try (var in = Files.newInputStream(p)) {
          return new String(in.readNBytes(5), java.nio.charset.StandardCharsets.ISO_8859_1).equals("PGDMP");
        } catch (Exception e) {
          return false;
        }
      }).toList();
    } catch (Exception e) {
      return List.of();
    }
  }
}
