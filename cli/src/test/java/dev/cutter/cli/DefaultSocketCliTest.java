package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.db.TargetHost;
import dev.cutter.fixtures.PrivateCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator on the database host runs cutter with no host at all, as psql is run there: libpq
 * goes to its default socket directory, where pg_hba.conf lets the OS user in by peer
 * authentication (no password) and TCP is not even listened on. cutter goes to the same socket
 * when the default directory holds the port's socket file (the directory is a setting, pointed
 * here at the private cluster's, since the real one cannot be written in a test), and pg_dump
 * gets the same socket; without that socket file cutter fails there as psql does, and never tries
 * localhost over TCP, where another local user may be listening (threat L23).
 */
class DefaultSocketCliTest {

  private static final String OS_USER = System.getProperty("user.name");

  /** Socket only ({@code listen_addresses=''}); the OS user by peer, as Debian's {@code local all postgres peer}. */
  private static PrivateCluster socketOnly;
  /** TCP on localhost, and its socket directory (not the default one here). */
  private static PrivateCluster tcp;

  @TempDir static Path keys;
  static Approver approver;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    socketOnly = PrivateCluster.startOrSkip(new PrivateCluster.Options("", 0, false, List.of(
        "local all " + OS_USER + " peer", "local all all trust")));
    if (!OS_USER.equals("postgres")) {
      socketOnly.psql("postgres", "create role \"" + OS_USER + "\" login superuser");
      socketOnly.psql("postgres", "create database \"" + OS_USER + "\"");
    }
    socketOnly.psql(OS_USER, "create role app login; grant create on schema public to app");
    tcp = PrivateCluster.startOrSkip(PrivateCluster.Options.plain());
    approver = Approver.create(keys);
  }

  @AfterAll
  static void stop() {
    try {
      if (socketOnly != null) {
        socketOnly.close();
      }
    } finally {
      if (tcp != null) {
        tcp.close();
      }
    }
  }

  private static String lastLine(String text) {
    return text.lines().reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void withNoHostCutterLogsInByPeerThroughTheDefaultSocketDirectory() throws Exception {
    Cli t = child(socketOnly.socketDirectory(), Map.of("PGPORT", String.valueOf(socketOnly.port())), "target");
    assertThat(t.exit()).as(t.err()).isZero();
    assertThat(lastLine(t.out())).isEqualTo("# connected as session_user " + OS_USER + ", current_user " + OS_USER
        + "; TLS: not used: connected through the Unix socket " + socketOnly.socketDirectory() + "/.s.PGSQL."
        + socketOnly.port() + ", where TLS is never used whatever sslmode says");
  }

  /**
   * Nothing listens on the port's socket file in the default directory, but something listens on
   * localhost at that port: a server, or another local user's listener asking for the password in
   * clear. cutter goes to the socket file as psql does, fails naming it, and never connects to
   * localhost: the listener sees no connection and the password goes nowhere.
   */
  @Test
  void withoutTheSocketFileForThePortCutterFailsThereAndNeverTriesLocalhostOverTcp() throws Exception {
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      squatter.setSoTimeout(200);
      Map<String, String> env = Map.of("PGPORT", String.valueOf(squatter.getLocalPort()), "PGUSER", "postgres",
          "PGDATABASE", "postgres", "PGPASSWORD", "squatter-bait-4711");
      Cli t = child(dir, env, "target");
      assertThat(t.exit()).as(t.out() + t.err()).isEqualTo(3);
      assertThat(t.err()).startsWith("cutter: ").contains(dir + "/.s.PGSQL." + squatter.getLocalPort())
          .doesNotContain("localhost").doesNotContain("squatter-bait-4711");
      assertThatThrownBy(squatter::accept).as("nothing connected to localhost").isInstanceOf(SocketTimeoutException.class);
    }

    Map<String, String> env = Map.of("PGPORT", String.valueOf(tcp.port()), "PGUSER", "postgres", "PGDATABASE", "postgres");
    Cli noSocket = child(dir, env, "target");
    assertThat(noSocket.exit()).as("a server on localhost at that port is not taken either: " + noSocket.err()).isEqualTo(3);
    assertThat(noSocket.err()).contains(dir + "/.s.PGSQL." + tcp.port());

    Cli socket = child(tcp.socketDirectory(), env, "target");
    assertThat(socket.exit()).as(socket.err()).isZero();
    assertThat(lastLine(socket.out())).as("the same server, its directory made the default: the socket")
        .endsWith("TLS: not used: connected through the Unix socket " + tcp.socketDirectory() + "/.s.PGSQL." + tcp.port()
            + ", where TLS is never used whatever sslmode says");
  }

  @Test
  @Tag("pgdump") // pg_dump of the private cluster (the machine's major)
  void pgDumpGetsTheDefaultSocketDirectoryAsItsHost() throws Exception {
    Map<String, String> env = Map.of("PGPORT", String.valueOf(socketOnly.port()));
    Cli init = child(socketOnly.socketDirectory(), env, "init", "--grant", "app");
    assertThat(init.exit()).as(init.out() + init.err()).isZero();
    Path pkg = approver.write(dir.resolve("p"), "default-socket", OS_USER, socketOnly.systemIdentifier(), "app",
        "create table public.made_through_the_default_socket(id int);\n", "[]", "[]", dir.resolve("backups"));
    Path log = Files.createDirectories(dir.resolve("children"));
    Path bin = recordingBin(log);

    Cli r = child(socketOnly.socketDirectory(), env, "apply", pkg.toString(), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString(), "--pg-bin", bin.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out().lines().filter(l -> l.startsWith("P2_backup ") || l.startsWith("apply ")).toList())
        .containsExactly("P2_backup              PASS", "apply                  PASS");

    List<String> runs = new ArrayList<>();
    try (Stream<Path> files = Files.list(log)) {
      for (Path f : files.sorted().toList()) {
        runs.add(Files.readString(f));
      }
    }
    List<String> dumps = runs.stream()
        .filter(run -> run.startsWith("pg_dump\n") && run.lines().noneMatch("arg: --version"::equals)).toList();
    assertThat(dumps).as("one dump: " + runs).hasSize(1);
    List<String> endpoint = List.of("PGHOST=" + socketOnly.socketDirectory(), "PGPORT=" + socketOnly.port());
    assertThat(dumps.get(0).lines().filter(l -> l.startsWith("PGHOST=") || l.startsWith("PGPORT=")).toList())
        .as("the dump goes to the socket cutter used").isEqualTo(endpoint);
    for (String run : runs.stream().filter(run -> run.lines().noneMatch("arg: --version"::equals)).toList()) {
      List<String> given = run.lines().filter(l -> l.startsWith("PGHOST") || l.startsWith("PGPORT")).toList();
      assertThat(given).as("every child given an endpoint is given this one: " + run).isIn(List.of(), endpoint);
    }
    for (String run : runs) {
      assertThat(run.lines().filter(l -> l.startsWith("PGPASSWORD") || l.equals("arg: -h") || l.startsWith("arg: --host")))
          .as("no password anywhere, no host in argv: " + run).isEmpty();
    }
  }

  /**
   * A directory of pg_dump and pg_restore that record their argv and libpq environment in a file
   * of their own under {@code log} (they may run at the same time) and run the real ones.
   */
  private Path recordingBin(Path log) throws IOException {
    Path real = PrivateCluster.binaries();
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : List.of("pg_dump", "pg_restore")) {
      Path script = bin.resolve(tool);
      Files.writeString(script, "#!/bin/sh\nf=$(mktemp '" + log + "/run-XXXXXX')\n{ echo " + tool
          + "; for a in \"$@\"; do echo \"arg: $a\"; done; env | grep '^PG' | sort; } > \"$f\"\nexec '"
          + real.resolve(tool) + "' \"$@\"\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }

  /**
   * cutter in a child JVM whose default socket directory is {@code defaultSocketDirectory}, with no
   * libpq variable but {@code env} and a home without password or service file.
   */
  private Cli child(Path defaultSocketDirectory, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-D" + TargetHost.DEFAULT_SOCKET_DIRECTORY_PROPERTY + "=" + defaultSocketDirectory,
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(env);
    pb.environment().put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    Process p = pb.start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("cutter finished").isTrue();
    return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
