package dev.cutter.core.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The libpq password file: {@code host:port:database:user:password}, {@code *} matches anything. */
final class PassFile {

  private static final Logger LOG = LoggerFactory.getLogger(PassFile.class);

  /** Files already warned about: one warning per file and reason in a run, however many lookups it makes. */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private PassFile() {}

  /** What libpq's rule (on POSIX systems) makes of a password file before reading it. */
  public enum State {
    /** stat fails (no such file, a directory cannot be searched): ignored without a word. */
    MISSING,
    /** Not a regular file (a directory, a FIFO, a device): ignored with a warning. */
    NOT_PLAIN,
    /** Any group or other permission bit set: ignored with a warning. */
    OPEN_TO_OTHERS,
    /** Read it (an unreadable file then simply yields no password, as with libpq). */
    USABLE
  }

  /** libpq's warning (after its "WARNING: ", which the log's level stands for) when the file is not a regular file. */
  static String notPlainWarning(Path file) {
    return "password file \"" + file + "\" is not a plain file";
  }

  /** libpq's warning (after its "WARNING: ") when group or others have any access. */
  static String openToOthersWarning(Path file) {
    return "password file \"" + file + "\" has group or world access; permissions should be u=rw (0600) or less";
  }

  /**
   * Applies libpq's rule to {@code file} (following symbolic links, as its stat does) and warns on
   * stderr, through the log, with libpq's own line when the file is ignored for its type or mode.
   */
  static State check(Path file) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException | SecurityException e) {
      return State.MISSING;
    }
    if (!attrs.isRegularFile()) {
      warn(notPlainWarning(file));
      return State.NOT_PLAIN;
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.readAttributes(file, PosixFileAttributes.class).permissions();
    } catch (UnsupportedOperationException e) {
      return State.USABLE; // not a POSIX file system: libpq does not check the mode there either
    } catch (IOException e) {
      return State.MISSING;
    }
    if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
      warn(openToOthersWarning(file));
      return State.OPEN_TO_OTHERS;
    }
    return State.USABLE;
  }

  private static void warn(String line) {
    if (WARNED.add(line)) {
      LOG.warn(line);
    }
  }

  /**
   * The host name libpq looks up in the password file for {@code host}: {@code localhost} for the
   * default socket directory ({@code defaultSocketDirectory}, libpq's compiled-in
   * {@code DEFAULT_PGSOCKET_DIR}, the directory a target without a host is looked for in),
   * compared as a string as libpq compares it (no path is made canonical); any other host as it
   * is, another socket directory and a loopback address included. The name replaces the host: a
   * line naming that directory itself does not match it, as with libpq.
   */
  static String passFileHost(String host, Path defaultSocketDirectory) {
    return host.isEmpty() || host.equals(defaultSocketDirectory.toString()) ? "localhost" : host;
  }

  /** The password of the first line for {@code fileHost} (see {@link #passFileHost}), port, database and user. */
  static Optional<String> lookup(Path file, String fileHost, int port, String db, String user) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    }
    String h = fileHost;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Optional<String> password = entry(line, List.of(h, String.valueOf(port), db, user));
      if (password.isPresent()) {
        return password;
      }
    }
    return Optional.empty();
  }

  /**
   * The password of one line when its first four fields match {@code values}, as libpq's
   * {@code passwordFromFile} reads it: a field is a wildcard only when it is exactly an unescaped
   * {@code *} (so {@code \*} is a literal star), {@code \} escapes the next character, and the
   * password ends at its first unescaped {@code :}.
   */
  static Optional<String> entry(String line, List<String> values) {
    int i = 0;
    for (String value : values) {
      i = matchField(line, i, value);
      if (i < 0) {
        return Optional.empty();
      }
    }
    StringBuilder password = new StringBuilder();
    for (; i < line.length() && line.charAt(i) != ':'; i++) {
      if (line.charAt(i) == '\\' && i + 1 < line.length()) {
        i++;
      }
      password.append(line.charAt(i));
    }
    return Optional.of(password.toString());
  }

  /** Where the next field starts when the field at {@code from} matches {@code value}, or -1. */
  private static int matchField(String line, int from, String value) {
    if (line.startsWith("*:", from)) {
      return from + 2;
    }
    int v = 0;
    for (int i = from; i < line.length(); i++) {
      char c = line.charAt(i);
      boolean escaped = c == '\\' && i + 1 < line.length();
      if (escaped) {
        c = line.charAt(++i);
      } else if (c == ':') {
        return v == value.length() ? i + 1 : -1;
      }
      if (v == value.length() || value.charAt(v) != c) {
        return -1;
      }
      v++;
    }
    return -1;
  }
}
