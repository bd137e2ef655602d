package dev.cutter.cli;

import dev.cutter.backup.BackupEnvelope;
import dev.cutter.backup.BackupGate;
import dev.cutter.backup.BackupResult;
import dev.cutter.backup.BackupSettings;
import dev.cutter.backup.ReadinessItem;
import dev.cutter.backup.ScratchServer;
import dev.cutter.core.CutterException;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.integrity.IntegrityResult;
import dev.cutter.core.integrity.IntegrityVerifier;
import dev.cutter.core.integrity.TrustPolicy;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.IdentityGate;
import dev.cutter.core.run.RunIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cutter backup PKG}: the P2 backup alone; {@code --selftest}: its readiness, without dumping. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {
        "Take the package's P2 backup alone: pg_dump --format=custom of the backup scope as backup_role, verified "
            + "(archive header, every data block, pg_restore --list, TABLE DATA against the tables in scope), "
            + "encrypted to encrypt_to when set, and moved to its final name only when every check passed. "
            + "The package must pass the integrity gate (signatures, hashes, expiry) first, and the target must be the "
            + "approved one (system identifier, database).",
        "With --selftest: check readiness without dumping (pg_dump found and new enough, directory writable with "
            + "room, every recipient key usable, backup_role can read the scope), one line per check. "
            + "Exits 0 when everything holds, 3 when not."})
final class BackupCommand implements Callable<Integer>, UsesEnvironment {

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  @Mixin TrustOptions trust;

  @Parameters(index = "0", paramLabel = "PKG", description = "package.yaml or its directory.")
  Path pkg;

  @Option(names = "--selftest", description = "Check readiness only; no dump, no signature check.")
  boolean selftest;

  @Option(names = "--prove", description = "Also prove the backup restorable (as backup.verify: restore): restore it "
      + "into a scratch database and compare relations, exact row counts and the catalog with the source at the dump's snapshot.")
  boolean prove;

  @Option(names = "--restore-into", paramLabel = "URL", description = "The server the restore proof restores into (a superuser, "
      + "or a role with CREATEDB and CREATEROLE; cutter creates a database and a role of unique names and always drops "
      + "them). Default: the embedded "
      + "PostgreSQL. Must run the target's major version.")
  String restoreInto;

  @Option(names = "--pg-bin", paramLabel = "DIR",
      description = "Directory of pg_dump and pg_restore (default: the first on PATH).")
  Path pgBin;

  @Mixin PgDumpViaOptions pgDumpVia;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    DriverWarmup.start(); // classes only: nothing connects before the integrity gate
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    ApplyPackage p = PackageLoader.withInstalledChecks().load(PackagePaths.packageYaml(pkg));
    ConnectionSpec login = connection.resolve();
    String role = p.target().backupRole().orElse(login.user());
    RunSupport.Passwords passwords = new RunSupport.Passwords(ConnectionResolver.fromProcess()::passwordFor);
    ConnectionSpec backupConn = role.equals(login.user()) ? login : login.as(role, passwords.apply(login, role));
    if (restoreInto != null && !prove && p.backup().verify() != BackupPolicy.Verify.RESTORE) {
      throw CutterException.invalid("--restore-into: only the restore proof uses it; add --prove (or backup.verify: restore)");
    }
    ConnectionSpec scratch = restoreInto == null ? null : ConnectionResolver.fromProcess().resolve(restoreInto);
    try {
      return run(p, login, role, backupConn, scratch, out);
    } finally {
      // what is printed passes the scanner, which knows the passwords this run used
      out.flush();
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.print(passwords.addTo(RunSupport.scanner(login, backupConn, scratch)).mask(text.toString()));
      stdout.flush();
    }
  }

  private int run(ApplyPackage p, ConnectionSpec login, String role, ConnectionSpec backupConn, ConnectionSpec scratch,
      PrintWriter out) {
    BackupPolicy policy = prove ? p.backup().withVerify(BackupPolicy.Verify.RESTORE) : p.backup();
    if (p.backup().dir() == null) {
      out.println("FAIL backup section: the package has no backup.dir");
      out.flush();
      return ExitCodes.CHECKS_FAILED;
    }
    if (selftest || scratch != null || policy.verify() != BackupPolicy.Verify.RESTORE) {
      return run(p, login, role, backupConn, policy, scratch == null ? ProofScratch::embedded : () -> ScratchServer.at(scratch), out);
    }
    // the proof restores into the embedded server: it starts now, beside the checks before the dump
    try (ProofScratch.HeadStart embedded = new ProofScratch.HeadStart()) {
      return run(p, login, role, backupConn, policy, embedded, out);
    }
  }

  private int run(ApplyPackage p, ConnectionSpec login, String role, ConnectionSpec backupConn, BackupPolicy policy,
      Supplier<ScratchServer> scratch, PrintWriter out) {
    BackupSettings settings = BackupSettings.defaults().withEnvironment(env).withPgBin(pgBin)
        .withPgDumpVia(pgDumpVia.resolve(trust.policy(), login)).withScratch(scratch);
    BackupGate gate = new BackupGate(settings);
    if (selftest) {
      List<ReadinessItem> items = gate.selftest(backupConn, p.backup());
      items.forEach(i -> out.println(i.line()));
      boolean ready = items.stream().allMatch(ReadinessItem::passed);
      out.println("backup selftest: " + (ready ? "READY" : "NOT READY") + " (backup_role " + role + ")");
      out.flush();
      return ready ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
    }
    // finding pg_dump, asking its version and reading the recipient keys touch neither the
    // database nor the backup directory: they run while the signatures are checked
    BackupGate.Groundwork groundwork = gate.startGroundwork(p.backup());
    IntegrityResult integrity = integrity(p, settings.clock());
    if (!integrity.passed()) {
      IntegrityText.print(integrity, out);
      out.println("verdict: BLOCKED (integrity gate; nothing was dumped)");
      out.flush();
      return ExitCodes.CHECKS_FAILED;
    }
    Optional<TrustPolicy.TlsRefusal> tls = trust.policy().flatMap(trustPolicy -> trustPolicy.tlsRefusal(backupConn));
    if (tls.isPresent()) {
      out.println("FAIL tls: " + tls.get().message());
      out.println("verdict: BLOCKED (trust policy; nothing was dumped)");
      out.flush();
      return ExitCodes.CHECKS_FAILED;
    }
    String runId = RunIds.next(settings.clock());
    // the restore proof's database is made on the scratch server while the identity gate and the
    // catalog reading run; nothing of the target is read or dumped before the identity holds, and
    // a refusal drops what was made
    try (BackupGate.ProofAhead proofAhead = gate.startProof(policy, runId)) {
      GateResult identity = IdentityGate.check(login, p, "cutter backup " + runId);
      if (identity.status() != GateStatus.PASS) {
        out.println("identity: FAIL " + identity.message());
        out.println("verdict: BLOCKED (identity gate: not the approved target; nothing was dumped)");
        out.flush();
        return ExitCodes.CHECKS_FAILED;
      }
      BackupResult result = gate.run(backupConn, policy, p.id(), runId, groundwork, proofAhead);
      print(result, out);
      out.flush();
      return result.passed() ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
    }
  }

  private IntegrityResult integrity(ApplyPackage p, Clock clock) {
    Instant now = clock.instant();
    TrustPolicy.Location where = trust.locate();
    return where.file().isPresent()
        ? IntegrityVerifier.verify(p, trust.policy().orElseThrow(), now)
        : IntegrityVerifier.verifyWithoutPolicy(p, where.describeSearch(), now);
  }

  static void print(BackupResult result, PrintWriter out) {
    if (result instanceof BackupResult.Passed passed) {
      BackupEnvelope e = passed.envelope();
      out.println("path: " + e.path());
      out.println("bytes: " + e.bytes());
      out.println("sha256: " + e.sha256());
      out.println("plaintext_sha256: " + e.plaintextSha256());
      out.println("format: " + e.format());
      out.println("archive_version: " + e.archiveVersion());
      out.println("pg_dump_version: " + e.pgDumpVersion());
      out.println("toc_entries: " + e.tocEntries());
      out.println("table_data_entries: " + e.tableDataEntries());
      out.println("encrypted_to: " + e.encryptedTo());
      out.println("started: " + e.started());
      out.println("finished: " + e.finished());
      out.println("system_identifier: " + e.systemIdentifier());
      if (e.files() != null) {
        for (var f : e.files()) {
          out.println("file: " + f.name() + " " + f.bytes() + " bytes sha256 " + f.sha256()
              + (f.encrypted() ? "; " + f.storedName() + " " + f.storedBytes() + " bytes sha256 " + f.storedSha256() : ""));
        }
      }
      if (e.anchor() != null) {
        out.println("wal_lsn: " + e.anchor().walLsn() + (e.anchor().standby() ? " (standby replay position)" : ""));
        out.println("snapshot_xmin: " + e.anchor().snapshotXmin());
      }
      if (e.proof() != null) {
        out.println("restore_proof: " + e.proof().tablesCompared() + " tables, " + e.proof().rowsCompared() + " rows, "
            + e.proof().relationsCompared() + " relations compared in " + e.proof().scratch() + "; no difference");
      }
      if (e.tls() != null) {
        out.println("tls: " + (e.tls().encrypted() ? "encrypted" : "not encrypted") + ", "
            + (e.tls().verified() ? "server certificate verified" : "server certificate not verified")
            + " (sslmode " + e.tls().sslmode() + ")");
      }
      out.println("verdict: PASS");
      return;
    }
    BackupResult.Blocked b = (BackupResult.Blocked) result;
    out.println("reason: " + b.reason());
    if (b.expected() != null || b.actual() != null) {
      out.println("expected: " + b.expected());
      out.println("actual: " + b.actual());
    }
    if (b.details() != null && !b.details().isBlank()) {
      out.println("details: " + b.details().strip().replace("\n", "\n  "));
    }
    b.quarantined().ifPresent(q -> out.println("quarantined: " + q));
    out.println("verdict: BLOCKED");
  }
}
