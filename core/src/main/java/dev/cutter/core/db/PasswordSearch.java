package dev.cutter.core.db;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where cutter looked for a connection's password, as libpq would: {@code PGPASSWORD} (the login
 * role only), then the password file. Kept with the {@link ConnectionSpec} so that a refused
 * login can say where the password came from, or where it was looked for and why none was found.
 * Code decides nothing from its text; {@link #describe} is for people.
 *
 * @param fromEnvironment the password is {@code PGPASSWORD}'s
 * @param environmentApplies whether {@code PGPASSWORD} serves this role (it serves the login role only)
 * @param file the password file cutter looked at ({@code PGPASSFILE} or {@code ~/.pgpass})
 * @param fileState what libpq's rule made of that file
 * @param lineFound the file had a line for this host, port, database and user
 * @param fileHost the host name looked up in the file ({@code localhost} for the default socket directory)
 */
public record PasswordSearch(boolean fromEnvironment, boolean environmentApplies, Path file, PassFile.State fileState,
    boolean lineFound, String fileHost) {

  public PasswordSearch {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(fileState, "fileState");
    Objects.requireNonNull(fileHost, "fileHost");
  }

  /** The same file, for another role of the same server: PGPASSWORD does not serve it. */
  PasswordSearch forOtherRole(boolean found) {
    return new PasswordSearch(false, false, file, fileState, found, fileHost);
  }

  /** One clause for a refused login: where the password came from, or where it was looked for. */
  public String describe(ConnectionSpec spec) {
    if (fromEnvironment) {
      return "the password came from PGPASSWORD";
    }
    if (lineFound) {
      return "the password came from the password file " + file;
    }
    String env = environmentApplies ? "PGPASSWORD is not set" : "PGPASSWORD serves the login role only";
    String inFile = switch (fileState) {
      case MISSING -> "does not exist (PGPASSFILE names another; mode 0600)";
      case NOT_PLAIN -> "is not a plain file and was ignored";
      case OPEN_TO_OTHERS -> "was ignored because group or others can read it (chmod 0600 it)";
      case USABLE -> "has no line for " + fileHost + ":" + spec.port() + ":" + spec.database() + ":" + spec.user();
    };
    return "no password found: " + env + ", and the password file " + file + " " + inFile;
  }
}
