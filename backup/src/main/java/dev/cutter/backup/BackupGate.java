package dev.cutter.backup;

import dev.cutter.core.cause.Cause;
import dev.cutter.backup.ArchiveSummary.QualifiedName;
import dev.cutter.backup.PgTools.ToolVersion;
import dev.cutter.backup.RecipientKeys.Recipient;
import dev.cutter.backup.RecipientKeys.UnsetVariableException;
import dev.cutter.backup.BackupResult.Blocked;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Tls;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.model.BackupPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The P2 backup gate (SPEC section 3, step 5): a verified {@code pg_dump --format=custom} of the
 * package's scope as the backup role, streamed through the archive verifier, pg_restore --list,
 * sha256 and optional OpenPGP encryption, and moved to its final name only when every check
 * passed. {@link #selftest} checks readiness without dumping.
 */
public final class BackupGate {

  private final BackupSettings settings;
  private Consumer<ConnectionSpec> beforeProofComparison = c -> { };
  private Consumer<Path> afterDirectoryDump = p -> { };
  private Runnable beforeSourceCount = () -> { };
  private Runnable beforeCatalog = () -> { };
  private Runnable beforeCommit = () -> { };
  private boolean followDirectoryDump = true;

  public BackupGate(BackupSettings settings) {
    this.settings = settings;
  }

  /** For tests: runs {@code hook} on the restored scratch database before the proof compares it. */
  BackupGate beforeProofComparison(Consumer<ConnectionSpec> hook) {
    this.beforeProofComparison = hook;
    return this;
  }

  /** For tests: runs {@code hook} just before a backup that passed every check is moved to its final name. */
  BackupGate beforeCommit(Runnable hook) {
    this.beforeCommit = hook;
    return this;
  }

  /** For tests: runs {@code hook} just before the catalog session opens (after the groundwork's checks). */
  BackupGate beforeCatalog(Runnable hook) {
    this.beforeCatalog = hook;
    return this;
  }

  /** For tests: runs {@code hook} when the restore proof starts counting the source (once pg_dump has exited). */
  BackupGate beforeSourceCount(Runnable hook) {
    this.beforeSourceCount = hook;
    return this;
  }

  /**
   * For tests: runs {@code hook} on the directory pg_dump wrote (plaintext) before it is verified;
   * no file is then walked while pg_dump runs, so the hook sees every file as pg_dump left it.
   */
  BackupGate afterDirectoryDump(Consumer<Path> hook) {
    this.afterDirectoryDump = hook;
    this.followDirectoryDump = false;
    return this;
  }

  /** The directory name a directory-format backup of {@code packageId} in run {@code runId} gets. */
  public static String directoryName(String packageId, String runId) {
    return packageId + "-" + runId + ".dumpdir";
  }

  /** The file name a backup of {@code packageId} in run {@code runId} gets. */
  public static String fileName(String packageId, String runId, boolean encrypted) {
    return packageId + "-" + runId + (encrypted ? ".dump.pgp" : ".dump");
  }

  /**
   * The gate's local groundwork, started on daemon threads as soon as the package is loaded:
   * finding pg_dump and pg_restore and asking pg_dump its version, and expanding and resolving
   * the recipient keys. None of it touches the database or the backup directory, so it may run
   * while the integrity gate is still checking signatures; {@link #run} waits for it.
   */
  public static final class Groundwork {
    private final FutureTask<Keys> keys;
    private final FutureTask<Tools> tools;

    private Groundwork(FutureTask<Keys> keys, FutureTask<Tools> tools) {
      this.keys = keys;
      this.tools = tools;
    }
  }

  /** The recipients, or the unset variable that stops the run. */
  private record Keys(List<Recipient> recipients, UnsetVariableException unset) {}

  /** pg_dump, its version and pg_restore, or why the dump cannot run. */
  private record Tools(Blocked refusal, ClientTools.Program pgDump, ToolVersion dumpVersion, ClientTools.Program pgRestore) {}

  /** Starts the groundwork for a backup under {@code policy}; see {@link Groundwork}. */
  public Groundwork startGroundwork(BackupPolicy policy) {
    FutureTask<Keys> keys = new FutureTask<>(() -> keys(policy));
    FutureTask<Tools> tools = new FutureTask<>(() -> tools(policy.verify() == BackupPolicy.Verify.RESTORE));
    start(keys, "cutter-backup recipients");
    start(tools, "cutter-backup tools");
    return new Groundwork(keys, tools);
  }

  /**
   * The restore proof's database, made on its own thread ahead of its use: {@code cutter backup}
   * starts it once the integrity gate has passed, beside the identity gate and the catalog
   * reading ({@link #run} otherwise starts it just before the catalog session opens). Only the
   * scratch server is touched: nothing of the target is read or dumped before the identity gate
   * holds. The scratch's major is checked against the source's once the catalog is read, before
   * pg_dump starts. {@link #close} waits for the creation and drops what it made, whichever way
   * the run ended (a SIGTERM or SIGINT too, by a hook); after a proof it does nothing more.
   */
  public static final class ProofAhead implements AutoCloseable {
    private final FutureTask<RestoreProof> creation;
    private final Thread dropOnSignal;

    private ProofAhead(FutureTask<RestoreProof> creation) {
      this.creation = creation;
      this.dropOnSignal = creation == null ? null : new Thread(this::dropMade, "cutter-restore-proof-interrupt");
      if (dropOnSignal != null) {
        Runtime.getRuntime().addShutdownHook(dropOnSignal);
      }
    }

    /** True when a proof's database is being made (a restore proof asked for, with a scratch server). */
    boolean started() {
      return creation != null;
    }

    /** The proof's database once made, or why it could not be. */
    RestoreProof take() throws RestoreProof.Refused, InterruptedException {
      try {
        return creation.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RestoreProof.Refused r) {
          throw r;
        }
        throw new RestoreProof.Refused(Cause.ProofFailure.SCRATCH_REFUSED, List.of(), "cannot create the restore proof's"
            + " database: " + e.getCause(), null);
      }
    }

    private void dropMade() {
      if (creation == null) {
        return;
      }
      boolean interrupted = false;
      while (true) {
        try {
          creation.get().close();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          break; // nothing was made, or it was dropped where it failed
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** Waits for the creation and drops the proof's database (once: a proof that ran has dropped it already). */
    @Override
    public void close() {
      dropMade();
      if (dropOnSignal != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(dropOnSignal);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook has run or is running
        }
      }
    }
  }

  /**
   * Starts making the restore proof's database for run {@code runId} under {@code policy} (nothing
   * when the policy asks for no proof or no scratch server was given: {@link #run} refuses that).
   */
  public ProofAhead startProof(BackupPolicy policy, String runId) {
    if (policy.verify() != BackupPolicy.Verify.RESTORE || settings.scratch().isEmpty()) {
      return new ProofAhead(null);
    }
    var scratch = settings.scratch().get();
    int jobs = policy.format() == BackupPolicy.Format.DIRECTORY ? policy.jobs() : 1;
    FutureTask<RestoreProof> creation = new FutureTask<>(() -> RestoreProof.create(scratch, runId, jobs));
    start(creation, "cutter restore proof database");
    return new ProofAhead(creation);
  }

  private static void start(Runnable work, String name) {
    Thread t = new Thread(work, name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Takes the backup. Never throws for an operational failure: every refusal is a
   * {@link BackupResult.Blocked} with its reason, and nothing is then left at a final name.
   */
  public BackupResult run(ConnectionSpec backupConn, BackupPolicy policy, String packageId, String runId) {
    return run(backupConn, policy, packageId, runId, startGroundwork(policy));
  }

  /** As {@link #run(ConnectionSpec, BackupPolicy, String, String)}, with groundwork started earlier. */
  public BackupResult run(ConnectionSpec backupConn, BackupPolicy policy, String packageId, String runId,
      Groundwork groundwork) {
    return run(backupConn, policy, packageId, runId, groundwork, (ProofAhead) null);
  }

  /**
   * As above, with the restore proof's database started earlier ({@link #startProof}; null: it is
   * started here, beside the catalog reading). The run closes {@code proofAhead}.
   */
  public BackupResult run(ConnectionSpec backupConn, BackupPolicy policy, String packageId, String runId,
      Groundwork groundwork, ProofAhead proofAhead) {
    try (ProofAhead ahead = proofAhead) {
      return runAhead(backupConn, policy, packageId, runId, groundwork, () -> ahead != null ? ahead : startProof(policy, runId));
    }
  }

  private BackupResult runAhead(ConnectionSpec backupConn, BackupPolicy policy, String packageId, String runId,
      Groundwork groundwork, Supplier<ProofAhead> proofAhead) {
    Instant started = settings.clock().instant();
    // pg_dump -Fd writes files where it runs: through a prefix that is the prefix's side, out of cutter's reach
    if (policy.format() == BackupPolicy.Format.DIRECTORY && settings.clientTools().via().isPresent()) {
      return Blocked.of(Cause.BackupRefusal.FORMAT_UNSUPPORTED, "backup.format directory cannot be written through the pg_dump"
          + " prefix " + settings.clientTools().via().get().display() + ": its files would be written on the prefix's side;"
          + " use format custom there, or run pg_dump on this host", null);
    }
    Keys keys;
    Tools tools;
    try {
      keys = groundwork.keys.get();
      // an unset variable blocks at once, before the catalog is read
      if (keys.unset() != null) {
        UnsetVariableException e = keys.unset();
        return new Blocked(Cause.BackupRefusal.KEYS, e.getMessage(), null, "${" + e.variable() + "} set", "unset", Optional.empty());
      }
      tools = groundwork.tools.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Blocked.of(Cause.BackupRefusal.INTERRUPTED, "interrupted while preparing the backup", null);
    } catch (ExecutionException e) {
      return Blocked.of(Cause.BackupRefusal.KEYS, "cannot check the recipient keys: " + e.getCause().getMessage(), null);
    }
    for (Recipient r : keys.recipients()) {
      if (!r.usable()) {
        return Blocked.of(Cause.BackupRefusal.KEYS, "recipient key not usable: " + r.problem(), "keys from " + r.source());
      }
    }
    if (tools.refusal() != null) {
      return tools.refusal();
    }
    if (policy.dir() == null) {
      return Blocked.of(Cause.BackupRefusal.DIRECTORY, "backup.dir is not set", null);
    }

    // the proof's database is made beside the catalog reading (or was started before the identity gate)
    try (ProofAhead ahead = proofAhead.get()) {
      return readAndDump(backupConn, policy, packageId, runId, keys, tools, ahead, started);
    }
  }

  private BackupResult readAndDump(ConnectionSpec backupConn, BackupPolicy policy, String packageId, String runId,
      Keys keys, Tools tools, ProofAhead ahead, Instant started) {
    // The catalog session stays open, in the transaction whose snapshot pg_dump imports, until the dump is done.
    ScopeCatalog catalog;
    try {
      beforeCatalog.run();
      catalog = ScopeCatalog.open(backupConn, policy);
    } catch (SQLException e) {
      return Blocked.of(Cause.BackupRefusal.CANNOT_CONNECT, "cannot connect as " + backupConn.user() + " to " + backupConn.display() + ": "
          + e.getMessage(), "SQLSTATE " + e.getSQLState());
    }
    try {
      return prepareAndDump(backupConn, policy, packageId, runId, keys, tools, catalog, ahead, started);
    } catch (SQLException e) {
      return Blocked.of(Cause.BackupRefusal.UNREADABLE, "cannot read the catalog as " + backupConn.user() + ": " + e.getMessage(),
          "SQLSTATE " + e.getSQLState());
    } finally {
      try {
        catalog.close();
      } catch (SQLException e) {
        // the dump's outcome is decided; a session the server has already ended changes nothing
      }
    }
  }

  private BackupResult prepareAndDump(ConnectionSpec backupConn, BackupPolicy policy, String packageId, String runId,
      Keys keys, Tools tools, ScopeCatalog catalog, ProofAhead ahead, Instant started) throws SQLException {
    Prepared prepared = prepare(catalog, policy, tools);
    if (prepared.refusal() != null) {
      return prepared.refusal();
    }
    if (policy.verify() != BackupPolicy.Verify.RESTORE) {
      return lockAndDump(backupConn, policy, packageId, runId, keys, prepared, null, started);
    }
    // the restore proof: a scratch database of the source's major, and the source's state at the
    // dump's snapshot, counted in this transaction while pg_dump runs
    if (settings.scratch().isEmpty()) {
      return proofRefused(new RestoreProof.Refused(Cause.ProofFailure.SCRATCH_REFUSED, List.of(),
          "backup.verify is restore but no scratch server was given for the restore proof", null));
    }
    RestoreProof proof;
    try {
      proof = ahead.started() ? ahead.take() : RestoreProof.create(settings.scratch().get(), runId,
          policy.format() == BackupPolicy.Format.DIRECTORY ? policy.jobs() : 1);
      proof.requireMajor(catalog.serverVersionNum() / 10000);
    } catch (RestoreProof.Refused r) {
      return proofRefused(r);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Blocked.of(Cause.BackupRefusal.INTERRUPTED, "interrupted while the restore proof's database was made", null);
    }
    // a SIGTERM/SIGINT ends the JVM before this thread reaches the close: the proof's database (a copy
    // of production on the scratch server) is dropped by a hook then, as after a failure
    Thread dropOnSignal = new Thread(proof::close, "cutter-restore-proof-interrupt");
    Runtime.getRuntime().addShutdownHook(dropOnSignal);
    try (proof) {
      List<String> schemas = catalog.schemasInScope();
      // counted once pg_dump has exited 0 (SourceCount), in this transaction: the dump's snapshot
      SourceCount source = new SourceCount(() -> {
        beforeSourceCount.run();
        return ScopeState.read(catalog.connection(), schemas);
      });
      try {
        return lockAndDump(backupConn, policy, packageId, runId, keys, prepared, new Proving(proof, schemas, source,
            catalog.relationCount()), started);
      } finally {
        source.settle(); // the catalog session closes after this; the counting must be over
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(dropOnSignal);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook has run or is running
      }
    }
  }

  /**
   * A restore proof under way: its scratch database, the schemas in scope, the source's state being
   * read, and how many relations the restore creates (whether it fits in one transaction).
   */
  private record Proving(RestoreProof proof, List<String> schemas, SourceCount source, long relations) {}

  private static Blocked proofRefused(RestoreProof.Refused r) {
    return new Blocked(Cause.BackupRefusal.RESTORE_PROOF, r.getMessage(), r.details, null, null, Optional.empty(),
        new Cause.RestoreProofFailed(r.kind, r.tables));
  }

  private BackupResult lockAndDump(ConnectionSpec backupConn, BackupPolicy policy, String packageId, String runId,
      Keys keys, Prepared prepared, Proving proving, Instant started) {
    List<Recipient> recipients = keys.recipients();
    // directory, lock, space, then the dump
    Path dir = policy.dir();
    boolean directory = policy.format() == BackupPolicy.Format.DIRECTORY;
    String finalName = directory ? directoryName(packageId, runId) : fileName(packageId, runId, !recipients.isEmpty());
    try (BackupDirectory backupDir = BackupDirectory.open(dir)) {
      long needed = Math.max(prepared.estimate(), policy.minBytes());
      long free = backupDir.usableSpace();
      if (free < needed) {
        return Blocked.compared(Cause.BackupRefusal.NO_SPACE, "not enough free space in " + dir + " for the backup",
            ">= " + needed + " bytes free (estimate of the scope's table data)", free + " bytes free");
      }
      return directory
          ? dumpDirectory(backupConn, policy, prepared, backupDir, finalName, recipients, started, proving)
          : dump(backupConn, policy, prepared, backupDir, finalName, recipients, started, proving);
    } catch (BackupDirectory.BusyException e) {
      return Blocked.of(Cause.BackupRefusal.DIRECTORY, e.getMessage(), "wait for it to finish, or use another backup.dir");
    } catch (BackupDirectory.UnsafeException e) {
      return Blocked.of(Cause.BackupRefusal.DIRECTORY, e.getMessage(), e.remedy(dir));
    } catch (IOException e) {
      return Blocked.of(Cause.BackupRefusal.DIRECTORY, "cannot prepare backup directory " + dir + ": " + e.getMessage(), null);
    }
  }

  /**
   * What the dump needs from the tools and the catalog, or why it cannot run. {@code snapshot} is
   * the catalog session's exported snapshot, which pg_dump must import: it exists only on the
   * server the catalog was read from, so a pg_dump that reached any other server fails.
   */
  private record Prepared(Blocked refusal, ClientTools.Program pgDump, ClientTools.Program pgRestore, String server, String database,
      Set<QualifiedName> expectedTables, long estimate, String snapshot, String systemIdentifier, TlsState tls,
      PitAnchor anchor) {
    static Prepared refused(Blocked why) {
      return new Prepared(why, null, null, null, null, Set.of(), 0, null, null, null, null);
    }
  }

  /** {@code proof}: a restore proof will run, whose pg_restore runs on this host (also through a prefix). */
  private Tools tools(boolean proof) {
    ClientTools tools = settings.clientTools();
    Optional<ClientTools.Program> pgDump = tools.find("pg_dump");
    Optional<ClientTools.Program> pgRestore = tools.find("pg_restore");
    if (pgDump.isEmpty() || pgRestore.isEmpty()) {
      return new Tools(Blocked.of(Cause.BackupRefusal.TOOL_MISSING, (pgDump.isEmpty() ? "pg_dump" : "pg_restore") + " not found "
          + tools.searched(), "install the PostgreSQL client programs or set the binary directory"), null, null, null);
    }
    List<ClientTools.Program> programs = new ArrayList<>(List.of(pgDump.get(), pgRestore.get()));
    ClientTools here = new ClientTools(Optional.empty(), settings.environment().getOrDefault("PATH", ""), Optional.empty());
    if (tools.via().isPresent() && proof) {
      // a restore proof's pg_restore runs on this host, from PATH, with the scratch's password
      here.find("pg_restore").ifPresent(programs::add);
    }
    for (ClientTools.Program program : programs) {
      Optional<String> loose = othersMayChange(program.command().size() == 1 ? here : tools, program);
      if (loose.isPresent()) {
        return new Tools(Blocked.of(Cause.BackupRefusal.TOOL_MISSING, loose.get(), "install the PostgreSQL client"
            + " programs where only root and the user running cutter can write, or name such a directory with --pg-bin"),
            null, null, null);
      }
    }
    ToolVersion dumpVersion;
    try {
      dumpVersion = tools.version(pgDump.get(), settings.environment());
    } catch (IOException e) {
      return new Tools(Blocked.of(Cause.BackupRefusal.TOOL_MISSING, "cannot run " + pgDump.get().display() + " --version", e.getMessage()), null, null, null);
    }
    if (tools.via().isPresent()) {
      // through a prefix, only running pg_restore there tells whether it exists
      try {
        tools.version(pgRestore.get(), settings.environment());
      } catch (IOException e) {
        return new Tools(Blocked.of(Cause.BackupRefusal.TOOL_MISSING, "cannot run " + pgRestore.get().display() + " --version",
            e.getMessage()), null, null, null);
      }
    }
    return new Tools(null, pgDump.get(), dumpVersion, pgRestore.get());
  }

  /** {@link ClientTools#othersMayChange}, a failure to read the modes counted as a reason. */
  private static Optional<String> othersMayChange(ClientTools tools, ClientTools.Program program) {
    try {
      return tools.othersMayChange(program);
    } catch (IOException e) {
      return Optional.of("cannot read the owner and mode of " + program.display() + ": " + e.getMessage());
    }
  }

  private Prepared prepare(ScopeCatalog catalog, BackupPolicy policy, Tools tools) throws SQLException {
    ToolVersion dumpVersion = tools.dumpVersion();
    String snapshot = catalog.exportSnapshot();
    PitAnchor anchor = catalog.anchor();
    int serverMajor = catalog.serverVersionNum() / 10000;
    String server = catalog.serverVersion();
    if (dumpVersion.major() < serverMajor) {
      return Prepared.refused(Blocked.compared(Cause.BackupRefusal.TOOL_TOO_OLD, "pg_dump " + dumpVersion.major()
          + settings.clientTools().via().map(v -> " (run through " + v.display() + ")").orElse("")
          + " is older than the server (PostgreSQL "
          + serverMajor + "): it cannot dump a newer server; use pg_dump " + serverMajor + " or newer",
          "pg_dump major >= " + serverMajor, dumpVersion.text() + "; server " + server));
    }
    List<String> missing = catalog.missingSchemas();
    if (!missing.isEmpty()) {
      return Prepared.refused(Blocked.compared(Cause.BackupRefusal.SCOPE_MISSING, "backup scope names schemas that do not exist: "
          + String.join(", ", missing), "schemas " + policy.schemas(), "missing " + missing));
    }
    return new Prepared(null, tools.pgDump(), tools.pgRestore(), server, catalog.database(), catalog.tablesWithData(),
        catalog.estimatedBytes(), snapshot, catalog.systemIdentifier(), catalog.tlsState(), anchor);
  }

  private BackupResult dump(ConnectionSpec conn, BackupPolicy policy, Prepared prepared, BackupDirectory dir,
      String finalName, List<Recipient> recipients, Instant started, Proving proving) throws IOException {
    Path temp = dir.createTemporary(finalName);
    RunGuard guard = new RunGuard();
    guard.onQuarantine(() -> dir.quarantine(temp, guard.abortReason() == null ? "failed" : guard.abortReason(),
        settings.clock().instant()));
    Thread hook = new Thread(() -> guard.abort("interrupted by a signal (SIGINT/SIGTERM) during the dump"),
        "cutter-backup-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Optional<DumpPipeline.Encryption> encryption = recipients.isEmpty()
          ? Optional.empty()
          : Optional.of(new DumpPipeline.Encryption(
              recipients.stream().map(r -> r.encryptionKey().orElseThrow()).toList(),
              finalName.replaceFirst("\\.pgp$", ""), Date.from(started)));
      DumpPipeline.Outcome outcome;
      try (KeyPasswordFile keyPassword = KeyPasswordFile.of(conn)) {
        ClientTools tools = settings.clientTools();
        ConnectionSpec endpoint = tools.endpoint(conn);
        List<String> dumpCommand = new ArrayList<>(dumpCommand(prepared.pgDump().command(), policy, prepared.snapshot()));
        dumpCommand.addAll(tools.connectionArguments(endpoint));
        List<String> restoreCommand = new ArrayList<>(prepared.pgRestore().command());
        restoreCommand.addAll(List.of("--list", "--verbose"));
        // The proof's pg_restore runs here, next to the scratch server, also when pg_dump runs through a prefix.
        List<String> proofRestore = tools.via().isEmpty() ? prepared.pgRestore().command()
            : new ClientTools(Optional.empty(), settings.environment().getOrDefault("PATH", ""), Optional.empty())
                .find("pg_restore").map(ClientTools.Program::command).orElse(prepared.pgRestore().command());
        DumpPipeline pipeline = new DumpPipeline(dumpCommand,
            tools.dumpEnvironment(endpoint, settings.environment(), keyPassword.file()),
            restoreCommand, withoutLibpqVariables(settings.environment()),
            temp, encryption, settings.progress(), guard, Optional.ofNullable(proving).map(p -> new DumpPipeline.Child(
                p.proof().command(proofRestore, 1, p.relations()), p.proof().environment(settings.environment()), p.source()::start)));
        outcome = pipeline.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        guard.abort("interrupted during the dump");
        return fail(guard, Cause.BackupRefusal.INTERRUPTED, "interrupted during the dump", null);
      } catch (IOException e) {
        return fail(guard, Cause.BackupRefusal.DUMP_FAILED, "the dump could not run: " + e.getMessage(), null);
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        guard.abort("interrupted during the dump");
      }
      if (guard.aborted()) {
        return fail(guard, Cause.BackupRefusal.INTERRUPTED, guard.abortReason(), null);
      }
      Optional<Blocked> problem = check(outcome, policy, prepared.expectedTables())
          .map(b -> settings.clientTools().via().isPresent() && b.kind() == Cause.BackupRefusal.DUMP_FAILED
              ? ClientTools.throughPrefix(b, settings.clientTools().via().get(), conn.password().isPresent()) : b);
      if (problem.isPresent()) {
        return fail(guard, problem.get());
      }
      ProofResult proofResult = null;
      if (proving != null) {
        try {
          proofResult = prove(outcome, proving);
        } catch (RestoreProof.Refused r) {
          return fail(guard, proofRefused(r));
        } catch (SQLException e) {
          return fail(guard, Blocked.of(Cause.BackupRefusal.UNREADABLE, "cannot count the source's rows at the dump's snapshot: "
              + e.getMessage(), "SQLSTATE " + e.getSQLState()));
        }
      }
      List<String> encryptedTo = recipients.stream().map(Recipient::fingerprint).toList();
      ArchiveHeader h = outcome.archive().header();
      BackupEnvelope draft = new BackupEnvelope(dir.path().resolve(finalName), outcome.fileBytes(),
          outcome.fileSha256(), outcome.plaintextSha256(), outcome.plaintextBytes(), h.formatName(), h.archiveVersion(),
          h.pgDumpVersion(), prepared.server(), prepared.database(), outcome.archive().tocEntries(),
          outcome.archive().tableData().size(), encryptedTo, started, settings.clock().instant(),
          prepared.systemIdentifier(), prepared.tls(), prepared.anchor(), proofResult);
      List<String> missing = draft.missingFields();
      if (!missing.isEmpty()) {
        return fail(guard, Blocked.compared(Cause.BackupRefusal.ARCHIVE_INVALID, "the backup envelope is incomplete: " + String.join(", ", missing)
            + " missing", "path, bytes, sha256, format, archive_version, encrypted_to, ...", "missing " + missing));
      }
      Optional<Path> committed;
      try {
        long onDisk = Files.size(temp);
        if (onDisk != outcome.fileBytes()) {
          return fail(guard, Blocked.compared(Cause.BackupRefusal.ARCHIVE_INVALID, "the file on disk does not have the bytes written",
              outcome.fileBytes() + " bytes", onDisk + " bytes"));
        }
        beforeCommit.run();
        committed = guard.commit(() -> dir.commit(temp, finalName));
      } catch (IOException e) {
        return fail(guard, Cause.BackupRefusal.DIRECTORY, "cannot move the backup to its final name " + finalName + ": " + e.getMessage(), null);
      }
      if (committed.isEmpty()) {
        return fail(guard, Cause.BackupRefusal.INTERRUPTED, guard.abortReason(), null);
      }
      return new BackupResult.Passed(draft);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook has run or is running
      }
    }
  }

  /**
   * The directory format: {@code pg_dump --format=directory --jobs=N} into a private 0700
   * directory, then {@code pg_restore --list} of it, every file walked, hashed and (when
   * encrypted) encrypted file by file into the temporary directory with its plaintext removed,
   * the restore proof ({@code pg_restore --jobs=N} from the plaintext, alongside the walk), the
   * checks of the custom format, and one atomic rename of the temporary directory. An encrypted
   * run's plaintext directory is deleted whichever way the run ends.
   */
  private BackupResult dumpDirectory(ConnectionSpec conn, BackupPolicy policy, Prepared prepared, BackupDirectory dir,
      String finalName, List<Recipient> recipients, Instant started, Proving proving) throws IOException {
    boolean encrypt = !recipients.isEmpty();
    Path partial = dir.createTemporaryDirectory(finalName);
    Path plain = encrypt ? dir.createPlaintextDirectory(finalName) : partial;
    RunGuard guard = new RunGuard();
    guard.onQuarantine(() -> {
      if (encrypt) {
        DirectoryArchive.deleteTree(plain);
      }
      return dir.quarantine(partial, guard.abortReason() == null ? "failed" : guard.abortReason(), settings.clock().instant());
    });
    Thread hook = new Thread(() -> guard.abort("interrupted by a signal (SIGINT/SIGTERM) during the dump"),
        "cutter-backup-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return dumpDirectory(conn, policy, prepared, dir, finalName, recipients, started, proving, partial, plain, guard);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(guard, Cause.BackupRefusal.INTERRUPTED, "interrupted during the dump", null);
    } finally {
      if (encrypt) {
        DirectoryArchive.deleteTree(plain);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook has run or is running
      }
    }
  }

  private BackupResult dumpDirectory(ConnectionSpec conn, BackupPolicy policy, Prepared prepared, BackupDirectory dir,
      String finalName, List<Recipient> recipients, Instant started, Proving proving, Path partial, Path plain,
      RunGuard guard) throws IOException, InterruptedException {
    Optional<DumpPipeline.Encryption> encryption = recipients.isEmpty()
        ? Optional.empty()
        : Optional.of(new DumpPipeline.Encryption(recipients.stream().map(r -> r.encryptionKey().orElseThrow()).toList(),
            DirectoryArchive.TOC, Date.from(started)));
    DirectoryArchive[] following = {null};
    try {
      return dumpDirectory(conn, policy, prepared, dir, finalName, recipients, started, proving, partial, plain, guard,
          encryption, following);
    } finally {
      if (following[0] != null) {
        following[0].close();
      }
    }
  }

  private BackupResult dumpDirectory(ConnectionSpec conn, BackupPolicy policy, Prepared prepared, BackupDirectory dir,
      String finalName, List<Recipient> recipients, Instant started, Proving proving, Path partial, Path plain,
      RunGuard guard, Optional<DumpPipeline.Encryption> encryption, DirectoryArchive[] following)
      throws IOException, InterruptedException {
    ClientTools tools = settings.clientTools();
    int dumpExit;
    String dumpStderr;
    try (KeyPasswordFile keyPassword = KeyPasswordFile.of(conn)) {
      ConnectionSpec endpoint = tools.endpoint(conn);
      List<String> command = new ArrayList<>(dumpCommand(prepared.pgDump().command(), policy, prepared.snapshot(), plain));
      command.addAll(tools.connectionArguments(endpoint));
      ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().clear();
      pb.environment().putAll(tools.dumpEnvironment(endpoint, settings.environment(), keyPassword.file()));
      Process dump;
      try {
        dump = pb.start();
      } catch (IOException e) {
        return fail(guard, Cause.BackupRefusal.DUMP_FAILED, "the dump could not run: " + e.getMessage(), null);
      }
      guard.track(dump);
      dump.getOutputStream().close();
      if (followDirectoryDump) {
        // each data file is walked, hashed and encrypted while pg_dump writes it, and finished when pg_dump closes it
        following[0] = DirectoryArchive.following(plain, partial, encryption, proving != null, policy.jobs(), dump.toHandle());
      }
      dumpStderr = DumpPipeline.tail(dump.getErrorStream());
      dumpExit = dump.waitFor();
    }
    if (proving != null && dumpExit == 0 && !guard.aborted()) {
      proving.source().start();
    }
    if (guard.aborted()) {
      return fail(guard, Cause.BackupRefusal.INTERRUPTED, guard.abortReason(), null);
    }
    if (dumpExit != 0) {
      return fail(guard, new Blocked(Cause.BackupRefusal.DUMP_FAILED, "pg_dump exited " + dumpExit + ": "
          + DumpPipeline.firstErrorLine(dumpStderr), dumpStderr.strip(), "exit 0", "exit " + dumpExit, Optional.empty()));
    }
    afterDirectoryDump.accept(plain);
    // pg_restore --list reads toc.dat only, before any plaintext is removed
    List<String> list = new ArrayList<>(prepared.pgRestore().command());
    list.addAll(List.of("--list", "--verbose", plain.toString()));
    ProcessBuilder lpb = new ProcessBuilder(list);
    lpb.environment().clear();
    lpb.environment().putAll(withoutLibpqVariables(settings.environment()));
    Process lister = lpb.start();
    guard.track(lister);
    lister.getOutputStream().close();
    FutureTask<String> listErr = new FutureTask<>(() -> DumpPipeline.tail(lister.getErrorStream()));
    start(listErr, "cutter-backup pg_restore stderr");
    int[] listed = DumpPipeline.countListing(lister.getInputStream());
    int listExit = lister.waitFor();
    if (listExit != 0) {
      String err;
      try {
        err = listErr.get();
      } catch (ExecutionException e) {
        err = "";
      }
      return fail(guard, Cause.BackupRefusal.ARCHIVE_INVALID, "the archive's table of contents failed: pg_restore --list exited "
          + listExit + ": " + DumpPipeline.firstErrorLine(err), null);
    }
    // the restore proof reads the plaintext alongside the walk; the plaintext stays until it is done
    Process proofRestore = null;
    FutureTask<RestoreErrors> proofErr = null;
    if (proving != null) {
      List<String> proofCommand = new ArrayList<>(proving.proof().command(prepared.pgRestore().command(), policy.jobs(),
          proving.relations()));
      proofCommand.addAll(List.of("--jobs=" + policy.jobs(), plain.toString()));
      ProcessBuilder ppb = new ProcessBuilder(proofCommand).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      ppb.environment().clear();
      ppb.environment().putAll(proving.proof().environment(settings.environment()));
      Process p = ppb.start();
      guard.track(p);
      p.getOutputStream().close();
      proofRestore = p;
      // pg_restore's own lines only: the server's message may carry rows (RestoreErrors)
      proofErr = new FutureTask<>(() -> RestoreErrors.read(p.getErrorStream()));
      start(proofErr, "cutter-backup restore proof stderr");
    }
    DirectoryArchive.Verified archive;
    try {
      archive = following[0] != null ? following[0].finish()
          : DirectoryArchive.process(plain, partial, encryption, proving != null, policy.jobs());
    } catch (IOException e) {
      if (proofRestore != null) {
        proofRestore.destroyForcibly();
      }
      if (guard.aborted()) {
        return fail(guard, Cause.BackupRefusal.INTERRUPTED, guard.abortReason(), null);
      }
      return fail(guard, e instanceof ArchiveException
          ? Blocked.of(Cause.BackupRefusal.ARCHIVE_INVALID, "the archive failed verification: " + e.getMessage(), null)
          : Blocked.of(Cause.BackupRefusal.DIRECTORY, "writing the backup failed: " + e.getMessage(), null));
    }
    Integer proofExit = null;
    RestoreErrors proofErrors = null;
    if (proofRestore != null) {
      proofExit = proofRestore.waitFor();
      try {
        proofErrors = proofErr.get();
      } catch (ExecutionException e) {
        proofErrors = RestoreErrors.none();
      }
    }
    if (!recipients.isEmpty()) {
      DirectoryArchive.deleteTree(plain); // the proof has read it; nothing of it stays
    }
    if (guard.aborted()) {
      return fail(guard, Cause.BackupRefusal.INTERRUPTED, guard.abortReason(), null);
    }
    ArchiveSummary a = archive.summary();
    DumpPipeline.Outcome outcome = new DumpPipeline.Outcome(dumpExit, dumpStderr, a, null,
        new DumpPipeline.RestoreListing(listExit, listed[0], listed[1], ""), null, archive.plaintextBytes(), null, 0, null,
        null, null, null);
    Optional<Blocked> problem = check(outcome, policy, prepared.expectedTables());
    if (problem.isPresent()) {
      return fail(guard, problem.get());
    }
    ProofResult proofResult = null;
    if (proving != null) {
      try {
        proofResult = prove(proofExit, proofErrors, proving);
      } catch (RestoreProof.Refused r) {
        return fail(guard, proofRefused(r));
      } catch (SQLException e) {
        return fail(guard, Blocked.of(Cause.BackupRefusal.UNREADABLE, "cannot count the source's rows at the dump's snapshot: "
            + e.getMessage(), "SQLSTATE " + e.getSQLState()));
      }
    }
    ArchiveHeader h = a.header();
    BackupEnvelope draft = new BackupEnvelope(dir.path().resolve(finalName), archive.storedBytes(),
        DirectoryArchive.manifestSha256(archive.files(), true), DirectoryArchive.manifestSha256(archive.files(), false),
        archive.plaintextBytes(), "directory", h.archiveVersion(), h.pgDumpVersion(), prepared.server(),
        prepared.database(), a.tocEntries(), a.tableData().size(), recipients.stream().map(Recipient::fingerprint).toList(),
        started, settings.clock().instant(), prepared.systemIdentifier(), prepared.tls(), prepared.anchor(), proofResult,
        archive.files());
    List<String> missing = draft.missingFields();
    if (!missing.isEmpty()) {
      return fail(guard, Blocked.compared(Cause.BackupRefusal.ARCHIVE_INVALID, "the backup envelope is incomplete: "
          + String.join(", ", missing) + " missing", "path, bytes, sha256, format, files, ...", "missing " + missing));
    }
    Optional<Path> committed;
    try {
      for (ArchiveFile f : archive.files()) {
        long onDisk = Files.size(partial.resolve(f.storedName()));
        if (onDisk != f.storedBytes()) {
          return fail(guard, Blocked.compared(Cause.BackupRefusal.ARCHIVE_INVALID, "the file " + f.storedName()
              + " on disk does not have the bytes written", f.storedBytes() + " bytes", onDisk + " bytes"));
        }
      }
      BackupDirectory.syncDirectory(partial);
      beforeCommit.run();
      committed = guard.commit(() -> dir.commit(partial, finalName));
    } catch (IOException e) {
      return fail(guard, Cause.BackupRefusal.DIRECTORY, "cannot move the backup to its final name " + finalName + ": "
          + e.getMessage(), null);
    }
    if (committed.isEmpty()) {
      return fail(guard, Cause.BackupRefusal.INTERRUPTED, guard.abortReason(), null);
    }
    return new BackupResult.Passed(draft);
  }

  /**
   * The restore proof of a dump that passed every other check: pg_restore into the scratch
   * database exited 0, then the restored relations, row counts and catalog baseline equal the
   * source's at the dump's snapshot.
   */
  private ProofResult prove(DumpPipeline.Outcome o, Proving proving) throws RestoreProof.Refused, SQLException {
    return prove(o.proofExit(), o.proofErrors(), proving);
  }

  /**
   * As above. A failed restore is reported with pg_restore's own lines only ({@link RestoreErrors}):
   * the server's message may carry rows the code the restore ran read.
   */
  private ProofResult prove(Integer proofExit, RestoreErrors errors, Proving proving) throws RestoreProof.Refused, SQLException {
    if (proofExit == null || proofExit != 0) {
      RestoreErrors e = errors == null ? RestoreErrors.none() : errors;
      throw new RestoreProof.Refused(Cause.ProofFailure.RESTORE_FAILED, List.of(), "pg_restore into the restore proof's"
          + " database exited " + proofExit + ": " + e.summary(), e.details());
    }
    proving.source().start(); // normally started when pg_dump exited
    beforeProofComparison.accept(proving.proof().connection());
    // the restored side is read while the source's counts finish
    ScopeState restored;
    try {
      restored = proving.proof().readRestored(proving.schemas());
    } finally {
      // nothing more is read from the restored database: it goes while the run compares and
      // commits (the proof's close, before the run ends, waits until it is gone)
      proving.proof().release();
    }
    ScopeState source;
    try {
      source = proving.source().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while counting the source's rows", e);
    }
    return RestoreProof.compare(proving.proof().describe(), source, restored);
  }

  /** Every check of a finished pipeline, in the order an operator would want them reported. */
  private static Optional<Blocked> check(DumpPipeline.Outcome o, BackupPolicy policy, Set<QualifiedName> expected) {
    if (o.writeError() != null) {
      return Optional.of(Blocked.of(Cause.BackupRefusal.DIRECTORY, "writing the backup failed: " + o.writeError(), null));
    }
    if (o.pgDumpExit() != 0) {
      return Optional.of(new Blocked(Cause.BackupRefusal.DUMP_FAILED, "pg_dump exited " + o.pgDumpExit() + ": " + DumpPipeline.firstErrorLine(o.pgDumpStderr()),
          o.pgDumpStderr().strip(), "exit 0", "exit " + o.pgDumpExit(), Optional.empty()));
    }
    if (o.archiveError() != null) {
      return Optional.of(Blocked.of(Cause.BackupRefusal.ARCHIVE_INVALID, "the archive failed verification: " + o.archiveError(), null));
    }
    if (o.restoreError() != null) {
      return Optional.of(Blocked.of(Cause.BackupRefusal.ARCHIVE_INVALID, "the archive's table of contents failed: " + o.restoreError(), null));
    }
    ArchiveSummary a = o.archive();
    if (o.listing().tocEntries() != a.tocEntries() || o.listing().tableDataEntries() != a.tableData().size()) {
      return Optional.of(Blocked.compared(Cause.BackupRefusal.ARCHIVE_INVALID, "pg_restore --list and the archive walk disagree",
          a.tocEntries() + " TOC entries, " + a.tableData().size() + " TABLE DATA",
          o.listing().tocEntries() + " TOC entries, " + o.listing().tableDataEntries() + " TABLE DATA"));
    }
    Set<QualifiedName> actual = new TreeSet<>(a.tableData());
    if (!actual.equals(expected)) {
      Set<QualifiedName> absent = new TreeSet<>(expected);
      absent.removeAll(actual);
      Set<QualifiedName> extra = new TreeSet<>(actual);
      extra.removeAll(expected);
      return Optional.of(new Blocked(Cause.BackupRefusal.ARCHIVE_INVALID, "the archive's TABLE DATA entries do not match the tables in scope",
          (absent.isEmpty() ? "" : "missing from the archive: " + join(absent) + ". ")
              + (extra.isEmpty() ? "" : "not expected: " + join(extra) + "."),
          expected.size() + " tables", actual.size() + " TABLE DATA entries", Optional.empty()));
    }
    if (o.plaintextBytes() < policy.minBytes()) {
      return Optional.of(Blocked.compared(Cause.BackupRefusal.TOO_SMALL, "the dump is smaller than backup.min_bytes",
          ">= " + policy.minBytes() + " bytes", o.plaintextBytes() + " bytes"));
    }
    return Optional.empty();
  }

  private static String join(Set<QualifiedName> names) {
    return names.stream().limit(20).map(QualifiedName::toString).collect(Collectors.joining(", "))
        + (names.size() > 20 ? ", ..." : "");
  }

  private static BackupResult fail(RunGuard guard, Cause.BackupRefusal kind, String reason, String details) {
    return fail(guard, Blocked.of(kind, reason, details));
  }

  private static BackupResult fail(RunGuard guard, Blocked blocked) {
    guard.abort(blocked.details() == null || blocked.details().isBlank() ? blocked.reason()
        : blocked.reason() + "\n" + blocked.details());
    return blocked.quarantinedAt(guard.quarantine().orElse(null));
  }

  /** pg_dump's argv without a snapshot (for tests of the scope arguments). */
  static List<String> dumpCommand(Path pgDump, BackupPolicy policy) {
    return dumpCommand(pgDump, policy, null);
  }

  /**
   * pg_dump's argv: format, scope and the snapshot to import only; the connection and password
   * travel in the environment.
   */
  static List<String> dumpCommand(Path pgDump, BackupPolicy policy, String snapshot) {
    return dumpCommand(List.of(pgDump.toString()), policy, snapshot);
  }

  /** As {@link #dumpCommand(Path, BackupPolicy, String)}, after {@code program} (a path, or a prefix and the program). */
  static List<String> dumpCommand(List<String> program, BackupPolicy policy, String snapshot) {
    return dumpCommand(program, policy, snapshot, null);
  }

  /**
   * As above; {@code directory} (the directory format only) is where pg_dump writes the archive,
   * with {@code --jobs} workers.
   */
  static List<String> dumpCommand(List<String> program, BackupPolicy policy, String snapshot, Path directory) {
    List<String> cmd = new ArrayList<>(program);
    if (directory != null) {
      cmd.addAll(List.of("--format=directory", "--jobs=" + policy.jobs(), "--file=" + directory, "--no-password"));
    } else {
      cmd.addAll(List.of("--format=custom", "--no-password"));
    }
    policy.compression().ifPresent(level -> cmd.add("--compress=" + level));
    if (snapshot != null) {
      cmd.add("--snapshot=" + snapshot);
    }
    if (!policy.wholeDatabase()) {
      cmd.add("--strict-names");
      for (String schema : policy.schemas()) {
        cmd.add("--schema=" + literalPattern(schema));
      }
    }
    return cmd;
  }

  /** A pg_dump name pattern matching exactly {@code name}: double-quoted, so case, dots and wildcards are literal. */
  static String literalPattern(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** {@code base} without any variable libpq reads (every name starting with PG). */
  static Map<String, String> withoutLibpqVariables(Map<String, String> base) {
    Map<String, String> env = new TreeMap<>(base);
    env.keySet().removeIf(k -> k.startsWith("PG"));
    return env;
  }

  /**
   * pg_dump's environment: {@code base} with every libpq variable removed (PGHOSTADDR, PGSERVICE,
   * PGOPTIONS, PGSSL*, PGTARGETSESSIONATTRS, ...), then exactly the endpoint and settings cutter
   * connects with: the host (a socket directory stays one: pg_dump uses the same socket file),
   * port, database, user, the TLS settings in force, the connect timeout, the password. The key's
   * passphrase (sslpassword), which libpq takes from no variable, comes from a private service
   * file ({@code keyPasswordFile}).
   */
  static Map<String, String> childEnvironment(ConnectionSpec conn, Map<String, String> base, Optional<Path> keyPasswordFile) {
    Map<String, String> env = withoutLibpqVariables(base);
    env.put("PGHOST", conn.host());
    env.put("PGPORT", String.valueOf(conn.port()));
    env.put("PGDATABASE", conn.database());
    env.put("PGUSER", conn.user());
    env.put("PGAPPNAME", "cutter pg_dump");
    Tls tls = conn.tls();
    env.put("PGSSLMODE", tls.effectiveMode().libpqName());
    tls.rootCert().ifPresent(f -> env.put("PGSSLROOTCERT", f.toString()));
    tls.cert().ifPresent(f -> env.put("PGSSLCERT", f.toString()));
    tls.key().ifPresent(f -> env.put("PGSSLKEY", f.toString()));
    tls.crl().ifPresent(f -> env.put("PGSSLCRL", f.toString()));
    env.put("PGGSSENCMODE", "disable");
    if (conn.connectTimeoutSeconds() > 0) {
      env.put("PGCONNECT_TIMEOUT", String.valueOf(conn.connectTimeoutSeconds()));
    }
    String passFile = base.get("PGPASSFILE");
    if (passFile != null && conn.password().isEmpty()) {
      env.put("PGPASSFILE", passFile); // the file cutter itself read; libpq's default otherwise
    }
    conn.password().ifPresent(p -> env.put("PGPASSWORD", p.value()));
    keyPasswordFile.ifPresent(f -> {
      env.put("PGSERVICEFILE", f.toString());
      env.put("PGSERVICE", KeyPasswordFile.SERVICE);
    });
    return env;
  }

  /** {@code encrypt_to} expanded and every recipient resolved, or the unset variable. */
  private Keys keys(BackupPolicy policy) {
    List<String> fingerprints;
    try {
      fingerprints = RecipientKeys.expand(policy.encryptTo(), settings.environment());
    } catch (UnsetVariableException e) {
      return new Keys(List.of(), e);
    }
    return new Keys(fingerprints.isEmpty() ? List.of() : RecipientKeys.resolve(fingerprints, policy.recipientKeys(),
        settings.environment(), Date.from(settings.clock().instant())), null);
  }

  /**
   * Readiness of P2 without dumping, one item per line: pg_dump found and new enough, pg_restore
   * found, the directory writable with room, every recipient key usable, and the backup role able
   * to read everything in scope.
   */
  public List<ReadinessItem> selftest(ConnectionSpec backupConn, BackupPolicy policy) {
    List<ReadinessItem> items = new ArrayList<>();
    ClientTools tools = settings.clientTools();
    Optional<ToolVersion> dumpVersion = Optional.empty();
    Optional<ClientTools.Program> pgDump = tools.find("pg_dump");
    String via = tools.via().map(v -> " (prefix from " + v.source() + ")").orElse("");
    if (pgDump.isEmpty()) {
      items.add(ReadinessItem.fail("pg_dump found", "no pg_dump " + tools.searched()));
    } else if (othersMayChange(tools, pgDump.get()).isPresent()) {
      items.add(ReadinessItem.fail("pg_dump found", othersMayChange(tools, pgDump.get()).get()));
    } else {
      try {
        dumpVersion = Optional.of(tools.version(pgDump.get(), settings.environment()));
        items.add(ReadinessItem.pass("pg_dump found", pgDump.get().display() + " (" + dumpVersion.get().text() + ")" + via));
      } catch (IOException e) {
        items.add(ReadinessItem.fail("pg_dump found", e.getMessage()));
      }
    }
    Optional<ClientTools.Program> pgRestore = tools.find("pg_restore");
    if (pgRestore.isEmpty()) {
      items.add(ReadinessItem.fail("pg_restore found", "no pg_restore " + tools.searched()));
    } else if (othersMayChange(tools, pgRestore.get()).isPresent()) {
      items.add(ReadinessItem.fail("pg_restore found", othersMayChange(tools, pgRestore.get()).get()));
    } else if (tools.via().isEmpty()) {
      items.add(ReadinessItem.pass("pg_restore found", pgRestore.get().display()));
    } else {
      try {
        ToolVersion v = tools.version(pgRestore.get(), settings.environment());
        items.add(ReadinessItem.pass("pg_restore found", pgRestore.get().display() + " (" + v.text() + ")" + via));
      } catch (IOException e) {
        items.add(ReadinessItem.fail("pg_restore found", e.getMessage()));
      }
    }
    if (policy.format() == BackupPolicy.Format.DIRECTORY) {
      items.add(tools.via().isPresent()
          ? ReadinessItem.fail("backup format", "directory cannot be written through the pg_dump prefix "
              + tools.via().get().display() + "; use format custom there, or run pg_dump on this host")
          : ReadinessItem.pass("backup format", "directory, " + policy.jobs() + " pg_dump " + (policy.jobs() == 1 ? "worker" : "workers")));
    }
    long estimate = -1;
    try (ScopeCatalog catalog = ScopeCatalog.open(backupConn, policy)) {
      int serverMajor = catalog.serverVersionNum() / 10000;
      String server = catalog.serverVersion();
      if (dumpVersion.isPresent()) {
        int m = dumpVersion.get().major();
        items.add(m >= serverMajor
            ? ReadinessItem.pass("pg_dump new enough", "pg_dump " + m + " for server " + server)
            : ReadinessItem.fail("pg_dump new enough", "pg_dump " + m + " is older than server " + server
                + "; use pg_dump " + serverMajor + " or newer"));
      }
      List<String> missing = catalog.missingSchemas();
      items.add(missing.isEmpty()
          ? ReadinessItem.pass("scope exists", policy.wholeDatabase() ? "whole database " + catalog.database()
              : "schemas " + String.join(", ", policy.schemas()))
          : ReadinessItem.fail("scope exists", "missing schemas: " + String.join(", ", missing)));
      List<String> noUsage = catalog.schemasWithoutUsage();
      items.add(noUsage.isEmpty()
          ? ReadinessItem.pass("USAGE on schemas", backupConn.user() + " has USAGE on " + catalog.schemaCount() + " schemas")
          : ReadinessItem.fail("USAGE on schemas", backupConn.user() + " lacks USAGE on " + String.join(", ", noUsage)));
      items.add(readable("SELECT on tables", backupConn.user(), catalog.unreadable(false), "tables"));
      items.add(readable("SELECT on sequences", backupConn.user(), catalog.unreadable(true), "sequences"));
      estimate = catalog.estimatedBytes();
    } catch (SQLException e) {
      items.add(ReadinessItem.fail("catalog readable", "cannot connect or query as " + backupConn.user() + ": "
          + e.getMessage()));
    }
    items.add(directoryItem(policy, estimate));
    if (policy.encryptTo().isEmpty()) {
      items.add(ReadinessItem.pass("encryption", "not requested (backup.encrypt_to is empty)"));
    } else {
      Keys keys = keys(policy);
      if (keys.unset() != null) {
        items.add(ReadinessItem.fail("encrypt_to", keys.unset().getMessage()));
      }
      for (Recipient r : keys.recipients()) {
        items.add(r.usable()
            ? ReadinessItem.pass("recipient key " + r.fingerprint(), "encrypts to " + r.encryptionKeyFingerprint()
                + " (from " + r.source() + ")")
            : ReadinessItem.fail("recipient key " + r.fingerprint(), r.problem()));
      }
    }
    return items;
  }

  private static ReadinessItem readable(String check, String role, ScopeCatalog.Unreadable u, String what) {
    if (u.names().isEmpty()) {
      return ReadinessItem.pass(check, role + " can read all " + u.checked() + " " + what + " in scope");
    }
    String names = u.names().stream().limit(20).collect(Collectors.joining(", "))
        + (u.names().size() > 20 ? ", ..." : "");
    return ReadinessItem.fail(check, role + " cannot read " + u.names().size() + " of " + u.checked() + " " + what + ": "
        + names);
  }

  private static ReadinessItem directoryItem(BackupPolicy policy, long estimate) {
    Path dir = policy.dir();
    if (dir == null) {
      return ReadinessItem.fail("backup directory", "backup.dir is not set");
    }
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
      return ReadinessItem.fail("backup directory", dir + " is not writable (nearest existing: " + existing + ")");
    }
    if (existing.equals(dir.toAbsolutePath())) {
      try {
        BackupDirectory.requirePrivate(dir);
      } catch (BackupDirectory.UnsafeException e) {
        return ReadinessItem.fail("backup directory", e.getMessage() + "; " + e.remedy(dir));
      } catch (IOException e) {
        return ReadinessItem.fail("backup directory", "cannot read the owner and mode of " + dir + ": " + e.getMessage());
      }
      try {
        Path probe = Files.createTempFile(dir, ".cutter-selftest", ".tmp");
        Files.delete(probe);
      } catch (IOException e) {
        return ReadinessItem.fail("backup directory", "cannot create a file in " + dir + ": " + e.getMessage());
      }
    }
    try {
      long free = Files.getFileStore(existing).getUsableSpace();
      long needed = Math.max(estimate, policy.minBytes());
      String where = existing.equals(dir.toAbsolutePath()) ? dir.toString() : dir + " (will be created, mode 0700)";
      return free >= needed
          ? ReadinessItem.pass("backup directory", where + " writable, " + free + " bytes free (need about " + needed + ")")
          : ReadinessItem.fail("backup directory", where + " has " + free + " bytes free, needs about " + needed);
    } catch (IOException e) {
      return ReadinessItem.fail("backup directory", "cannot read free space of " + existing + ": " + e.getMessage());
    }
  }
}
