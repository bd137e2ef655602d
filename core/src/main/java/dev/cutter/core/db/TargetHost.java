package dev.cutter.core.db;

import dev.cutter.core.CutterException;
import java.nio.file.Path;

/**
 * The host cutter connects to, from the one given (target, service entry, {@code PGHOST}) or, when
 * none is, as libpq picks it on a Unix system: its compiled-in default socket directory, whether or
 * not it holds a socket file for the port. Without one the connection fails naming the socket file,
 * as psql's does; cutter never falls back to {@code localhost} over TCP, where any local user may
 * listen on a port the server does not hold and ask for the password in clear (threat L23). Whatever
 * is chosen is the spec's host, which pg_dump and pg_restore get as {@code PGHOST}: every process
 * reaches the same server the same way.
 */
public final class TargetHost {

  /**
   * The compiled-in default socket directory ({@code DEFAULT_PGSOCKET_DIR}) of Debian's and
   * Ubuntu's libpq, the platform of cutter's package (libpq's own source says {@code /tmp}).
   */
  public static final Path DEBIAN_SOCKET_DIRECTORY = Path.of("/var/run/postgresql");

  /** The JVM system property naming another default socket directory (an absolute path). */
  public static final String DEFAULT_SOCKET_DIRECTORY_PROPERTY = "cutter.default-socket-dir";

  private TargetHost() {}

  /**
   * The host to connect to: {@code given} when it is set (checked by {@link #check}), else the
   * default socket directory, as libpq takes it: its {@code .s.PGSQL.<port>} need not exist.
   */
  static String choose(String given, Path defaultSocketDirectory) {
    if (given != null && !given.isBlank()) {
      return check(given);
    }
    return defaultSocketDirectory.toString();
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
