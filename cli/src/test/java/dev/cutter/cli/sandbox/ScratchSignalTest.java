package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.cli.ReadableClassPath;
import dev.cutter.core.db.Connections;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM while the restore proof's scratch runs from a template's copy (every proof after the
 * first on a host): the copy, which holds the restored rows (in its WAL even once the proof's
 * database is dropped), goes with the server, whichever binaries ran it.
 */
class ScratchSignalTest {

  @TempDir Path tmp;

  /** Run in the child: a restore scratch ({@code args[1]}: host or bundled) with the cache in {@code args[0]}; prints its data directory, then waits. */
  public static void main(String[] args) throws Exception {
    Optional<ScratchBinaries> b = args[1].equals("host") ? ScratchBinaries.forThisHost() : ScratchBinaries.bundled();
    EmbeddedSandbox s = EmbeddedSandbox.startForRestore(Optional.of(Path.of(args[0])), b);
    try (Connection c = Connections.open(s.superuser(), "probe"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select current_setting('data_directory')")) {
      rs.next();
      System.out.println("data " + rs.getString(1) + " " + s.describe());
    }
    System.out.flush();
    Thread.sleep(120_000);
    s.close();
  }

  private Path startThenTerm(List<String> prefix, String cp, Path cache, String which) throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-XX:TieredStopAtLevel=1", "-cp", cp, ScratchSignalTest.class.getName(), cache.toString(), which));
    Path err = tmp.resolve("child-err.txt");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("the scratch started: " + Files.readString(err)).startsWith("data ");
      Path data = Path.of(line.split(" ")[1]);
      assertThat(Files.isDirectory(data)).isTrue();
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child ended on SIGTERM").isTrue();
      assertThat(line).contains(which.equals("host") ? "host's binaries" : "bundled binaries");
      return data;
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aSigtermLeavesNoCopyOfTheTemplateBehindWithTheBundledBinaries() throws Exception {
    Path cache = Files.createDirectory(tmp.resolve("cache"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    String cp = ReadableClassPath.linkedUnder(tmp.resolve("lib"));
    for (int i = 0; i < 2; i++) { // the first proof makes the template, both run from a copy
      Path data = startThenTerm(List.of(), cp, cache, "bundled");
      assertThat(data).as("proof " + (i + 1) + "'s copy").doesNotExist();
    }
  }

  @Test
  void aSigtermLeavesNoCopyOfTheTemplateBehindWithTheHostsBinaries() throws Exception {
    Path runuser = HostScratchLoginAttackTest.RUNUSER;
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(runuser),
        "needs root and runuser to switch to the user postgres");
    Files.setOwner(Files.createDirectories(tmp.resolve("probe")),
        tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
    int postgresUid = (Integer) Files.getAttribute(tmp.resolve("probe"), "unix:uid");
    Assumptions.assumeTrue(ScratchBinaries.bundledMajor().flatMap(m -> ScratchBinaries.host(postgresUid, m, Path.of("/usr"))).isPresent(),
        "needs the host's server binaries of the bundled major");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path cache = Files.createDirectory(tmp.resolve("cache"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setOwner(cache, tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
    String cp = ReadableClassPath.linkedUnder(tmp.resolve("lib"));
    for (int i = 0; i < 2; i++) {
      Path data = startThenTerm(List.of(runuser.toString(), "-u", "postgres", "--"), cp, cache, "host");
      assertThat(data).as("proof " + (i + 1) + "'s copy").doesNotExist();
    }
  }
}
