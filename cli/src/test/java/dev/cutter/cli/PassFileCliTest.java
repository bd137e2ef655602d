package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.PrivateCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The password file as a real cutter process sees it, against a server that asks for a password
 * (scram-sha-256 over TCP): a private file logs in, one others can read is ignored with libpq's
 * warning on stderr, and the login then fails. Also as the unprivileged user {@code nobody}, for
 * whom the mode is what keeps a root-owned 0644 file out (root could read any file anyway).
 */
class PassFileCliTest {

  private static final String PASSWORD = "pw-from-the-file-58";

  private static PrivateCluster cluster;
  private static Path dir;

  @BeforeAll
  static void start() throws IOException {
    cluster = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of(
        "local all app scram-sha-256", "local all all trust", "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256")));
    cluster.psql("postgres", "CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'");
    dir = Files.createTempDirectory("cutter-passfile-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Path passFile(String name, String mode) throws IOException {
    Path f = Files.writeString(dir.resolve(name), "*:" + cluster.port() + ":*:app:" + PASSWORD + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  private static String openWarning(Path f) {
    return "cutter: WARN PassFile: password file \"" + f + "\" has group or world access; permissions should be u=rw "
        + "(0600) or less";
  }

  /** {@code cutter baseline} in a child JVM (optionally through {@code prefix}), with PGPASSFILE and HOME set and no PGPASSWORD. */
  private static Cli baseline(List<String> prefix, String classPath, Path passFile, Path home) throws Exception {
    return baseline(prefix, classPath, passFile, home, "postgresql://app@127.0.0.1:" + cluster.port()
        + "/postgres?sslmode=disable");
  }

  private static Cli baseline(List<String> prefix, String classPath, Path passFile, Path home, String target)
      throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        // cutter's own logging set-up (LogSetup, a logback service) takes precedence over the fixtures' logback-test.xml
        "-cp", classPath, Main.class.getName(), "baseline",
        "--schema", "public", "--target", target));
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    if (passFile != null) {
      pb.environment().put("PGPASSFILE", passFile.toString());
    }
    pb.environment().put("HOME", home.toString());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cutter finished").isTrue();
    return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Cli baseline(Path passFile) throws Exception {
    return baseline(List.of(), System.getProperty("java.class.path"), passFile, dir);
  }

  @Test
  void aPrivateFileLogsInAndOnesOthersCanAccessAreIgnoredWithLibpqsWarning() throws Exception {
    Cli ok = baseline(passFile("private", "rw-------"));
    assertThat(ok.err()).doesNotContain("password file");
    assertThat(ok.exit()).as(ok.err()).isZero();

    for (String mode : List.of("rw-r--r--", "rw-r-----", "rw-rw-rw-")) {
      Path f = passFile("open-" + mode, mode);
      Cli r = baseline(f);
      assertThat(r.err().lines().filter(l -> l.startsWith("cutter: WARN PassFile")).toList()).as(mode)
          .containsExactly(openWarning(f));
      assertThat(r.exit()).as("no password was taken from a %s file: %s", mode, r.err()).isEqualTo(3);
      assertThat(r.out() + r.err()).doesNotContain(PASSWORD);
    }
  }

  @Test
  void theHomePassFileOthersCanReadIsIgnored() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Path f = Files.writeString(home.resolve(".pgpass"), "*:" + cluster.port() + ":*:app:" + PASSWORD + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Cli r = baseline(List.of(), System.getProperty("java.class.path"), null, home);
    assertThat(r.err().lines().filter(l -> l.startsWith("cutter: WARN PassFile")).toList()).containsExactly(openWarning(f));
    assertThat(r.exit()).as("cannot connect: %s", r.err()).isEqualTo(3);

    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    Cli ok = baseline(List.of(), System.getProperty("java.class.path"), null, home);
    assertThat(ok.exit()).as("$HOME/.pgpass is the one read: " + ok.err()).isZero();
  }

  /** The one line a refused login prints, naming where the password was looked for. */
  private static List<String> connectLines(Cli r) {
    return r.err().lines().filter(l -> l.contains("cannot connect")).toList();
  }

  @Test
  void aLoginRefusedForWantOfAPasswordSaysWhereCutterLooked() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home-without-pgpass"));
    String target = "postgresql://app@127.0.0.1:" + cluster.port() + "/postgres";
    String noPassword = "cutter: cannot connect to " + target + ": The server requested SCRAM-based authentication, but"
        + " no password was provided. (SQLSTATE 08004); no password found: PGPASSWORD is not set, and the password file ";

    Cli none = baseline(List.of(), System.getProperty("java.class.path"), null, home);
    assertThat(none.exit()).as(none.err()).isEqualTo(3);
    assertThat(connectLines(none)).containsExactly(
        noPassword + home.resolve(".pgpass") + " does not exist (PGPASSFILE names another; mode 0600)");

    Path open = passFile("open-for-the-message", "rw-r--r--");
    Cli ignored = baseline(open);
    assertThat(ignored.exit()).as(ignored.err()).isEqualTo(3);
    assertThat(connectLines(ignored)).containsExactly(
        noPassword + open + " was ignored because group or others can read it (chmod 0600 it)");

    Path other = Files.writeString(dir.resolve("other-port"), "*:1:*:app:" + PASSWORD + "\n");
    Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
    Cli noLine = baseline(other);
    assertThat(noLine.exit()).as(noLine.err()).isEqualTo(3);
    assertThat(connectLines(noLine)).containsExactly(
        noPassword + other + " has no line for 127.0.0.1:" + cluster.port() + ":postgres:app");
    assertThat(none.err() + ignored.err() + noLine.err() + noLine.out()).doesNotContain(PASSWORD);
  }

  /** psql on the same socket with the same password file: its exit code and stderr. */
  private static Cli psql(Path passFile) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(PrivateCluster.binaries().resolve("psql").toString(), "-X", "-w", "-h",
        cluster.socketDirectory().toString(), "-p", String.valueOf(cluster.port()), "-U", "app", "-d", "postgres", "-c",
        "select 1").redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("PGPASSFILE", passFile.toString());
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Cli(p.exitValue(), "", err);
  }

  /**
   * Over a socket directory other than libpq's default, a {@code localhost} line is not looked up,
   * as psql does not look it up: the server asks for a password neither has; a line naming the
   * directory logs both in.
   */
  @Test
  void aLocalhostLineIsNotTheOneForAnotherSocketDirectoryAsWithPsql() throws Exception {
    String socket = "postgresql://app@/postgres?host=" + cluster.socketDirectory() + "&port=" + cluster.port();
    Path localhost = Files.writeString(dir.resolve("localhost-line"), "localhost:" + cluster.port() + ":*:app:" + PASSWORD
        + "\n");
    Files.setPosixFilePermissions(localhost, PosixFilePermissions.fromString("rw-------"));

    Cli psql = psql(localhost);
    assertThat(psql.exit()).as(psql.err()).isEqualTo(2);
    assertThat(psql.err()).contains("no password supplied");
    Cli cutter = baseline(List.of(), System.getProperty("java.class.path"), localhost, dir, socket);
    assertThat(cutter.exit()).as(cutter.err()).isEqualTo(3);
    assertThat(connectLines(cutter)).singleElement().asString().endsWith(" has no line for " + cluster.socketDirectory()
        + ":" + cluster.port() + ":postgres:app");

    Path named = Files.writeString(dir.resolve("directory-line"), cluster.socketDirectory() + ":" + cluster.port()
        + ":*:app:" + PASSWORD + "\n");
    Files.setPosixFilePermissions(named, PosixFilePermissions.fromString("rw-------"));
    assertThat(psql(named).exit()).isZero();
    Cli ok = baseline(List.of(), System.getProperty("java.class.path"), named, dir, socket);
    assertThat(ok.exit()).as(ok.err()).isZero();
  }

  @Test
  void aWrongPasswordSaysWhichFileItCameFrom() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong"), "*:" + cluster.port() + ":*:app:not-the-password-77\n");
    Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
    Cli r = baseline(wrong);
    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    assertThat(connectLines(r)).containsExactly("cutter: cannot connect to postgresql://app@127.0.0.1:" + cluster.port()
        + "/postgres: password authentication failed for user \"app\" (SQLSTATE 28P01); the password came from the"
        + " password file " + wrong);
    assertThat(r.err()).doesNotContain("not-the-password-77");
  }

  @Test
  void aDirectoryAtPgpassfileIsNotAPlainFile() throws Exception {
    Path d = Files.createDirectories(dir.resolve("a-directory"));
    Cli r = baseline(d);
    assertThat(r.err().lines().filter(l -> l.startsWith("cutter: WARN PassFile")).toList())
        .containsExactly("cutter: WARN PassFile: password file \"" + d + "\" is not a plain file");
    assertThat(r.exit()).as("cannot connect: %s", r.err()).isEqualTo(3);
  }

  @Test
  void asNobodyAFileOthersCanReadIsIgnoredAndTheirOwnPrivateFileIsUsed() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path runuser = Path.of("/usr/sbin/runuser");
    Assumptions.assumeTrue(root && Files.isExecutable(runuser), "needs root and runuser to switch to user nobody");
    String cp = ReadableClassPath.linkedUnder(dir.resolve("lib"));
    List<String> asNobody = List.of(runuser.toString(), "-u", "nobody", "--");

    Path open = passFile("root-owned-open", "rw-r--r--");
    Cli r = baseline(asNobody, cp, open, dir);
    assertThat(r.err().lines().filter(l -> l.startsWith("cutter: WARN PassFile")).toList()).as(r.err())
        .containsExactly(openWarning(open));
    assertThat(r.exit()).as("cannot connect: %s", r.err()).isEqualTo(3);

    Path own = passFile("nobody-private", "rw-------");
    Files.setOwner(own, own.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    Cli ok = baseline(asNobody, cp, own, dir);
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.err()).doesNotContain("password file");
  }
}
