package dev.cutter.core.db;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and as whom to connect, resolved from {@code --target} and the libpq environment. The
 * password, when one was found (PGPASSWORD, the password file, or a prompt), is held here and
 * nowhere else; {@link #toString()} never shows it. Hand it to a child process only through its
 * environment ({@code PGPASSWORD}) or a private file, never its argv. Every value is data: the
 * driver receives it as a property ({@link Connections#properties}), never inside a URL.
 *
 * @param connectTimeoutSeconds libpq's {@code connect_timeout}; 0 waits without limit
 * @param passwordSearch where the password was looked for, when resolved from the libpq environment (else null)
 */
public record ConnectionSpec(String host, int port, String database, String user, Optional<Secret> password, Tls tls,
    int connectTimeoutSeconds, PasswordSearch passwordSearch) {

  /** cutter's connect timeout when neither the target nor PGCONNECT_TIMEOUT sets one. */
  public static final int DEFAULT_CONNECT_TIMEOUT = 10;

  public ConnectionSpec {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(tls, "tls");
  }

  /** A spec whose password was not looked for in the libpq environment (given by cutter itself, or by a test). */
  public ConnectionSpec(String host, int port, String database, String user, Optional<Secret> password, Tls tls,
      int connectTimeoutSeconds) {
    this(host, port, database, user, password, tls, connectTimeoutSeconds, null);
  }

  /** A spec with libpq's default TLS settings ({@code sslmode=prefer}, no files) and cutter's connect timeout. */
  public ConnectionSpec(String host, int port, String database, String user, Optional<Secret> password) {
    this(host, port, database, user, password, Tls.DEFAULT, DEFAULT_CONNECT_TIMEOUT);
  }

  /** The same server and database, as another user (the password is not carried over; the TLS settings are). */
  public ConnectionSpec as(String otherUser, Optional<Secret> otherPassword) {
    return new ConnectionSpec(host, port, database, otherUser, otherPassword, tls, connectTimeoutSeconds,
        passwordSearch == null ? null : passwordSearch.forOtherRole(otherPassword.isPresent()));
  }

  /** The same server as the same user, another database. */
  public ConnectionSpec withDatabase(String otherDatabase) {
    return new ConnectionSpec(host, port, otherDatabase, user, password, tls, connectTimeoutSeconds, passwordSearch);
  }

  /** The same connection with other TLS settings. */
  public ConnectionSpec withTls(Tls otherTls) {
    return new ConnectionSpec(host, port, database, user, password, otherTls, connectTimeoutSeconds, passwordSearch);
  }

  /**
   * The socket file a socket-directory host is reached through, as libpq names it:
   * {@code <dir>/.s.PGSQL.<port>}; empty for a host name or address (TCP).
   */
  public Optional<Path> socketFile() {
    return isSocketDirectory() ? Optional.of(Path.of(host, ".s.PGSQL." + port)) : Optional.empty();
  }

  /**
   * The sslmode in force on the connection: libpq neither requests nor requires TLS on a Unix
   * socket, whatever sslmode says, so on a socket directory it is {@code disable}; over TCP the
   * effective mode ({@link Tls#effectiveMode()}).
   */
  public SslMode sslModeInForce() {
    return isSocketDirectory() ? SslMode.DISABLE : tls.effectiveMode();
  }

  /** Whether {@link #host()} names a Unix socket directory. */
  public boolean isSocketDirectory() {
    return host.startsWith("/");
  }

  /**
   * Whether the target is on this machine: a socket directory, {@code localhost}, or a loopback
   * address. Only such targets may go without a verified TLS connection when the trust policy
   * requires {@code tls: verify-full}.
   */
  public boolean isLocal() {
    String h = host.toLowerCase(Locale.ROOT);
    return isSocketDirectory() || h.equals("localhost") || h.equals("127.0.0.1") || h.equals("::1");
  }

  /**
   * A URL naming only the driver: host, port, database and every setting travel as properties
   * ({@link Connections#properties}), so no value can change how the URL is read.
   */
  public String jdbcUrl() {
    return Connections.URL;
  }

  /** A libpq URI without the password, safe to print (not a connection string: values are not escaped). */
  public String display() {
    return "postgresql://" + user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return display();
  }

  /** libpq's {@code sslmode} values, with their libpq names. */
  public enum SslMode {
    DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

    /** The libpq (and driver) name, e.g. {@code verify-full}. */
    public String libpqName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The mode named {@code value} as libpq spells it, or empty. */
    public static Optional<SslMode> parse(String value) {
      for (SslMode m : values()) {
        if (m.libpqName().equals(value)) {
          return Optional.of(m);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * TLS settings as libpq takes them. A file is present only when it was named or, for the
   * libpq default locations ({@code ~/.postgresql/root.crt}, {@code postgresql.crt},
   * {@code postgresql.key}), when it exists.
   */
  public record Tls(SslMode mode, Optional<Path> rootCert, Optional<Path> cert, Optional<Path> key, Optional<Path> crl,
      Optional<Secret> keyPassword) {

    /** libpq's default: {@code sslmode=prefer} and no files. */
    public static final Tls DEFAULT = new Tls(SslMode.PREFER, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty());

    public Tls {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(rootCert, "rootCert");
      Objects.requireNonNull(cert, "cert");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(crl, "crl");
      Objects.requireNonNull(keyPassword, "keyPassword");
    }

    /** Only the mode set, no files. */
    public static Tls mode(SslMode mode) {
      return new Tls(mode, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The same settings with a root certificate file. */
    public Tls withRootCert(Path file) {
      return new Tls(mode, Optional.of(file), cert, key, crl, keyPassword);
    }

    /**
     * The mode that is actually in force. libpq verifies the server's certificate under
     * {@code sslmode=require} when a root certificate file exists (for compatibility it then
     * behaves as {@code verify-ca}); the driver does not, so cutter asks it for verify-ca.
     */
    public SslMode effectiveMode() {
      return mode == SslMode.REQUIRE && rootCert.isPresent() ? SslMode.VERIFY_CA : mode;
    }

    /** Whether a connection made with these settings has had the server's certificate checked against a root. */
    public boolean verifiesServer() {
      SslMode m = effectiveMode();
      return m == SslMode.VERIFY_CA || m == SslMode.VERIFY_FULL;
    }
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
