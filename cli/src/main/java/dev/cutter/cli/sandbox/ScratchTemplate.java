package dev.cutter.cli.sandbox;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;

/**
 * The restore proof's scratch cluster without an initdb per proof: a data directory made once by
 * the scratch's initdb (then started and shut down cleanly, so it is a complete cluster), kept in
 * the user's cache, and copied for each proof (tens of milliseconds against about a second of
 * initdb). It is used only when it is the user's own: the cache directories and the template
 * owned by the user running cutter and writable by nobody else, every directory above them owned
 * by that user or root and writable by nobody else unless sticky, else the proof runs initdb as
 * before. Its name holds what initdb's result depends on: the binaries (the bundled ones' archive's
 * CRC and size in the jar, or the host's, see {@link ScratchBinaries}) and the locale environment
 * initdb reads.
 */
final class ScratchTemplate {

  /** The bundled binaries' archive in the jar (the only one cutter carries). */
  static final String BINARIES = "postgres-linux-x86_64.txz";
  private static final List<String> LOCALE_VARIABLES = List.of("LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MESSAGES",
      "LC_MONETARY", "LC_NUMERIC", "LC_TIME", "LANG");

  private final Path dir;

  private ScratchTemplate(Path dir) {
    this.dir = dir;
  }

  /** The template's directory (it may not exist yet). */
  Path dir() {
    return dir;
  }

  /** The template of the bundled binaries, see {@link #under(Path, Map, ScratchBinaries)}. */
  static Optional<ScratchTemplate> under(Path cacheRoot, Map<String, String> env) {
    return ScratchBinaries.bundled().flatMap(b -> under(cacheRoot, env, b));
  }

  /**
   * The template for {@code binaries} and this environment under {@code cacheRoot} (the user's
   * cache: {@code $XDG_CACHE_HOME}, else {@code ~/.cache}), or empty when there is none to use:
   * not Linux x86-64. A template made by one set of binaries is never used with another: the
   * bundled ones are named by their archive in the jar, the host's by their directory, version
   * strings, sizes and times, both after the password their clusters start with ({@link ClusterPassword}:
   * a template made trusting every connection is not used).
   */
  static Optional<ScratchTemplate> under(Path cacheRoot, Map<String, String> env, ScratchBinaries binaries) {
    if (!"Linux".equals(System.getProperty("os.name")) || !"amd64".equals(System.getProperty("os.arch"))) {
      return Optional.empty();
    }
    StringBuilder locale = new StringBuilder(binaries.identity());
    LOCALE_VARIABLES.forEach(v -> locale.append('\0').append(v).append('=').append(env.getOrDefault(v, "")));
    return Optional.of(new ScratchTemplate(cacheRoot.resolve("cutter").resolve("scratch-templates")
        .resolve("pg-" + sha256(locale.toString()).substring(0, 24))));
  }

  /** The user's cache directory: {@code $XDG_CACHE_HOME} when absolute, else {@code ~/.cache}. */
  static Path userCache(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg);
    }
    return Path.of(System.getProperty("user.home"), ".cache");
  }

  /** The bundled archive's CRC and size as the jar lists them (its 14 MB are not read). */
  static Optional<String> bundledArchive() {
    try {
      URL url = EmbeddedPostgres.class.getClassLoader().getResource(BINARIES);
      if (url == null) {
        return Optional.empty();
      }
      URLConnection c = url.openConnection();
      c.setUseCaches(true);
      if (!(c instanceof JarURLConnection jar)) {
        return Optional.empty();
      }
      JarEntry e = jar.getJarEntry();
      return e == null || e.getCrc() < 0 || e.getSize() < 0 ? Optional.empty()
          : Optional.of(Long.toHexString(e.getCrc()) + "-" + e.getSize());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * A fresh data directory for one scratch server: a copy of the template, made first when
   * missing (by {@code makeInto}, which runs the scratch's initdb into the directory it is given
   * and shuts the cluster down). Empty when the template cannot be made or is not safe to use;
   * the caller then runs initdb itself.
   */
  Optional<Path> copyForOneServer(java.util.function.Consumer<Path> makeInto) {
    try {
      // the cache directory as it really lies (no symbolic link left in its path), checked up to
      // the root before anything is made or read under it: a directory another user may write (or
      // owns) anywhere above lets that user rename ours away and put their own in its place
      // between the check and the copy, or while the template is made and started
      Path root = dir.getParent().getParent().getParent();
      if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path realRoot = root.toRealPath();
      if (!ownedAndPrivate(realRoot, realRoot.resolve(dir.getParent().getParent().getFileName()))) {
        return Optional.empty();
      }
      Path real = realRoot.resolve(dir.getParent().getParent().getFileName())
          .resolve(dir.getParent().getFileName()).resolve(dir.getFileName());
      Files.createDirectories(real.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (!ownedAndPrivate(real.getParent(), real.getParent().getParent())) {
        return Optional.empty();
      }
      if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
        make(real, makeInto);
      }
      if (!ownedAndPrivate(real, real.getParent().getParent()) || !complete(real)) {
        return Optional.empty();
      }
      Path copy = Files.createTempDirectory("epg");
      try {
        copyTree(real, copy);
        return Optional.of(copy);
      } catch (IOException | RuntimeException e) {
        deleteTree(copy);
        return Optional.empty();
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Makes the template in a private directory beside it and moves it to its name in one rename. */
  private static void make(Path dir, java.util.function.Consumer<Path> makeInto) throws IOException {
    Path parent = dir.getParent();
    byte[] r = new byte[6];
    new SecureRandom().nextBytes(r);
    Path partial = parent.resolve(dir.getFileName() + ".partial-" + HexFormat.of().formatHex(r));
    Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      makeInto.accept(partial);
      Files.deleteIfExists(partial.resolve("epg-lock"));
      if (!complete(partial)) {
        throw new IOException("the template cluster did not shut down cleanly");
      }
      Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      // another run's template may have won the rename: ours goes
      deleteTree(partial);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
    }
  }

  /** A cluster shut down cleanly: its version file and configuration, no postmaster's lock file. */
  private static boolean complete(Path d) {
    return Files.isRegularFile(d.resolve("PG_VERSION"), LinkOption.NOFOLLOW_LINKS)
        && Files.isRegularFile(d.resolve("postgresql.conf"), LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(d.resolve("postmaster.pid"), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * {@code d} and its parents up to {@code top} are owned by the user running cutter, are not
   * symbolic links, and neither group nor others may write them; every directory above {@code top}
   * up to the root is owned by that user or by root, and neither group nor others may write it
   * unless it is sticky (as {@code /tmp}: there only an entry's owner may rename or delete it).
   * {@code d} lies in a path without symbolic links above {@code top} (a real path).
   */
  static boolean ownedAndPrivate(Path d, Path top) throws IOException {
    int me = currentUid();
    for (Path p = d; p != null; p = p.getParent()) {
      if (Files.isSymbolicLink(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      boolean othersWrite = (mode & 0022) != 0;
      if (p.startsWith(top)) {
        if (owner != me || othersWrite) {
          return false;
        }
      } else if ((owner != me && owner != 0) || (othersWrite && (mode & 01000) == 0)) {
        return false;
      }
    }
    return true;
  }

  static int currentUid() throws IOException {
    Path probe = Files.createTempFile("cutter-owner", ".probe");
    try {
      return (Integer) Files.getAttribute(probe, "unix:uid");
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  /**
   * Copies the template's files with their permissions; PostgreSQL wants its directories 0700.
   * Every directory and file in it must be the user's own and writable by nobody else, as the
   * template's directory is: another user who could write {@code base/} or {@code global/} could
   * put catalogs of their own in the scratch (a rule, a trigger) that make a restore read as proven.
   */
  static void copyTree(Path from, Path to) throws IOException {
    int me = currentUid();
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      private void own(Path p) throws IOException {
        int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (owner != me || (mode & 0022) != 0) {
          throw new IOException("not the user's own or writable by others in the scratch template: " + p.getFileName());
        }
      }

      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
        own(d);
        Path target = to.resolve(from.relativize(d).toString());
        if (!d.equals(from)) {
          Files.createDirectory(target);
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        if (!a.isRegularFile()) {
          throw new IOException("not a regular file in the scratch template: " + f.getFileName());
        }
        own(f);
        Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Deletes a directory tree; what cannot be deleted stays (a best effort, never an exception). */
  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
          Files.deleteIfExists(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // what is left is in a private temporary directory
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
