package dev.cutter.core.db;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Whether this JVM can open Unix-domain sockets for the driver, and libpq's one-line reasons when
 * a socket connection cannot even be tried. The socket factory's native library is unpacked into
 * the temporary directory ({@code java.io.tmpdir}) and loaded on first use; when that fails the
 * library prints a stack trace and the driver would die of an {@link UnsatisfiedLinkError}, so the
 * first load happens here, once, with stderr held, and a failure becomes an {@link SQLException}.
 */
final class UnixSockets {

  private static volatile Boolean available;

  private UnixSockets() {}

  /** Throws the reason a connection through {@code socketFile} cannot be tried, as libpq words it. */
  static void checkUsable(Path socketFile) throws SQLException {
    if (!available()) {
      throw new SQLException("this Java cannot open Unix-domain sockets: the native library for them could not be "
          + "loaded from the temporary directory (java.io.tmpdir, " + System.getProperty("java.io.tmpdir")
          + "), which must allow executing files; name a host instead of a socket directory to connect over TCP", "08001");
    }
    if (!Files.exists(socketFile)) {
      throw new SQLException("connection to server on socket \"" + socketFile + "\" failed: No such file or directory. "
          + "Is the server running locally and accepting connections on that socket?", "08001");
    }
  }

  private static boolean available() {
    Boolean a = available;
    if (a == null) {
      synchronized (UnixSockets.class) {
        a = available;
        if (a == null) {
          PrintStream err = System.err;
          System.setErr(new PrintStream(OutputStream.nullOutputStream()));
          try {
            a = org.newsclub.net.unix.AFUNIXSocket.isSupported();
          } catch (LinkageError e) {
            a = false;
          } finally {
            System.setErr(err);
          }
          available = a;
        }
      }
    }
    return a;
  }
}
