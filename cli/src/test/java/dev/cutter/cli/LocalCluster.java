package dev.cutter.cli;

import dev.cutter.fixtures.PrivateCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway cluster of the local PostgreSQL server binaries (initdb and pg_ctl from
 * {@code pg_config --bindir}), for a test that must restart the server under a running apply.
 * Run as the {@code postgres} user through runuser when the test runs as root.
 */
final class LocalCluster implements AutoCloseable {

  private final Path bin;
  private final Path root;
  private final Path data;
  private final int port;

  private LocalCluster(Path bin, Path root, int port) {
    this.bin = bin;
    this.root = root;
    this.data = root.resolve("data");
    this.port = port;
  }

  /** The server binaries' directory, or null when pg_config or initdb is missing. */
  static Path binaries() {
    return PrivateCluster.binaries();
  }

  static LocalCluster start(Path bin) throws IOException {
    Path root = Files.createTempDirectory("cutter-cluster-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
    int port = PrivateCluster.freePort();
    LocalCluster c = new LocalCluster(bin, root, port);
    c.tool("initdb", "-D", c.data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync");
    c.tool("pg_ctl", "-D", c.data.toString(), "-l", root.resolve("server.log").toString(), "-w", "-o",
        "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    return c;
  }

  /** Crash-restarts the server: immediate shutdown (no checkpoint, sessions cut), then start with the same options. */
  void restartImmediate() {
    tool("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "restart");
  }

  String uri(String database) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres");
  }

  void execute(String database, String sql) {
    try (Connection c = connect(database); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  String queryValue(String database, String sql) {
    try (Connection c = connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private void tool(String name, String... args) {
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.add(bin.resolve(name).toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolve(name + ".out").toFile())
          .start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(name + " failed: " + Files.readString(root.resolve(name + ".out")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      tool("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    } finally {
      try (Stream<Path> s = Files.walk(root)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory
      }
    }
  }
}
