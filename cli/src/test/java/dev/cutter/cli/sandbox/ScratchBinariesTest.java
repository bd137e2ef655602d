package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which binaries the restore scratch runs, decided from facts given to it: a host layout made here
 * (programs that print a version), the running user's id, the bundled major.
 */
class ScratchBinariesTest {

  /** Only root can give a file to another user. */
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  private static final int USER = 4242;

  @TempDir Path tmp;
  Path usr;
  Path bin;

  private static void chmod(String mode, Path p) throws Exception {
    assertThat(new ProcessBuilder("chmod", mode, p.toString()).inheritIO().start().waitFor()).isZero();
  }

  private static void chown(String owner, Path p) throws Exception {
    assertThat(new ProcessBuilder("chown", owner, p.toString()).inheritIO().start().waitFor()).isZero();
  }

  /** A Debian layout of major 15 under {@code tmp/usr}: each program prints {@code version}. */
  private void layout(String version) throws Exception {
    for (String name : ScratchBinaries.PROGRAMS) {
      Path p = bin.resolve(name);
      Files.writeString(p, "#!/bin/sh\necho '" + name + " (PostgreSQL) " + version + "'\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @BeforeEach
  void hostLayout() throws Exception {
    chmod("755", tmp);
    usr = tmp.resolve("usr");
    bin = Files.createDirectories(usr.resolve("lib/postgresql/15/bin"));
    Files.createDirectories(usr.resolve("lib/postgresql/15/lib"));
    Files.writeString(usr.resolve("lib/postgresql/15/lib/plpgsql.so"), "x");
    Files.createDirectories(usr.resolve("share/postgresql/15"));
    Files.writeString(usr.resolve("share/postgresql/15/postgres.bki"), "x");
    layout("15.18 (Debian 15.18-0+deb12u1)");
  }

  private Optional<ScratchBinaries> chosen() {
    return ScratchBinaries.host(USER, 15, usr);
  }

  @Test
  void theHostsBinariesOfTheBundledMajorAreChosenForAUserWhoIsNotRoot() throws Exception {
    ScratchBinaries b = chosen().orElseThrow();
    assertThat(b.hostBin()).contains(bin.toRealPath());
    assertThat(b.version()).isEqualTo("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)");
    assertThat(b.describe()).isEqualTo("the host's binaries (postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1))");
    assertThat(ScratchBinaries.bundled().orElseThrow().describe()).isEqualTo("the bundled binaries");
    assertThat(ScratchBinaries.bundledMajor()).as("the build wrote the bundled version").contains(15);
  }

  @Test
  void rootNoHostBinariesOrAnotherMajorKeepTheBundledOnes() throws Exception {
    assertThat(ScratchBinaries.host(0, 15, usr)).as("root: the packaged initdb and postgres refuse it").isEmpty();
    assertThat(ScratchBinaries.host(USER, 16, usr)).as("no binaries of the bundled major").isEmpty();
    assertThat(ScratchBinaries.host(USER, 15, tmp.resolve("nowhere"))).isEmpty();

    Files.delete(bin.resolve("pg_ctl"));
    assertThat(chosen()).as("a program missing").isEmpty();
    layout("15.18");
    assertThat(chosen()).isPresent();

    layout("16.4");
    assertThat(chosen()).as("the programs are of another major than their directory says").isEmpty();
    layout("15.18");
    Files.writeString(bin.resolve("initdb"), "#!/bin/sh\necho 'initdb (PostgreSQL) 14.2'\n");
    assertThat(chosen()).as("one program of another major").isEmpty();
    layout("15.18");
    Files.writeString(bin.resolve("postgres"), "#!/bin/sh\nexit 1\n");
    assertThat(chosen()).as("a program that fails its --version").isEmpty();
  }

  @Test
  void binariesOthersCouldWriteKeepTheBundledOnes() throws Exception {
    assertThat(chosen()).isPresent();
    for (Path p : new Path[] {bin.resolve("postgres"), bin, usr.resolve("lib/postgresql/15/lib/plpgsql.so"),
        usr.resolve("share/postgresql/15/postgres.bki"), usr.resolve("share/postgresql/15"), usr.resolve("lib/postgresql"),
        usr, tmp}) {
      String before = Files.isDirectory(p) ? "755" : (p.startsWith(bin) ? "755" : "644");
      chmod("g+w", p);
      assertThat(chosen()).as("its group may write %s", tmp.relativize(p)).isEmpty();
      chmod(before, p);
      chmod("o+w", p);
      assertThat(chosen()).as("others may write %s", tmp.relativize(p)).isEmpty();
      chmod(before, p);
      assertThat(chosen()).isPresent();
    }
    chmod("1777", usr);
    assertThat(chosen()).as("a sticky directory above the binaries: only an entry's owner renames it").isPresent();
    chmod("755", usr);

    if (ROOT) {
      chown(String.valueOf(USER), bin.resolve("postgres"));
      assertThat(chosen()).as("the running user's own binaries").isPresent();
      chown("65534", bin.resolve("postgres"));
      assertThat(chosen()).as("another user owns postgres").isEmpty();
      chown("0", bin.resolve("postgres"));
      chown("65534", usr.resolve("lib"));
      assertThat(chosen()).as("another user owns a directory above them").isEmpty();
      chown("0", usr.resolve("lib"));
      assertThat(chosen()).isPresent();
    }
  }

  @Test
  void theTemplateIsNamedByTheBinariesThatMakeIt() throws Exception {
    Path cache = tmp.resolve("cache");
    ScratchBinaries host = chosen().orElseThrow();
    Path hostTemplate = ScratchTemplate.under(cache, Map.of(), host).orElseThrow().dir();
    Path bundledTemplate = ScratchTemplate.under(cache, Map.of()).orElseThrow().dir();
    assertThat(hostTemplate.getParent()).isEqualTo(bundledTemplate.getParent());
    assertThat(hostTemplate).as("the host's binaries never use the bundled ones' template").isNotEqualTo(bundledTemplate);
    assertThat(ScratchTemplate.under(cache, Map.of(), chosen().orElseThrow()).orElseThrow().dir()).isEqualTo(hostTemplate);
    assertThat(ScratchTemplate.under(cache, Map.of("LANG", "de_DE.UTF-8"), host).orElseThrow().dir()).isNotEqualTo(hostTemplate);

    layout("15.19 (Debian 15.19-0+deb12u1)");
    assertThat(ScratchTemplate.under(cache, Map.of(), chosen().orElseThrow()).orElseThrow().dir())
        .as("another version of the host's package").isNotEqualTo(hostTemplate);
    layout("15.18 (Debian 15.18-0+deb12u1)");
    Files.setLastModifiedTime(bin.resolve("postgres"), FileTime.fromMillis(1_000_000_000_000L));
    assertThat(ScratchTemplate.under(cache, Map.of(), chosen().orElseThrow()).orElseThrow().dir())
        .as("postgres replaced by another file of the same version").isNotEqualTo(hostTemplate);
  }
}
