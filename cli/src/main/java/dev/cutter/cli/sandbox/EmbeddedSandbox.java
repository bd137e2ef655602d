package dev.cutter.cli.sandbox;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.ServerVersion;
import dev.cutter.core.db.Sql;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;

/** The default sandbox: a real PostgreSQL started from binaries inside cutter's jar; nothing to install. */
public final class EmbeddedSandbox implements SandboxServer {

  /** A running server: the bundled one through the embedded library, or the host's ({@link HostServer}). */
  interface Running extends java.io.Closeable {
    int port();

    /** The superuser's password from the server's first moment ({@link ClusterPassword}). */
    Secret password();
  }

  /**
   * The one address the server listens on and its clients (cutter, pg_restore) connect to: not
   * {@code localhost}, which may also name {@code ::1}, where a server that could not bind
   * {@code 127.0.0.1} (another local user listening there first) would still start, and a client
   * going to {@code 127.0.0.1} would talk to that user instead (a password asked in clear, a copy of
   * production). Taken first, the address fails the start.
   */
  static final String LOOPBACK = "127.0.0.1";

  private final Running pg;
  private final String database;
  private final int major;
  private final String version;
  private final Secret password;
  private final Optional<Path> ownData;
  private final Optional<ScratchBinaries> binaries;

  private EmbeddedSandbox(Running pg, String database, int major, String version, Secret password,
      Optional<Path> ownData, Optional<ScratchBinaries> binaries) {
    this.pg = pg;
    this.binaries = binaries;
    this.ownData = ownData;
    this.database = database;
    this.major = major;
    this.version = version;
    this.password = password;
  }

  /**
   * The restore proof's server settings, on top of the sandbox's: the server and its data are
   * thrown away after one restore, so nothing is kept for crash recovery or replicas.
   * {@code wal_level = minimal} (which needs {@code max_wal_senders = 0}) lets a table created and
   * loaded in one transaction skip the WAL for its COPY and its index builds; checkpoints wait
   * (large {@code max_wal_size}, long {@code checkpoint_timeout}); autovacuum would analyse the
   * fresh tables beside the restore; index builds sort in memory ({@link #restoreIndexMemoryMb},
   * added by {@link #startForRestore}); and the lock table
   * holds about 100,000 relations, so that a restore in one transaction fits (a few tens of MB of
   * shared memory; the proof needs a handful of sessions, not the default 100).
   */
  static final Map<String, String> RESTORE_SETTINGS = Map.of(
      "wal_level", "minimal",
      "max_wal_senders", "0",
      "max_wal_size", "8GB",
      "checkpoint_timeout", "1h",
      "autovacuum", "off",
      "max_connections", "40",
      "max_locks_per_transaction", "2048");

  /** Starts the bundled server; {@code wantedMajor} (0 = any) must be the bundled major. */
  public static EmbeddedSandbox start(String database, int wantedMajor) {
    return start(database, wantedMajor, Map.of());
  }

  /**
   * Starts the server for one restore (the restore proof's scratch), see {@link #RESTORE_SETTINGS}:
   * from the host's own server binaries of the bundled major when {@link ScratchBinaries} chooses
   * them, else from the bundled ones.
   */
  public static EmbeddedSandbox startForRestore() {
    return startForRestore(Optional.of(ScratchTemplate.userCache(System.getenv())), ScratchBinaries.forThisHost());
  }

  /** As above with the bundled binaries. */
  static EmbeddedSandbox startForRestore(Optional<Path> cache) {
    return startForRestore(cache, ScratchBinaries.bundled());
  }

  /**
   * As above with {@code binaries} (empty: the bundled ones without a template, as on a jar
   * without their archive); its data directory is a copy of their cluster template under
   * {@code cache} (made there at the first proof, see {@link ScratchTemplate}) instead of a fresh
   * initdb, when there is one safe to use. The host's binaries failing to start give way to the
   * bundled ones.
   */
  static EmbeddedSandbox startForRestore(Optional<Path> cache, Optional<ScratchBinaries> binaries) {
    Map<String, String> settings = new java.util.HashMap<>(RESTORE_SETTINGS);
    settings.put("maintenance_work_mem", restoreIndexMemoryMb(memTotalKb()) + "MB");
    if (binaries.flatMap(ScratchBinaries::hostBin).isPresent()) {
      try {
        return startForRestore(cache, binaries.get(), settings);
      } catch (CutterException e) {
        binaries = ScratchBinaries.bundled();
      }
    }
    if (binaries.isEmpty()) {
      return start("postgres", 0, settings, Optional.empty(), binaries);
    }
    return startForRestore(cache, binaries.get(), settings);
  }

  private static EmbeddedSandbox startForRestore(Optional<Path> cache, ScratchBinaries binaries, Map<String, String> settings) {
    Optional<Path> data = cache.flatMap(c -> ScratchTemplate.under(c, System.getenv(), binaries))
        .flatMap(t -> t.copyForOneServer(dir -> makeTemplate(binaries, dir)));
    Optional<ScratchBinaries> b = Optional.of(binaries);
    if (data.isPresent()) {
      try {
        return start("postgres", 0, settings, data, b);
      } catch (CutterException e) {
        // a template this host no longer starts (its limits changed since initdb sized it): initdb as before
      }
    }
    return start("postgres", 0, settings, Optional.empty(), b);
  }

  /**
   * A template's copy whose server did not start in time: deleted now when no server runs in it,
   * else once the embedded server's own shutdown hook has stopped that server at the JVM's exit.
   */
  private static void deleteAfterFailedStart(Path copy) {
    if (!Files.exists(copy.resolve("postmaster.pid"))) {
      ScratchTemplate.deleteTree(copy);
      return;
    }
    Runtime.getRuntime().addShutdownHook(deletion(copy));
  }

  /** A thread that deletes {@code copy} once no server runs in it (the embedded server's own shutdown hook stops it). */
  private static Thread deletion(Path copy) {
    return new Thread(() -> {
      awaitServerGone(copy);
      ScratchTemplate.deleteTree(copy);
    }, "cutter embedded scratch deletion");
  }

  /** Waits (at most 30 s) until no server runs in {@code data}: its lock file is removed at its exit. */
  private static void awaitServerGone(Path data) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (Files.exists(data.resolve("postmaster.pid")) && System.nanoTime() < until) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The binaries' initdb into {@code dir}, then one start and a clean shutdown: a complete cluster to copy. */
  static void makeTemplate(ScratchBinaries binaries, Path dir) {
    try {
      if (binaries.hostBin().isPresent()) {
        HostServer.start(binaries.hostBin().get(), dir, false, Map.of(), Duration.ofSeconds(60)).close();
        return;
      }
      ClusterPassword pw = ClusterPassword.forInitdb();
      Path made = null;
      try {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
            .setOverrideWorkingDirectory(unpackedBinaries().toFile()).setDataDirectory(dir).setCleanDataDirectory(false);
        withPassword(builder, pw);
        builder.start().close();
        made = dir;
      } finally {
        pw.keepIn(made);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The scratch's {@code maintenance_work_mem} in MB for a host of {@code memTotalKb} (0: unknown):
   * an eighth of its memory, at least 256 MB, at most 1 GB (an integer primary key of about 13
   * million rows sorts in it). The server runs on this host for one restore, whose single job
   * builds one index at a time.
   */
  public static long restoreIndexMemoryMb(long memTotalKb) {
    return Math.max(256, Math.min(1024, memTotalKb / 8 / 1024));
  }

  /** MemTotal of /proc/meminfo in kB, 0 when it cannot be read (then the floor of {@link #restoreIndexMemoryMb}). */
  private static long memTotalKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the floor
    }
    return 0;
  }

  private static EmbeddedSandbox start(String database, int wantedMajor, Map<String, String> settings) {
    return start(database, wantedMajor, settings, Optional.empty(), Optional.empty());
  }

  /**
   * {@code data}: a data directory ready to start (a template's copy), deleted with the server;
   * empty: initdb. {@code binaries}: the restore scratch's (the report names them), empty for the
   * dry-run's sandbox (the bundled ones).
   */
  private static EmbeddedSandbox start(String database, int wantedMajor, Map<String, String> settings, Optional<Path> data,
      Optional<ScratchBinaries> binaries) {
    Running pg;
    Optional<Path> host = binaries.flatMap(ScratchBinaries::hostBin);
    try {
      if (host.isPresent()) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.putAll(Map.of("synchronous_commit", "off", "full_page_writes", "off", "timezone", "UTC"));
        Path dir = data.isPresent() ? data.get() : Files.createTempDirectory("epg");
        // the server deletes its data directory when it stops, also at a SIGTERM: a template's copy
        // holds the restored rows (in its WAL too once the proof's database is dropped)
        pg = HostServer.start(host.get(), dir, true, all, Duration.ofSeconds(data.isPresent() ? 20 : 60));
      } else {
        pg = bundled(settings, data);
      }
    } catch (IOException | RuntimeException e) {
      data.ifPresent(EmbeddedSandbox::deleteAfterFailedStart);
      boolean root = "root".equals(System.getProperty("user.name"));
      throw new CutterException(ExitCodes.INTERNAL, "the embedded sandbox could not start: " + rootCause(e)
          + (root ? " (as root this needs user namespaces; run as a normal user or use --sandbox URL)" : ""), e);
    }
    try (Connection c = connect(pg.port(), pg.password()); Statement st = c.createStatement()) {
      ServerVersion v = ServerVersion.of(c);
      int major = v.major();
      String version = v.text();
      if (wantedMajor != 0 && wantedMajor != major) {
        close(pg, data);
        throw CutterException.invalid("--pg-version " + wantedMajor + ": the embedded sandbox bundles PostgreSQL " + major
            + "; use --sandbox testcontainers or --sandbox URL for another major");
      }
      if (!database.equals("postgres")) {
        st.execute("create database " + Sql.ident(database));
      }
      Secret pw = requirePasswords(c);
      awaitPasswords(pg.port());
      // whoever knew the cluster's own password (a template's copies share it) is let go
      try (ResultSet rs = st.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity "
          + "where pid <> pg_backend_pid() and backend_type = 'client backend'")) {
        rs.next();
      }
      return new EmbeddedSandbox(pg, database, major, version, pw, data, binaries);
    } catch (SQLException | IOException e) {
      close(pg, data);
      throw new CutterException(ExitCodes.INTERNAL, "the embedded sandbox started but cannot be used: " + e.getMessage(), e);
    }
  }

  /**
   * The embedded library's initdb given the superuser's password from {@code pw}'s private file and
   * a password for every connection (its own {@code -A trust} comes first: the later option wins),
   * and its readiness check that password.
   */
  private static void withPassword(EmbeddedPostgres.Builder builder, ClusterPassword pw) {
    pw.initdbOptions().forEach(builder::setLocaleConfig);
    builder.setConnectConfig("password", pw.password().value());
  }

  /** This process's private directory for the bundled binaries when the user's cache is not safe to use. */
  private static Path ownUnpacked;

  /**
   * Where the embedded library unpacks the bundled binaries and runs them from. Its own default,
   * {@code java.io.tmpdir/embedded-pg}, it makes writable by everyone without a sticky bit (and so
   * does it with any directory it is given), and it runs whatever a directory named after the
   * archive holds once an {@code .exists} file is there: another local user would rename ours away
   * and put their own {@code postgres} and {@code initdb} in its place. So the library gets
   * {@code unpacked} inside {@code <user cache>/cutter/bundled-binaries}, a directory the running
   * user alone owns and may write (0700, checked up to {@code /} as the templates' cache is), which
   * keeps every other user out of whatever mode the library gives the one inside. When the cache is
   * not safe (or cannot be made), a private temporary directory of this process's, deleted at its
   * exit, takes its place (the binaries are then unpacked once per process).
   */
  static synchronized Path unpackedBinaries() throws IOException {
    try {
      Path cutter = ScratchTemplate.userCache(System.getenv()).resolve("cutter");
      Path bundled = cutter.resolve("bundled-binaries");
      java.nio.file.attribute.FileAttribute<?> privateMode = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      if (!Files.isDirectory(cutter)) {
        Files.createDirectories(cutter, privateMode);
      }
      if (!Files.exists(bundled, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(bundled, privateMode);
      }
      Path real = bundled.toRealPath();
      if (ScratchTemplate.ownedAndPrivate(real, real.getParent())) {
        return real.resolve("unpacked");
      }
    } catch (IOException | RuntimeException e) {
      // the cache is not usable: a private directory of this process's instead
    }
    if (ownUnpacked == null) {
      Path own = Files.createTempDirectory("cutter-binaries");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> ScratchTemplate.deleteTree(own), "cutter-binaries-deletion"));
      ownUnpacked = own;
    }
    return ownUnpacked.resolve("unpacked");
  }

  /** The bundled server through the embedded library, never trusting a connection ({@link ClusterPassword}). */
  static Running bundled(Map<String, String> settings, Optional<Path> data) throws IOException {
    // a template's copy starts in about a second even on a busy host; one that has not started
    // in 20 s is given up for an initdb (startForRestore), which gets the full minute
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setOverrideWorkingDirectory(unpackedBinaries().toFile())
        .setPGStartupWait(Duration.ofSeconds(data.isPresent() ? 20 : 60))
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .setServerConfig("full_page_writes", "off")
        .setServerConfig("timezone", "UTC")
        .setServerConfig("unix_socket_permissions", "0700")
        .setServerConfig("listen_addresses", LOOPBACK);
    settings.forEach(builder::setServerConfig);
    Secret password;
    EmbeddedPostgres pg;
    // a template's copy holds the restored rows (in its WAL too once the proof's database is
    // dropped): deleted at a SIGTERM as well, once the library's own hook has stopped its server
    Thread deletion = data.map(EmbeddedSandbox::deletion).orElse(null);
    if (deletion != null) {
      Runtime.getRuntime().addShutdownHook(deletion);
    }
    if (data.isPresent()) {
      password = ClusterPassword.keptIn(data.get());
      builder.setDataDirectory(data.get()).setCleanDataDirectory(false).setConnectConfig("password", password.value());
      pg = builder.start();
    } else {
      ClusterPassword pw = ClusterPassword.forInitdb();
      try {
        withPassword(builder, pw);
        pg = builder.start();
      } finally {
        pw.keepIn(null);
      }
      password = pw.password();
    }
    return new Running() {
      @Override
      public int port() {
        return pg.getPort();
      }

      @Override
      public Secret password() {
        return password;
      }

      @Override
      public void close() throws IOException {
        pg.close();
        if (deletion != null) {
          try {
            Runtime.getRuntime().removeShutdownHook(deletion); // the copy is deleted by the sandbox's close
          } catch (IllegalStateException e) {
            // the JVM is exiting: the hook deletes it
          }
        }
      }
    };
  }

  /**
   * The superuser's first session, with the password the cluster was made with ({@link ClusterPassword}).
   */
  private static Connection connect(int port, Secret password) throws SQLException {
    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setServerNames(new String[] {LOOPBACK});
    ds.setPortNumbers(new int[] {port});
    ds.setDatabaseName("postgres");
    ds.setUser("postgres");
    ds.setPassword(password.value());
    return ds.getConnection();
  }

  /**
   * The server starts with the superuser's password its cluster was made with ({@link
   * ClusterPassword}), which a template's copies share: from here on the superuser's is made for
   * this run, and every role needs its password (SCRAM).
   */
  private static Secret requirePasswords(Connection c) throws SQLException, IOException {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    Secret pw = new Secret(HexFormat.of().formatHex(b));
    try (Statement st = c.createStatement()) {
      st.execute("set password_encryption = 'scram-sha-256'");
      c.unwrap(PGConnection.class).alterUserPassword("postgres", pw.value().toCharArray(), "scram-sha-256");
      Path hba;
      try (ResultSet rs = st.executeQuery("select current_setting('hba_file')")) {
        rs.next();
        hba = Path.of(rs.getString(1));
      }
      Files.writeString(hba, "# cutter dry-run sandbox: every connection needs its role's password\n"
          + "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
      try (ResultSet rs = st.executeQuery("select pg_reload_conf()")) {
        rs.next();
      }
    }
    return pw;
  }

  /** The reload is asynchronous: waits until a connection without a password is refused. */
  private static void awaitPasswords(int port) {
    ConnectionSpec bare = new ConnectionSpec(LOOPBACK, port, "postgres", "postgres", Optional.empty());
    for (int i = 0; i < 200; i++) {
      try (Connection c = Connections.open(bare, "cutter dry-run probe")) {
        Thread.sleep(10);
      } catch (CutterException | SQLException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new CutterException(ExitCodes.INTERNAL, "the embedded sandbox still accepts connections without a password");
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).replaceAll("\\s+", " ").trim();
  }

  private static void close(Running pg, Optional<Path> ownData) {
    try {
      pg.close();
    } catch (IOException ignored) {
      // a throwaway server
    }
    // a template's copy: the server does not delete it. Deleted once the server is gone (its lock
    // file removed at its exit): the embedded server's own shutdown hook may be stopping it still
    ownData.ifPresent(d -> {
      awaitServerGone(d);
      ScratchTemplate.deleteTree(d);
    });
  }

  /** "embedded PostgreSQL 15.19", and for the restore scratch which binaries ran it. */
  @Override
  public String describe() {
    return "embedded PostgreSQL " + version + binaries.map(b -> " from " + b.describe()).orElse("");
  }

  /** The restore scratch's binaries; empty for the dry-run's sandbox (the bundled ones). */
  public Optional<ScratchBinaries> binaries() {
    return binaries;
  }

  @Override
  public int major() {
    return major;
  }

  @Override
  public ConnectionSpec superuser() {
    return new ConnectionSpec(LOOPBACK, pg.port(), database, "postgres", Optional.of(password));
  }

  @Override
  public Optional<String> pgBin() {
    return Optional.empty();
  }

  @Override
  public void close() {
    close(pg, ownData);
  }
}
