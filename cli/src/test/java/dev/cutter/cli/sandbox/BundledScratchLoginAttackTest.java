package dev.cutter.cli.sandbox;

import static dev.cutter.cli.sandbox.HostScratchLoginAttackTest.RUNUSER;
import static dev.cutter.cli.sandbox.HostScratchLoginAttackTest.logInAsNobody;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.Connections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another local user (the user {@code nobody}) against the bundled binaries' server (the dry-run's
 * sandbox, the restore proof's scratch) the moment it accepts connections, before the sandbox has
 * set any password: a superuser session there, however short, makes a role of its own that logs
 * in later with its password, or runs a program as the operator ({@code COPY … TO PROGRAM}).
 */
class BundledScratchLoginAttackTest {

  @TempDir Path tmp;

  @Test
  void anotherLocalUserCannotLogInAsTheBundledServersSuperuserTheMomentItStartsNorOnATemplatesCopy() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(RUNUSER)
        && Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/psql")), "needs root, runuser and psql to act as the user nobody");
    Optional<ScratchBinaries> bundled = ScratchBinaries.bundled();
    Assumptions.assumeTrue(bundled.isPresent(), "needs the bundled binaries' archive in a jar");
    EmbeddedSandbox.Running fresh = EmbeddedSandbox.bundled(Map.of(), Optional.empty());
    try {
      logInAsNobody(String.valueOf(fresh.port()));
    } finally {
      fresh.close();
    }
    Path copy = ScratchTemplate.under(tmp.resolve("cache"), System.getenv(), bundled.get()).orElseThrow()
        .copyForOneServer(d -> EmbeddedSandbox.makeTemplate(bundled.get(), d)).orElseThrow();
    EmbeddedSandbox.Running copied = EmbeddedSandbox.bundled(Map.of(), Optional.of(copy));
    try {
      logInAsNobody(String.valueOf(copied.port()));
    } finally {
      copied.close();
      ScratchTemplate.deleteTree(copy);
    }
  }

  /**
   * The embedded library unpacks the bundled binaries into {@code java.io.tmpdir/embedded-pg},
   * which it makes writable by everyone without a sticky bit, and runs them from there whenever
   * the directory named after the archive holds an {@code .exists} file: another local user renames
   * that directory away and puts one of their own in its place, and the next dry-run sandbox or
   * restore proof runs their {@code postgres} and {@code initdb} as the operator, with a copy of
   * production. The binaries the server runs from must lie where only root and the running user
   * can change anything, up to {@code /}.
   */
  @Test
  void theBundledServerRunsFromBinariesNoOtherUserCouldHaveReplaced() throws Exception {
    Assumptions.assumeTrue(ScratchBinaries.bundled().isPresent(), "needs the bundled binaries' archive in a jar");
    EmbeddedSandbox.Running running = EmbeddedSandbox.bundled(Map.of(), Optional.empty());
    Path exe;
    try (Connection c = Connections.open(new dev.cutter.core.db.ConnectionSpec(EmbeddedSandbox.LOOPBACK, running.port(),
            "postgres", "postgres", Optional.of(running.password())), "probe");
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
      rs.next();
      exe = Files.readSymbolicLink(Path.of("/proc", String.valueOf(rs.getInt(1)), "exe"));
    } finally {
      running.close();
    }
    for (Path d = exe.getParent(); d != null; d = d.getParent()) {
      int mode = (Integer) Files.getAttribute(d, "unix:mode");
      int owner = (Integer) Files.getAttribute(d, "unix:uid");
      boolean othersMayReach = true;
      for (Path above = d.getParent(); above != null; above = above.getParent()) {
        othersMayReach &= ((Integer) Files.getAttribute(above, "unix:mode") & 0011) != 0;
      }
      if (!othersMayReach) {
        continue; // a directory above it keeps every other user out
      }
      assertThat(owner).as(d + " owner").isIn(0, ScratchTemplate.currentUid());
      assertThat((mode & 0022) == 0 || (mode & 01000) != 0).as(d + " is writable by others without a sticky bit, mode "
          + Integer.toOctalString(mode)).isTrue();
    }
  }

  /**
   * The server listens on {@code 127.0.0.1} alone and its clients go there: with {@code localhost}
   * (which may also name {@code ::1}), another local user listening on {@code 127.0.0.1} at the
   * port first leaves the server started on {@code ::1}, and a client resolving {@code localhost}
   * to {@code 127.0.0.1} talks to that user (a password asked in clear, the restore's rows).
   */
  @Test
  void theServerListensOnlyOnTheLoopbackAddressItsClientsConnectTo() throws Exception {
    try (EmbeddedSandbox s = EmbeddedSandbox.start("postgres", 0); Connection c = Connections.open(s.superuser(), "probe");
        Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_setting('listen_addresses')")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("127.0.0.1");
      assertThat(s.superuser().host()).isEqualTo("127.0.0.1");
    }
  }
}
