package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.cli.ReadableClassPath;
import dev.cutter.core.db.Connections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
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
 * The restore scratch from the host's own binaries, as a user who is not root (the user
 * {@code postgres}, through runuser, in a child JVM): the first start makes the template of those
 * binaries, under their own name, and the next one starts from a copy of it.
 */
class HostScratchTemplateTest {

  private static final Path RUNUSER = Path.of("/usr/sbin/runuser");

  @TempDir Path tmp;

  /** Run in the child: one restore scratch with the cache in {@code args[0]}; prints what it ran. */
  public static void main(String[] args) throws Exception {
    try (EmbeddedSandbox s = EmbeddedSandbox.startForRestore(Optional.of(Path.of(args[0])), ScratchBinaries.forThisHost());
        Connection c = Connections.open(s.superuser(), "probe"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select current_setting('data_directory'), current_setting('wal_level'), current_setting('listen_addresses')")) {
      rs.next();
      System.out.println("scratch: " + s.describe());
      System.out.println("wal_level: " + rs.getString(2));
      System.out.println("listen_addresses: " + rs.getString(3) + " (the client's " + s.superuser().host() + ")");
      System.out.println("copied: " + Files.exists(Path.of(rs.getString(1)).resolve("template-marker")));
    }
  }

  private String asPostgres(String cp, Path cache) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(RUNUSER.toString(), "-u", "postgres", "--",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-cp", cp, HostScratchTemplateTest.class.getName(), cache.toString()));
    Path out = tmp.resolve("out.txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the child finished").isTrue();
    String printed = Files.readString(out);
    assertThat(p.exitValue()).as(printed).isZero();
    return printed;
  }

  @Test
  void theHostsBinariesMakeTheirOwnTemplateAndTheNextScratchStartsFromACopyOfIt() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(RUNUSER),
        "needs root and runuser to switch to the user postgres");
    UserPrincipal postgres = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
    Files.setOwner(Files.createDirectories(tmp.resolve("probe")), postgres);
    int postgresUid = (Integer) Files.getAttribute(tmp.resolve("probe"), "unix:uid");
    Optional<ScratchBinaries> host = ScratchBinaries.bundledMajor().flatMap(m -> ScratchBinaries.host(postgresUid, m, Path.of("/usr")));
    Assumptions.assumeTrue(host.isPresent(), "needs the host's server binaries of the bundled major");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path cache = Files.createDirectory(tmp.resolve("cache"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setOwner(cache, postgres);
    String cp = ReadableClassPath.linkedUnder(tmp.resolve("lib"));
    Path template = ScratchTemplate.under(cache, System.getenv(), host.get()).orElseThrow().dir();
    assertThat(template).as("not the bundled binaries' template")
        .isNotEqualTo(ScratchTemplate.under(cache, System.getenv()).orElseThrow().dir());

    String first = asPostgres(cp, cache);

    assertThat(first).contains("scratch: embedded PostgreSQL " + host.get().version().replaceAll(".*\\) ", "").split(" ")[0])
        .contains(" from the host's binaries (" + host.get().version() + ")").contains("wal_level: minimal")
        .contains("listen_addresses: 127.0.0.1 (the client's 127.0.0.1)")
        .contains("copied: false");
    assertThat(Files.isRegularFile(template.resolve("PG_VERSION"))).as("made by the first scratch").isTrue();
    try (var made = Files.list(template.getParent())) {
      assertThat(made.toList()).as("the host binaries' template, and no other").containsExactly(template);
    }
    // a file only the template holds, the user's own as the rest of it
    Path marker = Files.writeString(template.resolve("template-marker"), "x");
    Files.setOwner(marker, postgres);
    Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rw-------"));

    assertThat(asPostgres(cp, cache)).contains(" from the host's binaries (").contains("copied: true");
  }
}
