package dev.cutter.backup;

import dev.cutter.core.cause.Cause.ProofFailure;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.ServerVersion;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.db.Sql;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The restore proof's scratch side: a database with a unique name on a scratch server of the
 * source's major, pg_restore's argv and environment for it (the archive arrives on stdin, straight
 * from the dump: no byte of it reaches the disk on the way), the comparison with the source's
 * state at the dump's snapshot, and the drop of the database, which {@link #close} always does.
 */
final class RestoreProof implements AutoCloseable {

  /** Why the proof does not hold, as data ({@code kind}) and for people ({@code reason}, {@code details}). */
  static final class Refused extends Exception {
    final ProofFailure kind;
    final List<String> tables;
    final String details;

    Refused(ProofFailure kind, List<String> tables, String reason, String details) {
      super(reason);
      this.kind = kind;
      this.tables = List.copyOf(tables);
      this.details = details;
    }
  }

  private final ScratchServer server;
  private final String name;
  private final long lockSlots;
  private final int major;
  private final String version;
  /** The role pg_restore logs in as when the admin may act on the server's host; null: the admin itself. */
  private final ConnectionSpec restorer;
  private boolean closed;
  private Thread cleanUp;

  private RestoreProof(ScratchServer server, String name, long lockSlots, int major, String version,
      ConnectionSpec restorer) {
    this.server = server;
    this.name = name;
    this.lockSlots = lockSlots;
    this.major = major;
    this.version = version;
    this.restorer = restorer;
  }

  /**
   * Starts or reaches the scratch server, checks that it runs {@code sourceMajor}, and creates the
   * proof's database (from template0, with a name no other run uses, no privilege for PUBLIC: only
   * the admin and superusers connect to it).
   */
  static RestoreProof open(Supplier<ScratchServer> scratch, int sourceMajor, String runId) throws Refused {
    return open(scratch, sourceMajor, runId, 1);
  }

  /** As above for a restore of {@code jobs} jobs, which may build that many indexes at once ({@link #indexMemory}). */
  static RestoreProof open(Supplier<ScratchServer> scratch, int sourceMajor, String runId, int jobs) throws Refused {
    return create(scratch, OptionalInt.of(sourceMajor), runId, jobs);
  }

  /**
   * As {@link #open(Supplier, int, String, int)} before the source's major is known (the proof's
   * database is made while the identity gate and the catalog reading run): the scratch server's
   * major is read here and {@link #requireMajor} refuses another one, before anything is dumped.
   */
  static RestoreProof create(Supplier<ScratchServer> scratch, String runId, int jobs) throws Refused {
    return create(scratch, OptionalInt.empty(), runId, jobs);
  }

  private static RestoreProof create(Supplier<ScratchServer> scratch, OptionalInt sourceMajor, String runId, int jobs)
      throws Refused {
    ScratchServer server;
    try {
      server = scratch.get();
    } catch (RuntimeException e) {
      throw new Refused(ProofFailure.SCRATCH_REFUSED, List.of(), "no scratch server for the restore proof: "
          + oneLine(e.getMessage()), null);
    }
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    String name = "cutter_proof_" + runId.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + HexFormat.of().formatHex(random);
    long slots;
    int major;
    String version;
    boolean created = false;
    ConnectionSpec restorer = null;
    // the catalog's names only: the admin's URL may name a database whose owner (apply_role, when it
    // is the target's) gave it a search_path with functions of its own first, to be run as the admin
    try (Connection c = Connections.openCatalog(server.admin(), "cutter restore proof"); Statement st = c.createStatement()) {
      ServerVersion v = ServerVersion.of(c);
      major = v.major();
      version = v.text();
      if (sourceMajor.isPresent() && major != sourceMajor.getAsInt()) {
        throw otherMajor(server, sourceMajor.getAsInt(), version);
      }
      // the server's lock table, read before anything is created (whether a restore fits in one transaction)
      try (var rs = st.executeQuery("select current_setting('max_locks_per_transaction')::bigint"
          + " * (current_setting('max_connections')::bigint + current_setting('max_prepared_transactions')::bigint)")) {
        rs.next();
        slots = rs.getLong(1);
      }
      // a new database lets PUBLIC connect: on an operator's server every other login could then read
      // the restored catalog (function bodies, names, reltuples) and keep a session cutter may not end;
      // connections are opened only once PUBLIC's privileges are gone
      try (var rs = st.executeQuery("select r.rolsuper or r.rolcreaterole from pg_catalog.pg_roles r"
          + " where r.rolname = current_user")) {
        if (!(rs.next() && rs.getBoolean(1))) {
          throw new Refused(ProofFailure.SCRATCH_REFUSED, List.of(), "the restore proof restores as a role of its own,"
              + " so that code the restore runs (a CHECK function, an index expression) acts as nobody else; "
              + server.admin().user() + " on " + server.describe() + " cannot create roles: name an admin with"
              + " CREATEROLE and CREATEDB, or leave out --restore-into for the embedded scratch", null);
        }
      }
      st.execute("create database " + Sql.ident(name) + " template template0 allow_connections false");
      created = true;
      st.execute("revoke all on database " + Sql.ident(name) + " from public");
      restorer = restorer(c, st, server.admin(), name);
      st.execute("alter database " + Sql.ident(name) + " allow_connections true");
      if (restorer != null) {
        publicSchemaFor(server.admin().withDatabase(name), name);
      }
      quickCommits(st, name);
      indexMemory(st, name, jobs);
    } catch (SQLException | RuntimeException e) {
      if (created) {
        // the database created before the failure goes too, with the proof's role if one was made
        new RestoreProof(server, name, 0, 0, null, restorer).close();
      } else {
        server.close();
      }
      throw new Refused(ProofFailure.SCRATCH_REFUSED, List.of(), "cannot create the restore proof's database on "
          + server.describe() + ": " + (e instanceof SQLException s ? DbErrors.oneLine(s) : oneLine(e.getMessage())), null);
    } catch (Refused r) {
      server.close();
      throw r;
    }
    return new RestoreProof(server, name, slots, major, version, restorer);
  }

  /**
   * Refuses a scratch server whose major is not the source's, in one line, dropping the proof's
   * database first (nothing has been dumped or restored yet).
   */
  void requireMajor(int sourceMajor) throws Refused {
    if (major != sourceMajor) {
      close();
      throw otherMajor(server, sourceMajor, version);
    }
  }

  private static Refused otherMajor(ScratchServer server, int sourceMajor, String version) {
    return new Refused(ProofFailure.SCRATCH_REFUSED, List.of(), "the restore proof needs a scratch server of the source's"
        + " major (PostgreSQL " + sourceMajor + "); " + server.describe() + " runs PostgreSQL " + version, null);
  }

  /**
   * The restore runs the source's code: a CHECK constraint's function for every row, an index
   * expression's for every entry, whoever owned them on the source (apply_role may have planted
   * them). Run by the admin, such a function would act as the admin on the scratch server: as a
   * superuser on its host ({@code COPY … TO PROGRAM}), with CREATEROLE over other roles, or, with
   * no attribute at all, still as the admin's own login (a password the package's author chose).
   * So pg_restore always logs in as a role made for this proof (named as the database, a password
   * made for it, no attribute, CONNECT, CREATE and TEMPORARY on the proof's database and CREATE
   * on its {@code public}, nothing else), dropped with the database. An admin that cannot create
   * roles is refused before anything is made.
   */
  private static ConnectionSpec restorer(Connection c, Statement st, ConnectionSpec admin, String name) throws SQLException {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    ConnectionSpec.Secret password = new ConnectionSpec.Secret(HexFormat.of().formatHex(random));
    st.execute("create role " + Sql.ident(name) + " login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls");
    try {
      // hashed here: the clear text never reaches the server (nor its statement log)
      c.unwrap(org.postgresql.PGConnection.class).alterUserPassword(name, password.value().toCharArray(), "scram-sha-256");
      // what a restore takes, not the database itself: as its owner, the code the restore runs could
      // give CONNECT back to PUBLIC or set the defaults of the comparison's session
      st.execute("grant connect, create, temporary on database " + Sql.ident(name) + " to " + Sql.ident(name));
      // the admin ends the role's sessions when it drops the database (with force): a non-superuser
      // may only end sessions of roles whose privileges it has; the role gains nothing of the admin's
      st.execute("grant " + Sql.ident(name) + " to current_user");
    } catch (SQLException | RuntimeException e) {
      st.execute("revoke all on database " + Sql.ident(name) + " from " + Sql.ident(name)); // so that the role can go
      st.execute("drop role " + Sql.ident(name));
      throw e;
    }
    return admin.as(name, Optional.of(password));
  }

  /**
   * Lets the proof's own role create in {@code public}, which a database made from template0 holds
   * already and where only its owner may create: a whole database's dump restores its tables there.
   * Granted in the proof's database only, by the admin, on a session that names the catalog only.
   */
  private static void publicSchemaFor(ConnectionSpec proofDatabase, String role) throws SQLException {
    try (Connection p = Connections.openCatalog(proofDatabase, "cutter restore proof"); Statement st = p.createStatement()) {
      boolean present;
      try (var rs = st.executeQuery("select exists (select from pg_catalog.pg_namespace where nspname = 'public')")) {
        present = rs.next() && rs.getBoolean(1);
      }
      if (present) {
        st.execute("grant usage, create on schema public to " + Sql.ident(role));
      }
    }
  }

  /**
   * The restore's sessions commit without waiting for their WAL to reach the disk: the database is
   * dropped after the proof, and the setting binds only new sessions of this database, not the
   * server's other work. Its creator owns it; should a server refuse the setting anyway, the proof
   * runs without it (it changes how fast commits return, not what is restored).
   */
  private static void quickCommits(Statement st, String name) {
    try {
      st.execute("alter database " + Sql.ident(name) + " set synchronous_commit = off");
    } catch (SQLException e) {
      // a slower restore, the same proof
    }
  }

  /** The most memory the proof's own index builds are given: an integer primary key of about 13 million rows sorts in it. */
  static final long INDEX_MEMORY_CAP = 1L << 30;

  /**
   * The proof's index builds (pg_restore's post-data: primary keys, indexes) sort in memory rather
   * than on disk: its database gets {@code maintenance_work_mem} of a quarter of the server's
   * {@code effective_cache_size} (the operator's own figure for the memory the server's host
   * caches for it), never more than its {@code shared_buffers} (which the operator sized for this
   * host: an untuned server keeps the 4 GB default cache figure on any host, however small) and at
   * most {@link #INDEX_MEMORY_CAP}, shared between the restore's {@code jobs}
   * (each may build an index at the same time), never less than the server already gives. Like
   * {@link #quickCommits} it binds only the proof's database's new sessions and goes with it.
   */
  private static void indexMemory(Statement st, String name, int jobs) {
    try {
      long mb;
      try (var rs = st.executeQuery("select pg_catalog.pg_size_bytes(pg_catalog.current_setting('maintenance_work_mem')),"
          + " pg_catalog.pg_size_bytes(pg_catalog.current_setting('effective_cache_size')),"
          + " pg_catalog.pg_size_bytes(pg_catalog.current_setting('shared_buffers'))")) {
        rs.next();
        mb = indexMemoryMb(rs.getLong(1), rs.getLong(2), rs.getLong(3), jobs);
      }
      if (mb > 0) {
        st.execute("alter database " + Sql.ident(name) + " set maintenance_work_mem = '" + mb + "MB'");
      }
    } catch (SQLException e) {
      // slower index builds, the same proof
    }
  }

  /**
   * The proof's {@code maintenance_work_mem} in MB from the server's (bytes), or 0 when the server's
   * is already at least as large: a quarter of {@code effectiveCacheBytes}, at most
   * {@code sharedBuffersBytes} and {@link #INDEX_MEMORY_CAP}, divided by {@code jobs}.
   */
  static long indexMemoryMb(long serverBytes, long effectiveCacheBytes, long sharedBuffersBytes, int jobs) {
    long whole = Math.min(INDEX_MEMORY_CAP, Math.min(Math.max(0, effectiveCacheBytes) / 4, Math.max(0, sharedBuffersBytes)));
    long mb = (whole / Math.max(1, jobs)) >> 20;
    return mb << 20 > serverBytes ? mb : 0;
  }

  String database() {
    return name;
  }

  String describe() {
    return server.describe();
  }

  ConnectionSpec connection() {
    return (restorer == null ? server.admin() : restorer).withDatabase(name);
  }

  /**
   * pg_restore's argv: stdin into the proof's database, no owners or privileges (the scratch
   * server has not the source's roles), stopping at the first error. The connection travels in
   * the environment ({@link #environment}); the database name is cutter's own.
   */
  List<String> command(List<String> pgRestore) {
    return command(pgRestore, 1, 0);
  }

  /**
   * As above for a restore of {@code jobs} jobs of about {@code relations} relations. Into a
   * disposable server (the embedded one, run with {@code wal_level = minimal}) a single-job
   * restore runs in one transaction: each table is then created, loaded and indexed in the
   * transaction that created it, so its COPY and its index builds write no WAL. That transaction
   * locks every relation it creates until its end, so it is asked for only when they take at most
   * half of the server's lock table. Into an operator's server never: its lock table is shared
   * with its other work.
   */
  List<String> command(List<String> pgRestore, int jobs, long relations) {
    List<String> argv = new java.util.ArrayList<>(pgRestore);
    argv.addAll(List.of("--no-owner", "--no-privileges", "--exit-on-error", "--no-password", "--dbname=" + name));
    if (server.disposable() && jobs <= 1 && relations <= lockSlots / 2) {
      argv.add("--single-transaction");
    }
    return List.copyOf(argv);
  }

  /** The environment of pg_dump's kind for the scratch server: its password travels here, never in argv. */
  Map<String, String> environment(Map<String, String> base) {
    Map<String, String> env = BackupGate.childEnvironment(connection(), base, Optional.empty());
    env.put("PGAPPNAME", "cutter restore proof");
    return env;
  }

  /** Reads the restored state, to be compared with the source's ({@link #compare(String, ScopeState, ScopeState)}). */
  ScopeState readRestored(List<String> schemas) throws Refused {
    try (Connection c = Connections.open(connection(), "cutter restore proof")) {
      // the restore ran the source's code as the database's owner, which may give the database (or
      // the role) a search_path that puts a schema of its own first: its count would answer here
      Connections.pinSearchPath(c);
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      ScopeState restored = ScopeState.read(c, schemas);
      c.rollback();
      return restored;
    } catch (SQLException e) {
      // the restored side's message (a relation's name, a raised text, even its SQLSTATE) may be
      // made by the code the restore ran from rows it read: none of it is reported
      throw new Refused(ProofFailure.RESTORE_FAILED, List.of(), "cannot read the restored database; "
          + RestoreErrors.WITHHELD, null);
    }
  }

  /**
   * The comparison itself: relations, then row counts, then the catalog baseline (without owners
   * and ACLs). Only the source's side is named: what is on the restored side alone, or differs
   * there, may have been made by the code the restore ran from rows it read (a table, a column, a
   * default named after a value), so it is counted by kind, never named or quoted
   * ({@link ProofDifferences}). Row counts are numbers and reported as such.
   */
  static ProofResult compare(String scratch, ScopeState source, ScopeState restored) throws Refused {
    List<String> differences = new ArrayList<>();
    Set<String> named = new TreeSet<>();
    ProofFailure first = null;
    for (String r : source.relations()) {
      if (!restored.relations().contains(r)) {
        differences.add("missing from the restore: " + r);
        named.add(r.substring(0, r.lastIndexOf(' ')));
      }
    }
    ProofDifferences.restoredOnlyRelations(source.relations(), restored.relations()).ifPresent(differences::add);
    if (!differences.isEmpty()) {
      first = ProofFailure.RELATIONS_DIFFER;
    }
    for (Map.Entry<String, Long> e : source.rowCounts().entrySet()) {
      Long got = restored.rowCounts().get(e.getKey());
      if (got != null && !got.equals(e.getValue())) {
        differences.add("rows of " + e.getKey() + ": " + e.getValue() + " in the source at the dump's snapshot, " + got
            + " restored");
        named.add(e.getKey());
        first = first == null ? ProofFailure.ROWS_DIFFER : first;
      }
    }
    List<String> catalog = ProofDifferences.catalog(source.withoutOwnership(), restored.withoutOwnership());
    if (!catalog.isEmpty() && first == null) {
      first = ProofFailure.CATALOG_DIFFERS;
    }
    catalog.forEach(d -> differences.add("catalog: " + d));
    if (first != null) {
      throw new Refused(first, new ArrayList<>(named), "the restore proof found " + differences.size()
          + (differences.size() == 1 ? " difference" : " differences") + " between the restored backup and the source"
          + (named.isEmpty() ? "" : " (" + String.join(", ", named.stream().limit(10).toList()) + (named.size() > 10 ? ", ..." : "") + ")"),
          String.join("\n", differences));
    }
    return new ProofResult(scratch, source.relations().size(), source.rowCounts().size(), source.totalRows(), List.of());
  }

  /**
   * Starts the clean-up of {@link #close} on its own thread, once the proof has read everything it
   * needs from the restored database: the drop (or the disposable server's stop and deletion) then
   * runs while the run compares, writes the envelope and commits the backup. {@link #close} still
   * waits for it, so the run never ends before the database is gone.
   */
  synchronized void release() {
    if (closed || cleanUp != null) {
      return;
    }
    Thread t = new Thread(this::dropAndStop, "cutter restore proof clean-up");
    cleanUp = t;
    t.start();
  }

  /**
   * Drops the proof's database (whatever it holds, whoever is connected) and stops a server started
   * for it; a disposable server is stopped without the drop, its data directory goes with it. Once:
   * later calls do nothing but wait until it is done (the run's close and the hook of a SIGTERM may
   * both come, and {@link #release} may have started it already). Returns only once the database is
   * gone; an interrupt does not shorten the wait (it is kept for the caller).
   */
  @Override
  public void close() {
    Thread running;
    synchronized (this) {
      running = cleanUp;
    }
    if (running == null) {
      dropAndStop();
      return;
    }
    boolean interrupted = false;
    while (running.isAlive()) {
      try {
        running.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void dropAndStop() {
    if (closed) {
      return; // once: by the run, or by its signal hook while the run still goes on
    }
    closed = true;
    if (server.disposable()) {
      server.close();
      return;
    }
    try (Connection c = Connections.openCatalog(server.admin(), "cutter restore proof cleanup"); Statement st = c.createStatement()) {
      st.execute("drop database if exists " + Sql.ident(name) + " with (force)");
      if (restorer != null) {
        st.execute("drop role if exists " + Sql.ident(restorer.user()));
      }
    } catch (SQLException | RuntimeException e) {
      // a leftover cutter_proof_ database or role is visible by its name; the server may be gone already
    } finally {
      server.close();
    }
  }

  private static String oneLine(String s) {
    return s == null ? "(no message)" : s.replaceAll("\\s+", " ").trim();
  }
}
