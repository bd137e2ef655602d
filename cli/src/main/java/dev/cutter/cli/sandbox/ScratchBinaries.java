package dev.cutter.cli.sandbox;

import dev.cutter.backup.PgTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Which server binaries the restore proof's scratch runs: the bundled ones (built for size, their
 * COPY 1.35–1.4× slower), or the host's own packaged server of the bundled major (Debian's layout,
 * {@code /usr/lib/postgresql/<major>/bin}) when it is there, cutter does not run as root (the
 * packaged initdb and postgres refuse root), and nobody but root or the running user can write
 * them: those binaries, their libraries and their shared files, and every directory above them.
 * The bundled major, not the source's, decides: the scratch starts before the source is read,
 * and a source of another major is refused either way.
 *
 * @param hostBin the host's binaries' directory (as it really lies); empty: the bundled binaries
 * @param identity what names the cluster template they make (see {@link ScratchTemplate})
 * @param version their version string ({@code postgres --version}); empty for the bundled ones
 */
public record ScratchBinaries(Optional<Path> hostBin, String identity, String version) {

  /** The programs the scratch runs. */
  static final List<String> PROGRAMS = List.of("initdb", "postgres", "pg_ctl");

  /** The bundled binaries, named by their archive in the jar (empty when the jar carries none). */
  static Optional<ScratchBinaries> bundled() {
    return ScratchTemplate.bundledArchive().map(a -> new ScratchBinaries(Optional.empty(), "password\0" + a, ""));
  }

  /** What the report says about them, after the server's version ("embedded PostgreSQL 15.19 from ..."). */
  public String describe() {
    return hostBin.isPresent() ? "the host's binaries (" + version + ")" : "the bundled binaries";
  }

  /** The choice on this host: the running user, the bundled major, Debian's layout under {@code /usr}. */
  static Optional<ScratchBinaries> forThisHost() {
    int uid;
    try {
      uid = ScratchTemplate.currentUid();
    } catch (IOException e) {
      return bundled();
    }
    Optional<ScratchBinaries> host = bundledMajor().flatMap(m -> host(uid, m, Path.of("/usr")));
    return host.isPresent() ? host : bundled();
  }

  /**
   * The host's server binaries of {@code major} under {@code usr} ({@code lib/postgresql/<major>/bin},
   * its {@code lib} beside it, {@code share/postgresql/<major>}) for the user {@code uid}, or empty
   * when the bundled ones are to be used: {@code uid} is root's, a program is missing or of another
   * major, or anyone but root and {@code uid} may write a program, a file of its libraries or shared
   * files, or a directory holding them (up to {@code /}; a sticky directory others may write, as
   * {@code /tmp}, is no danger to an entry it does not own).
   */
  static Optional<ScratchBinaries> host(int uid, int major, Path usr) {
    if (uid == 0) {
      return Optional.empty();
    }
    try {
      Path pkg = usr.resolve("lib").resolve("postgresql").resolve(String.valueOf(major));
      if (!Files.isDirectory(pkg.resolve("bin"))) {
        return Optional.empty();
      }
      Path bin = pkg.resolve("bin").toRealPath();
      PgTools tools = new PgTools(Optional.of(bin), "");
      List<Path> programs = new ArrayList<>();
      for (String name : PROGRAMS) {
        Optional<Path> p = tools.find(name);
        if (p.isEmpty() || Files.isSymbolicLink(p.get()) || !Files.isRegularFile(p.get(), LinkOption.NOFOLLOW_LINKS)) {
          return Optional.empty();
        }
        programs.add(p.get());
      }
      List<Path> trees = new ArrayList<>(List.of(bin));
      for (Path t : List.of(pkg.resolve("lib"), usr.resolve("share").resolve("postgresql").resolve(String.valueOf(major)))) {
        if (Files.exists(t)) {
          trees.add(t.toRealPath());
        }
      }
      for (Path t : trees) {
        if (!safeAbove(t, uid) || !safeTree(t, uid)) {
          return Optional.empty();
        }
      }
      String version = "";
      StringBuilder identity = new StringBuilder("host\0password\0").append(bin);
      for (Path p : programs) {
        PgTools.ToolVersion v = PgTools.version(p);
        if (v.major() != major) {
          return Optional.empty();
        }
        if (p.getFileName().toString().equals("postgres")) {
          version = v.text();
        }
        identity.append('\0').append(v.text()).append('\0').append(Files.size(p)).append('\0')
            .append(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
      }
      return Optional.of(new ScratchBinaries(Optional.of(bin), identity.toString(), version));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Every directory from {@code dir}'s parent up to {@code /}: owned by root or {@code uid}, written by nobody else unless sticky. */
  private static boolean safeAbove(Path dir, int uid) throws IOException {
    for (Path p = dir.getParent(); p != null; p = p.getParent()) {
      int mode = mode(p);
      if (!ownedByRootOr(p, uid) || ((mode & 0022) != 0 && (mode & 01000) == 0)) {
        return false;
      }
    }
    return true;
  }

  /** {@code dir} and everything in it: owned by root or {@code uid}, neither group nor others may write it. */
  private static boolean safeTree(Path dir, int uid) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.allMatch(p -> {
        try {
          return Files.isSymbolicLink(p) ? ownedByRootOr(p, uid) : ownedByRootOr(p, uid) && (mode(p) & 0022) == 0;
        } catch (IOException e) {
          return false;
        }
      });
    }
  }

  private static boolean ownedByRootOr(Path p, int uid) throws IOException {
    int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    return owner == 0 || owner == uid;
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  /** The bundled binaries' major, from the version the build wrote beside this class. */
  static Optional<Integer> bundledMajor() {
    try (InputStream in = ScratchBinaries.class.getResourceAsStream("bundled-postgres.properties")) {
      if (in == null) {
        return Optional.empty();
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      return v.matches("\\d+(\\.\\d+)*") ? Optional.of(Integer.parseInt(v.split("\\.")[0])) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
