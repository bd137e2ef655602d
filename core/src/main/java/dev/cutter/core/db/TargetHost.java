package dev.cutter.core.db;

import dev.cutter.core.CutterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/**
 * The host cutter connects to, from the one given (target, service entry, {@code PGHOST}) or, when
 * none is, as libpq picks it on a Unix system: its compiled-in default socket directory. libpq then
 * fails when that directory holds no socket file for the port; cutter instead connects to
 * {@code localhost} over TCP, so a machine without a local server in the default directory keeps
 * working as before. Whatever is chosen is the spec's host, which pg_dump and pg_restore get as
 * {@code PGHOST}: every process reaches the same server the same way.
 */
public final class TargetHost {

  /**
   * The compiled-in default socket directory ({@code DEFAULT_PGSOCKET_DIR}) of Debian's and
   * Ubuntu's libpq, the platform of cutter's package (libpq's own source says {@code /tmp}).
   */
  public static final Path DEBIAN_SOCKET_DIRECTORY = Path.of("/var/run/postgresql");

  /** The JVM system property naming another default socket directory (an absolute path). */
  public static final String DEFAULT_SOCKET_DIRECTORY_PROPERTY = "cutter.default-socket-dir";

  /** The host used when there is no socket file in the default directory. */
  public static final String TCP_FALLBACK = "localhost";

  private TargetHost() {}

  /**
   * The host to connect to: {@code given} when it is set (checked by {@link #check}), else the
   * default socket directory when {@code socketExists} holds for its {@code .s.PGSQL.<port>},
   * else {@link #TCP_FALLBACK}.
   */
  static String choose(String given, int port, Path defaultSocketDirectory, Predicate<Path> socketExists) {
    if (given != null && !given.isBlank()) {
      return check(given);
    }
    Path socketFile = defaultSocketDirectory.resolve(".s.PGSQL." + port);
    return socketExists.test(socketFile) ? defaultSocketDirectory.toString() : TCP_FALLBACK;
  }

  /**
   * Refuses a host cutter cannot reach as libpq would: a comma list (libpq tries each in turn,
   * cutter changes one named primary) and a socket in Linux's abstract namespace ({@code @name}).
   */
  static String check(String host) {
    if (host.contains(",")) {
      throw CutterException.invalid("target: several hosts (" + host + ") are not supported: name the one primary to "
          + "change (in --target, the service entry or PGHOST)");
    }
    if (host.startsWith("@")) {
      throw CutterException.invalid("target: host " + host + " names a Unix socket in the abstract namespace, which "
          + "cutter cannot open: name a socket directory (an absolute path) or a host");
    }
    return host;
  }

  /** Whether {@code file} is there and is a socket, device or pipe (not a regular file or directory), links followed. */
  static boolean isSocketFile(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).isOther();
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** The default socket directory named by {@code property} (the JVM property's value), else Debian's. */
  static Path defaultSocketDirectory(String property) {
    if (property == null || property.isBlank()) {
      return DEBIAN_SOCKET_DIRECTORY;
    }
    if (!property.startsWith("/")) {
      throw CutterException.invalid(DEFAULT_SOCKET_DIRECTORY_PROPERTY + " must be an absolute directory, not '"
          + property + "'");
    }
    return Path.of(property);
  }
}
