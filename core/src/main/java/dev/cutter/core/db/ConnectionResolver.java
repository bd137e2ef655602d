package dev.cutter.core.db;

import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.ConnectionSpec.SslMode;
import dev.cutter.core.db.ConnectionSpec.Tls;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves {@code --target} and the standard libpq environment (PGHOST, PGPORT, PGDATABASE,
 * PGUSER, PGSERVICE, PGSERVICEFILE, PGPASSWORD, PGPASSFILE / ~/.pgpass, PGSSLMODE, PGSSLROOTCERT,
 * PGSSLCERT, PGSSLKEY, PGCONNECT_TIMEOUT) into a {@link ConnectionSpec}, the way libpq would:
 * the target first, then the service, then the environment, then libpq's defaults (no host: the
 * default socket directory, never {@code localhost} over TCP, see {@link TargetHost}). A parameter
 * cutter does not take is refused rather than dropped, so a setting never silently goes missing. A password is taken only from PGPASSWORD or the password
 * file: a target URI or service entry that carries one is refused, because it would sit in argv
 * or in a readable file.
 */
public final class ConnectionResolver {

  private final Map<String, String> env;
  private final Path home;
  private final Path defaultSocketDirectory;

  /** A resolver with Debian's default socket directory ({@link TargetHost#DEBIAN_SOCKET_DIRECTORY}). */
  public ConnectionResolver(Map<String, String> env, Path home) {
    this(env, home, TargetHost.DEBIAN_SOCKET_DIRECTORY);
  }

  /**
   * A resolver whose default socket directory (libpq's compiled-in {@code DEFAULT_PGSOCKET_DIR}:
   * where a target without a host is looked for, and what the password file's {@code localhost}
   * stands for) is {@code defaultSocketDirectory}.
   */
  public ConnectionResolver(Map<String, String> env, Path home, Path defaultSocketDirectory) {
    this.env = Map.copyOf(env);
    this.home = home;
    this.defaultSocketDirectory = defaultSocketDirectory;
  }

  /**
   * Resolver over this process's environment and home directory ({@code HOME}, as libpq takes it);
   * the default socket directory is Debian's unless the JVM property
   * {@value TargetHost#DEFAULT_SOCKET_DIRECTORY_PROPERTY} names another.
   */
  public static ConnectionResolver fromProcess() {
    // libpq's home directory: $HOME when set, else the account's (which the JVM's user.home is)
    String home = System.getenv("HOME");
    return new ConnectionResolver(System.getenv(), Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home")),
        TargetHost.defaultSocketDirectory(System.getProperty(TargetHost.DEFAULT_SOCKET_DIRECTORY_PROPERTY)));
  }

  /** The default socket directory this resolver uses. */
  public Path defaultSocketDirectory() {
    return defaultSocketDirectory;
  }

  /** The connection parameters cutter takes, as libpq names them; any other is refused. */
  static final List<String> PARAMETERS = List.of("host", "port", "user", "dbname", "service", "sslmode", "sslrootcert",
      "sslcert", "sslkey", "sslcrl", "sslpassword", "connect_timeout", "application_name");

  /** Resolves {@code target} (null or blank: the environment alone). */
  public ConnectionSpec resolve(String target) {
    Map<String, String> p = new LinkedHashMap<>();
    if (target != null && !target.isBlank()) {
      String t = target.trim();
      if (t.startsWith("postgresql://") || t.startsWith("postgres://")) {
        parseUri(t, p);
      } else {
        parseKeywords(t, p);
      }
      if (p.containsKey("sslpassword")) {
        throw CutterException.invalid("target: sslpassword in --target would sit in the process list; put it in a "
            + "service file only you can read (chmod 600) and name the service");
      }
    }
    String service = p.containsKey("service") ? p.get("service") : env.get("PGSERVICE");
    if (service != null && !service.isBlank()) {
      Map<String, String> fromService = readService(service);
      fromService.forEach(p::putIfAbsent);
    }
    putIfAbsent(p, "host", env.get("PGHOST"));
    putIfAbsent(p, "port", env.get("PGPORT"));
    putIfAbsent(p, "user", env.get("PGUSER"));
    putIfAbsent(p, "dbname", env.get("PGDATABASE"));
    putIfAbsent(p, "sslmode", env.get("PGSSLMODE"));
    if (!p.containsKey("sslmode") && "1".equals(env.get("PGREQUIRESSL"))) {
      p.put("sslmode", "require"); // libpq's deprecated spelling, still honoured by libpq
    }
    putIfAbsent(p, "sslrootcert", env.get("PGSSLROOTCERT"));
    putIfAbsent(p, "sslcert", env.get("PGSSLCERT"));
    putIfAbsent(p, "sslkey", env.get("PGSSLKEY"));
    putIfAbsent(p, "sslcrl", env.get("PGSSLCRL"));
    putIfAbsent(p, "connect_timeout", env.get("PGCONNECT_TIMEOUT"));
    int port = parsePort(first(p.get("port"), "5432"));
    // no host: libpq's default socket directory, never localhost over TCP (threat L23)
    String host = TargetHost.choose(p.get("host"), defaultSocketDirectory);
    String user = first(p.get("user"), System.getProperty("user.name"));
    String db = first(p.get("dbname"), user);
    Optional<Secret> password = Optional.ofNullable(env.get("PGPASSWORD")).filter(s -> !s.isEmpty()).map(Secret::new);
    boolean fromEnvironment = password.isPresent();
    Path file = passFile();
    // libpq reads (and warns about) the file only when PGPASSWORD gave nothing; so does cutter
    PassFile.State state = fromEnvironment ? PassFile.State.MISSING : PassFile.check(file);
    if (password.isEmpty()) {
      password = passwordFromFile(file, state, host, port, db, user);
    }
    PasswordSearch search = new PasswordSearch(fromEnvironment, true, file, state, password.isPresent(),
        PassFile.passFileHost(host, defaultSocketDirectory));
    return new ConnectionSpec(host, port, db, user, password, tls(p, host.startsWith("/")),
        connectTimeout(p.get("connect_timeout")), search);
  }

  /**
   * The TLS settings as libpq would take them, with its default file locations. On a Unix socket
   * ({@code socket}) libpq uses no TLS and reads no TLS file, whatever sslmode says: only the
   * mode is kept (to be shown), no file is looked for or refused.
   */
  private Tls tls(Map<String, String> p, boolean socket) {
    String modeName = first(p.get("sslmode"), "prefer");
    SslMode mode = SslMode.parse(modeName).orElseThrow(() -> CutterException.invalid("target: sslmode '" + modeName
        + "' is not one of disable, allow, prefer, require, verify-ca, verify-full"));
    if (socket) {
      return Tls.mode(mode);
    }
    Path dir = home.resolve(".postgresql");
    Optional<Path> root;
    if (p.containsKey("sslrootcert")) {
      if (p.get("sslrootcert").equals("system")) {
        throw CutterException.invalid("target: sslrootcert=system is not supported; name the root certificate file");
      }
      root = Optional.of(Path.of(p.get("sslrootcert"))).filter(Files::isRegularFile);
      if (root.isEmpty() && (mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL)) {
        throw CutterException.invalid("target: root certificate file \"" + p.get("sslrootcert") + "\" does not exist; "
            + "provide the file or change sslmode");
      }
    } else {
      root = Optional.of(dir.resolve("root.crt")).filter(Files::isRegularFile);
      if (root.isEmpty() && (mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL)) {
        throw CutterException.invalid("target: sslmode=" + mode.libpqName() + " needs a root certificate: set sslrootcert "
            + "(PGSSLROOTCERT) or create ~/.postgresql/root.crt");
      }
    }
    if (mode == SslMode.DISABLE) {
      return Tls.mode(SslMode.DISABLE); // libpq reads no TLS file then
    }
    Optional<Path> cert = Optional.of(Path.of(first(p.get("sslcert"), dir.resolve("postgresql.crt").toString())))
        .filter(Files::isRegularFile);
    Optional<Path> key = Optional.empty();
    if (cert.isPresent()) {
      Path k = Path.of(first(p.get("sslkey"), dir.resolve("postgresql.key").toString()));
      if (!Files.isRegularFile(k)) {
        throw CutterException.invalid("target: certificate " + cert.get() + " present, but not private key file " + k);
      }
      if (keyTooOpen(k)) {
        throw CutterException.invalid("target: private key file " + k + " has group or world access; it must have "
            + "permissions u=rw (0600) or less, or u=rw,g=r (0640) or less when root owns it");
      }
      key = Optional.of(k);
    }
    // libpq loads a revocation list (sslcrl, else ~/.postgresql/root.crl) when it has a root
    // certificate, and ignores a list file that does not exist
    Optional<Path> crl = root.isEmpty() ? Optional.empty()
        : Optional.of(Path.of(first(p.get("sslcrl"), dir.resolve("root.crl").toString()))).filter(Files::isRegularFile);
    if (crl.isPresent() && cert.isPresent()) {
      throw CutterException.invalid("target: a revocation list (" + crl.get() + ") together with a client certificate ("
          + cert.get() + ") is not supported");
    }
    Optional<Secret> keyPassword = Optional.ofNullable(p.get("sslpassword")).filter(s -> !s.isEmpty()).map(Secret::new);
    return new Tls(mode, root, cert, key, crl, keyPassword);
  }

  /** libpq's connect_timeout: whole seconds; 0 or less waits without limit; 1 counts as 2. */
  private static int connectTimeout(String value) {
    if (value == null || value.isBlank()) {
      return ConnectionSpec.DEFAULT_CONNECT_TIMEOUT;
    }
    try {
      int t = Integer.parseInt(value.trim());
      return t <= 0 ? 0 : Math.max(t, 2);
    } catch (NumberFormatException e) {
      throw CutterException.invalid("target: connect_timeout must be whole seconds, not '" + value + "'");
    }
  }

  /** libpq's rule for a client key: 0600 or less, or 0640 or less when root owns it. */
  private static boolean keyTooOpen(Path key) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
      boolean rootOwned = Files.getOwner(key).getName().equals("root");
      return perms.stream().anyMatch(x -> x.name().startsWith("OTHERS")
          || (x.name().startsWith("GROUP") && (!rootOwned || x != PosixFilePermission.GROUP_READ)));
    } catch (UnsupportedOperationException | IOException e) {
      return false;
    }
  }

  private static boolean readableByOthers(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      return perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"));
    } catch (UnsupportedOperationException | IOException e) {
      return false;
    }
  }

  /** The password for another role on the same server, from the password file (PGPASSWORD applies to the login role only). */
  public Optional<Secret> passwordFor(ConnectionSpec server, String role) {
    return passwordFromFile(server.host(), server.port(), server.database(), role);
  }

  private static void putIfAbsent(Map<String, String> p, String key, String value) {
    if (value != null && !value.isBlank()) {
      p.putIfAbsent(key, value);
    }
  }

  private static String first(String a, String b) {
    return a != null && !a.isBlank() ? a : b;
  }

  private static int parsePort(String s) {
    try {
      int port = Integer.parseInt(s.trim());
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw CutterException.invalid("target: port must be 1 to 65535, not '" + s + "'");
    }
  }

  private static void parseUri(String uri, Map<String, String> p) {
    String rest = uri.substring(uri.indexOf("://") + 3);
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    String path = null;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      path = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
    }
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
      if (userInfo.contains(":")) {
        throw CutterException.invalid("target: the URI carries a password; remove it and use PGPASSWORD or the password file (~/.pgpass)");
      }
      putIfAbsent(p, "user", decode(userInfo));
    }
    if (!rest.isEmpty()) {
      String host = rest;
      String port = null;
      if (host.startsWith("[")) {
        int close = host.indexOf(']');
        if (close < 0) {
          throw CutterException.invalid("target: unterminated [ in the host of the URI");
        }
        port = host.length() > close + 2 && host.charAt(close + 1) == ':' ? host.substring(close + 2) : null;
        host = host.substring(1, close);
      } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
        port = host.substring(host.indexOf(':') + 1);
        host = host.substring(0, host.indexOf(':'));
      }
      putIfAbsent(p, "host", decode(host));
      putIfAbsent(p, "port", port);
    }
    if (path != null && !path.isEmpty()) {
      putIfAbsent(p, "dbname", decode(path));
    }
    if (query != null) {
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw CutterException.invalid("target: missing '=' in the URI parameter '" + kv + "'");
        }
        putParam(p, decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
      }
    }
  }

  private static void putParam(Map<String, String> p, String key, String value) {
    if (key.equals("password")) {
      throw CutterException.invalid("target: a password in the target is refused; use PGPASSWORD or the password file (~/.pgpass)");
    }
    if (key.equals("options")) {
      throw CutterException.invalid("target: 'options' is refused: it could set the role, search_path or other "
          + "settings of the sessions cutter checks and applies with");
    }
    if (key.equals("ssl") && value.equals("true")) {
      p.put("sslmode", "require"); // libpq's spelling for JDBC-style URIs
      return;
    }
    if (!PARAMETERS.contains(key)) {
      throw CutterException.invalid("target: unknown connection parameter '" + key + "' (cutter takes "
          + String.join(", ", PARAMETERS) + ")");
    }
    p.put(key, value);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw CutterException.invalid("target: invalid percent-encoding in the URI near '" + s + "'");
    }
  }

  /** libpq keyword/value form: {@code service=prod dbname=app user=x}. */
  private static void parseKeywords(String s, Map<String, String> p) {
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0) {
        throw CutterException.invalid("target: expected a URI postgresql://user@host:port/db or key=value pairs, got '" + s + "'");
      }
      String key = s.substring(i, eq).trim();
      i = eq + 1;
      StringBuilder v = new StringBuilder();
      if (i < n && s.charAt(i) == '\'') {
        i++;
        while (i < n && s.charAt(i) != '\'') {
          if (s.charAt(i) == '\\' && i + 1 < n) {
            i++;
          }
          v.append(s.charAt(i++));
        }
        i++;
      } else {
        while (i < n && !Character.isWhitespace(s.charAt(i))) {
          v.append(s.charAt(i++));
        }
      }
      putParam(p, key, v.toString());
    }
  }

  private Map<String, String> readService(String service) {
    for (Path file : serviceFiles()) {
      if (!Files.isRegularFile(file)) {
        continue;
      }
      Map<String, String> found = ServiceFile.read(file, service);
      if (found != null) {
        if (found.containsKey("password")) {
          throw CutterException.invalid(file + ": service '" + service + "' carries a password; move it to the password file (~/.pgpass)");
        }
        if (found.containsKey("sslpassword") && readableByOthers(file)) {
          throw CutterException.invalid(file + ": service '" + service + "' carries sslpassword but others can read the "
              + "file; chmod 600 it");
        }
        Map<String, String> checked = new LinkedHashMap<>();
        try {
          found.forEach((k, v) -> {
            if (k.equals("service")) {
              throw CutterException.invalid("nested service specifications are not supported");
            }
            if (k.equals("host") && !v.isBlank()) {
              TargetHost.check(v); // refused naming this file
            }
            putParam(checked, k, v);
          });
        } catch (CutterException e) {
          throw CutterException.invalid(file + ": service '" + service + "': " + e.getMessage().replaceFirst("^target: ", ""));
        }
        return checked;
      }
    }
    throw CutterException.invalid("target: service '" + service + "' not found in " + serviceFiles());
  }

  private List<Path> serviceFiles() {
    Path user = env.containsKey("PGSERVICEFILE") ? Path.of(env.get("PGSERVICEFILE")) : home.resolve(".pg_service.conf");
    Path sys = Path.of(env.getOrDefault("PGSYSCONFDIR", "/etc/postgresql-common"), "pg_service.conf");
    return List.of(user, sys);
  }

  private Path passFile() {
    String named = env.get("PGPASSFILE");
    return named != null && !named.isEmpty() ? Path.of(named) : home.resolve(".pgpass");
  }

  private Optional<Secret> passwordFromFile(String host, int port, String db, String user) {
    Path file = passFile();
    return passwordFromFile(file, PassFile.check(file), host, port, db, user);
  }

  private Optional<Secret> passwordFromFile(Path file, PassFile.State state, String host, int port, String db,
      String user) {
    return switch (state) {
      case USABLE -> PassFile.lookup(file, PassFile.passFileHost(host, defaultSocketDirectory), port, db, user)
          .map(Secret::new);
      case MISSING -> Optional.empty();
      case NOT_PLAIN, OPEN_TO_OTHERS -> Optional.empty(); // libpq warns and ignores it; so do we (PassFile.check warned)
    };
  }
}
