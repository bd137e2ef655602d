package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.cli.ReadableClassPath;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another local user (the user {@code nobody}) against the restore scratch run from the host's
 * binaries by the user {@code postgres}: the moment the server accepts connections (before the
 * sandbox has set any password), through its socket in {@code /tmp} or over TCP, without a
 * password. A superuser session there, however short, makes a role of its own that logs in later
 * with its password, or runs a program as the operator.
 */
class HostScratchLoginAttackTest {

  static final Path RUNUSER = Path.of("/usr/sbin/runuser");

  @TempDir Path tmp;

  /**
   * Run in the child as {@code postgres}: starts a fresh cluster, prints its port and data
   * directory, then a copy of that cluster (as the template path does), prints the same, and
   * stops both when its stdin closes.
   */
  public static void main(String[] args) throws Exception {
    Path bin = Path.of(args[0]);
    Path fresh = Files.createTempDirectory("epg");
    try (HostServer first = HostServer.start(bin, fresh, false, Map.of(), Duration.ofSeconds(60))) {
      System.out.println("port " + first.port() + " " + fresh);
      System.out.flush();
      System.in.read();
    }
    Path copy = Files.createTempDirectory("epg");
    ScratchTemplate.copyTree(fresh, copy);
    ScratchTemplate.deleteTree(fresh);
    try (HostServer second = HostServer.start(bin, copy, true, Map.of(), Duration.ofSeconds(60))) {
      System.out.println("port " + second.port() + " " + copy);
      System.out.flush();
      System.in.read();
    }
  }

  /** psql as the user nobody, without a password; its output and exit code. */
  static String asNobody(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(RUNUSER.toString(), "-u", "nobody", "--", "env", "-i", "PGCONNECT_TIMEOUT=5",
        "/usr/lib/postgresql/15/bin/psql", "-X", "-w", "-At"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return "exit " + p.exitValue() + ": " + out.trim();
  }

  private static String catAsNobody(Path f) throws Exception {
    Process p = new ProcessBuilder(RUNUSER.toString(), "-u", "nobody", "--", "cat", f.toString()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return "exit " + p.exitValue();
  }

  /** The user nobody tries the server on {@code port} as its superuser without a password: on the socket in /tmp, over TCP. */
  static void logInAsNobody(String port) throws Exception {
    String superuserSql = "select rolsuper from pg_roles where rolname = current_user";
    assertThat(asNobody("-h", "/tmp", "-p", port, "-U", "postgres", "-d", "postgres", "-c", superuserSql))
        .as("the socket in /tmp, no password").doesNotContain("exit 0");
    assertThat(asNobody("-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres", "-c", superuserSql))
        .as("TCP on 127.0.0.1, no password").doesNotContain("exit 0");
    assertThat(asNobody("-h", "::1", "-p", port, "-U", "postgres", "-d", "postgres", "-c", superuserSql))
        .as("TCP on ::1, no password").doesNotContain("exit 0");
  }

  private void attack(String[] started) throws Exception {
    logInAsNobody(started[1]);
    Path data = Path.of(started[2]);
    assertThat(catAsNobody(data.resolve("PG_VERSION"))).as("the data directory").isNotEqualTo("exit 0");
    try (var logs = Files.newDirectoryStream(Path.of("/tmp"), "cutter-scratch*.log")) {
      for (Path log : logs) {
        assertThat(catAsNobody(log)).as("the scratch's log " + log.getFileName()).isNotEqualTo("exit 0");
      }
    }
  }

  @Test
  void anotherLocalUserCannotLogInAsTheHostScratchsSuperuserTheMomentItStartsNorOnATemplatesCopy() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(RUNUSER),
        "needs root and runuser to switch to the users postgres and nobody");
    Files.setOwner(Files.createDirectories(tmp.resolve("probe")),
        tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
    int postgresUid = (Integer) Files.getAttribute(tmp.resolve("probe"), "unix:uid");
    Optional<ScratchBinaries> host = ScratchBinaries.bundledMajor().flatMap(m -> ScratchBinaries.host(postgresUid, m, Path.of("/usr")));
    Assumptions.assumeTrue(host.isPresent() && Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/psql")),
        "needs the host's server binaries of the bundled major");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    String cp = ReadableClassPath.linkedUnder(tmp.resolve("lib"));
    List<String> cmd = List.of(RUNUSER.toString(), "-u", "postgres", "--",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-cp", cp, HostScratchLoginAttackTest.class.getName(), host.get().hostBin().orElseThrow().toString());
    Process child = new ProcessBuilder(cmd).redirectError(tmp.resolve("child-err.txt").toFile()).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("the fresh cluster started: " + Files.readString(tmp.resolve("child-err.txt"))).startsWith("port ");
      attack(line.split(" "));
      child.getOutputStream().write('\n');
      child.getOutputStream().flush();
      line = out.readLine();
      assertThat(line).as("the copy started: " + Files.readString(tmp.resolve("child-err.txt"))).startsWith("port ");
      attack(line.split(" "));
      child.getOutputStream().close();
    } finally {
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    assertThat(child.exitValue()).as(Files.readString(tmp.resolve("child-err.txt"))).isZero();
  }
}
