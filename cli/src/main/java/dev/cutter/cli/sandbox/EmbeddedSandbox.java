package dev.cutter.cli.sandbox;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Sql;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/** The default sandbox: a real PostgreSQL started from binaries inside cutter's jar; nothing to install. */
public final class EmbeddedSandbox implements SandboxServer {

  private final EmbeddedPostgres pg;
  private final String database;
  private final int major;
  private final String version;

  private EmbeddedSandbox(EmbeddedPostgres pg, String database, int major, String version) {
    this.pg = pg;
    this.database = database;
    this.major = major;
    this.version = version;
  }

  /** Starts the bundled server; {@code wantedMajor} (0 = any) must be the bundled major. */
  public static EmbeddedSandbox start(String database, int wantedMajor) {
    EmbeddedPostgres pg;
    try {
      pg = EmbeddedPostgres.builder()
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off")
          .setServerConfig("full_page_writes", "off")
          .setServerConfig("timezone", "UTC")
          .start();
    } catch (IOException | RuntimeException e) {
      boolean root = "root".equals(System.getProperty("user.name"));
      throw new CutterException(ExitCodes.INTERNAL, "the embedded sandbox could not start: " + rootCause(e)
          + (root ? " (as root this needs user namespaces; run as a normal user or use --sandbox URL)" : ""), e);
    }
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
      int major;
      String version;
      try (ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000, current_setting('server_version')")) {
        rs.next();
        major = rs.getInt(1);
        version = rs.getString(2);
      }
      if (wantedMajor != 0 && wantedMajor != major) {
        close(pg);
        throw CutterException.invalid("--pg-version " + wantedMajor + ": the embedded sandbox bundles PostgreSQL " + major
            + "; use --sandbox testcontainers or --sandbox URL for another major");
      }
      if (!database.equals("postgres")) {
        st.execute("create database " + Sql.ident(database));
      }
      return new EmbeddedSandbox(pg, database, major, version);
    } catch (SQLException e) {
      close(pg);
      throw new CutterException(ExitCodes.INTERNAL, "the embedded sandbox started but cannot be used: " + e.getMessage(), e);
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).replaceAll("\\s+", " ").trim();
  }

  private static void close(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException ignored) {
      // a throwaway server
    }
  }

  @Override
  public String describe() {
    return "embedded PostgreSQL " + version;
  }

  @Override
  public int major() {
    return major;
  }

  @Override
  public ConnectionSpec superuser() {
    return new ConnectionSpec("localhost", pg.getPort(), database, "postgres", Optional.empty());
  }

  @Override
  public Optional<String> pgBin() {
    return Optional.empty();
  }

  @Override
  public void close() {
    close(pg);
  }
}
