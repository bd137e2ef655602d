package dev.cutter.core.db;

import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionSpec.Secret;
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
 * PGUSER, PGSERVICE, PGSERVICEFILE, PGPASSWORD, PGPASSFILE / ~/.pgpass) into a {@link
 * ConnectionSpec}, the way libpq would. A password is taken only from PGPASSWORD or the password
 * file: a target URI or service entry that carries one is refused, because it would sit in argv
 * or in a readable file.
 */
public final class ConnectionResolver {

  private final Map<String, String> env;
  private final Path home;

  public ConnectionResolver(Map<String, String> env, Path home) {
    this.env = Map.copyOf(env);
    this.home = home;
  }

  /** Resolver over this process's environment and home directory. */
  public static ConnectionResolver fromProcess() {
    return new ConnectionResolver(System.getenv(), Path.of(System.getProperty("user.home")));
  }

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
    String host = first(p.get("host"), "localhost");
    if (host.contains(",")) {
      throw CutterException.invalid("target: several hosts (" + host + ") are not supported: name the one primary to change");
    }
    int port = parsePort(first(p.get("port"), "5432"));
    String user = first(p.get("user"), System.getProperty("user.name"));
    String db = first(p.get("dbname"), user);
    Optional<Secret> password = Optional.ofNullable(env.get("PGPASSWORD")).filter(s -> !s.isEmpty()).map(Secret::new);
    if (password.isEmpty()) {
      password = passwordFromFile(host, port, db, user);
    }
    return new ConnectionSpec(host, port, db, user, password);
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
        if (eq > 0) {
          putParam(p, decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
        }
      }
    }
  }

  private static void putParam(Map<String, String> p, String key, String value) {
    if (key.equals("password")) {
      throw CutterException.invalid("target: a password in the target is refused; use PGPASSWORD or the password file (~/.pgpass)");
    }
    if (List.of("host", "port", "user", "dbname", "service").contains(key)) {
      p.put(key, value);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
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
        return found;
      }
    }
    throw CutterException.invalid("target: service '" + service + "' not found in " + serviceFiles());
  }

  private List<Path> serviceFiles() {
    Path user = env.containsKey("PGSERVICEFILE") ? Path.of(env.get("PGSERVICEFILE")) : home.resolve(".pg_service.conf");
    Path sys = Path.of(env.getOrDefault("PGSYSCONFDIR", "/etc/postgresql-common"), "pg_service.conf");
    return List.of(user, sys);
  }

  private Optional<Secret> passwordFromFile(String host, int port, String db, String user) {
    Path file = env.containsKey("PGPASSFILE") ? Path.of(env.get("PGPASSFILE")) : home.resolve(".pgpass");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
        // libpq ignores a password file others can read; so do we
        return Optional.empty();
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: read it as libpq does on such systems
    }
    return PassFile.lookup(file, host, port, db, user).map(Secret::new);
  }
}
