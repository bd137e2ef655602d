package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cutter on the database host, the way psql is used there: the target is the server's socket
 * directory (in the URI, or as PGHOST), and pg_hba.conf trusts the socket and rejects every TCP
 * connection. cutter gets in only through the socket — its check and apply sessions have no
 * client address — and pg_dump makes the backup through the same socket.
 */
class UnixSocketCliTest {

  private static final Path DEBIAN_PG_BIN = Path.of("/usr/lib/postgresql/15/bin");

  private static PrivateCluster server;

  @TempDir static Path keys;
  static Approver approver;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    server = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of("local all all trust",
        "host all all 0.0.0.0/0 reject", "host all all ::/0 reject")));
    server.psql("postgres", "create role app login; grant create on schema public to app");
    approver = Approver.create(keys);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String socketTarget() {
    return "postgresql://postgres@/postgres?host=" + server.socketDirectory() + "&port=" + server.port();
  }

  private static String tcpTarget(String host) {
    return "postgresql://postgres@" + host + ":" + server.port() + "/postgres";
  }

  @Test
  void baselineGetsInThroughTheSocketDirectoryAndIsRefusedOverTcp() {
    Cli socket = Cli.run("baseline", "--schema", "public", "--target", socketTarget());
    assertThat(socket.exit()).as(socket.err()).isZero();
    assertThat(socket.out()).startsWith("- baseline: {schema: public, constraints: {p: 0, f: 0,");

    for (String host : List.of("127.0.0.1", "localhost")) {
      Cli tcp = Cli.run("baseline", "--schema", "public", "--target", tcpTarget(host));
      assertThat(tcp.exit()).as(host + ": " + tcp.err()).isEqualTo(3);
      assertThat(tcp.out()).isEmpty();
    }
  }

  @Test
  void targetSaysTheSocketIsWhyTlsIsNotUsed() {
    Cli t = Cli.run("target", "--target", socketTarget() + "&sslmode=require");
    assertThat(t.exit()).as(t.err()).isZero();
    assertThat(t.out().lines().reduce((a, b) -> b).orElseThrow()).isEqualTo("# connected as session_user postgres,"
        + " current_user postgres; TLS: not used: connected through the Unix socket " + server.socketDirectory()
        + "/.s.PGSQL." + server.port() + ", where TLS is never used whatever sslmode says");
  }

  @Test
  void pghostNamingTheSocketDirectoryIsTheSocketToo() throws Exception {
    Map<String, String> env = Map.of("PGHOST", server.socketDirectory().toString(), "PGPORT",
        String.valueOf(server.port()), "PGUSER", "postgres", "PGDATABASE", "postgres");
    Cli socket = childBaseline(env);
    assertThat(socket.exit()).as(socket.err()).isZero();
    assertThat(socket.out()).startsWith("- baseline: {schema: public,");

    Cli tcp = childBaseline(Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(server.port()), "PGUSER", "postgres",
        "PGDATABASE", "postgres"));
    assertThat(tcp.exit()).as(tcp.err()).isEqualTo(3);
  }

  @Test
  @Tag("pgdump") // pg_dump of the private cluster (the machine's major)
  void preflightAndApplyWithABackupRunThroughTheSocketOnly() {
    assertThat(Cli.run("init", "--target", socketTarget(), "--grant", "app").exit()).isZero();
    // the preflight's own check and the artifact record how their sessions came in
    String localSession = "(select count(*) from pg_catalog.pg_stat_activity a join pg_catalog.pg_stat_ssl s using (pid)"
        + " where a.pid = pg_catalog.pg_backend_pid() and a.client_addr is null and not s.ssl)";
    Path pkg = approver.write(dir.resolve("p"), "through-the-socket", "postgres", server.systemIdentifier(), "app",
        "create table public.session_of_apply as select " + localSession + " as local_sessions;\n",
        "\n  - sql: { name: checked through the socket, query: \"select " + localSession + "\", expect: 1 }", "[]",
        dir.resolve("backups"));
    List<String> common = List.of("--target", socketTarget(), "--trust", approver.trust().toString(), "--report-dir",
        dir.resolve("reports").toString());

    List<String> preflight = new ArrayList<>(List.of("preflight", pkg.toString()));
    preflight.addAll(common);
    Cli pre = Cli.run(preflight.toArray(String[]::new));
    assertThat(pre.exit()).as(pre.out() + pre.err()).isZero();

    List<String> apply = new ArrayList<>(List.of("apply", pkg.toString()));
    apply.addAll(common);
    if (Files.isExecutable(DEBIAN_PG_BIN.resolve("pg_dump"))) {
      apply.addAll(List.of("--pg-bin", DEBIAN_PG_BIN.toString()));
    }
    Cli r = Cli.run(apply.toArray(String[]::new));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("\nverdict: PASS (exit 0), production changed: yes\n");
    assertThat(server.psql("postgres", "select local_sessions from public.session_of_apply"))
        .as("the apply session came through the socket, unencrypted").isEqualTo("1");
    assertThat(r.out().lines().filter(l -> l.startsWith("P2_backup ") || l.startsWith("apply ")).toList())
        .as("pg_dump got in (TCP is rejected), so did the apply").containsExactly("P2_backup              PASS",
            "apply                  PASS");
  }

  @Test
  void aJvmThatCannotLoadTheSocketLibrarySaysSoInOneLine() throws Exception {
    Map<String, String> env = Map.of("PGHOST", server.socketDirectory().toString(), "PGPORT",
        String.valueOf(server.port()), "PGUSER", "postgres", "PGDATABASE", "postgres");
    // the native library is unpacked into java.io.tmpdir; one that does not exist stands for a noexec /tmp
    Cli r = childBaseline(env, "-Djava.io.tmpdir=" + dir.resolve("missing"));
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).isEqualTo("cutter: cannot connect to postgresql://postgres@" + server.socketDirectory() + ":"
        + server.port() + "/postgres: this Java cannot open Unix-domain sockets: the native library for them could not"
        + " be loaded from the temporary directory (java.io.tmpdir, " + dir.resolve("missing") + "), which must allow"
        + " executing files; name a host instead of a socket directory to connect over TCP (SQLSTATE 08001)\n");
  }

  /** {@code cutter baseline --schema public} in a child JVM with no libpq variable but {@code env}. */
  private Cli childBaseline(Map<String, String> env, String... jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    cmd.addAll(List.of(jvmOptions));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "baseline", "--schema",
        "public"));
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(env);
    pb.environment().put("HOME", dir.toString());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cutter finished").isTrue();
    return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
