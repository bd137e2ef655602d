package dev.cutter.core.db;

import java.util.Objects;
import java.util.Optional;

/**
 * Where and as whom to connect, resolved from {@code --target} and the libpq environment. The
 * password, when one was found (PGPASSWORD, the password file, or a prompt), is held here and
 * nowhere else; {@link #toString()} never shows it. Hand it to a child process only through its
 * environment ({@code PGPASSWORD}) or a private password file, never its argv.
 */
public record ConnectionSpec(String host, int port, String database, String user, Optional<Secret> password) {

  public ConnectionSpec {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** The same server and database, as another user (the password is not carried over). */
  public ConnectionSpec as(String otherUser, Optional<Secret> otherPassword) {
    return new ConnectionSpec(host, port, database, otherUser, otherPassword);
  }

  /** The same server as the same user, another database. */
  public ConnectionSpec withDatabase(String otherDatabase) {
    return new ConnectionSpec(host, port, otherDatabase, user, password);
  }

  /** A JDBC URL without credentials. */
  public String jdbcUrl() {
    String h = host.startsWith("/") ? "localhost" : host;
    return "jdbc:postgresql://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port + "/" + database;
  }

  /** A libpq URI without the password, safe to print. */
  public String display() {
    return "postgresql://" + user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return display();
  }

  /** A secret value that never prints itself. */
  public record Secret(String value) {
    public Secret {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "****";
    }
  }
}
