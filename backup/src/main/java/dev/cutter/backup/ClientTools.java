package dev.cutter.backup;

import dev.cutter.backup.PgTools.ToolVersion;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Tls;
import dev.cutter.core.via.PgDumpVia;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How cutter starts pg_dump and pg_restore: found in {@code pgBin} or on PATH and run directly, or
 * run through the operator's command prefix ({@link PgDumpVia}) where the server lives. Builds the
 * argv and environment of each run, the {@code --version} check included, so that all three go
 * the same way. No secret is ever put in argv: the password travels in the environment, by name.
 *
 * <p>Through a prefix, the host's libpq variables may not reach pg_dump (a container sees only
 * those its prefix forwards), so the connection also travels in argv as one conninfo string
 * ({@code --dbname=host=... port=... dbname=... user=... sslmode=...}), which names no secret;
 * only {@code PGPASSWORD} has to be forwarded (e.g. {@code docker exec -i -e PGPASSWORD ...}).
 */
public final class ClientTools {

  private final PgTools local;
  private final Optional<Path> pgBin;
  private final Optional<PgDumpVia> via;

  ClientTools(Optional<Path> pgBin, String pathVariable, Optional<PgDumpVia> via) {
    this.local = new PgTools(pgBin, pathVariable);
    this.pgBin = pgBin;
    this.via = via;
  }

  /** A client program ready to run: the argv it starts with (the prefix's words, then the program). */
  public record Program(String name, List<String> command) {
    public Program {
      command = List.copyOf(command);
    }

    /** The program as the operator would recognise it: its path, or the whole prefixed command. */
    public String display() {
      return PgDumpVia.display(command);
    }
  }

  /** The prefix in use, if any. */
  public Optional<PgDumpVia> via() {
    return via;
  }

  /**
   * {@code name} found in pgBin or on PATH; through a prefix, always the program as named to the
   * prefix ({@code pgBin/name} when pgBin is given: a directory where pg_dump runs), since only
   * running it there can tell whether it exists (see {@link #version}).
   */
  public Optional<Program> find(String name) {
    if (via.isPresent()) {
      List<String> cmd = new ArrayList<>(via.get().prefix());
      cmd.add(pgBin.map(d -> d.resolve(name).toString()).orElse(name));
      return Optional.of(new Program(name, cmd));
    }
    return local.find(name).map(p -> new Program(name, List.of(p.toString())));
  }

  /**
   * Why a program found here could be another user's rather than the one the operator installed:
   * the file, or a directory above it (as named and resolved), is owned by a user other than root
   * and the running user, or others may write it (a directory's sticky bit allowed). It runs as the
   * operator and pg_dump gets the backup login's password. Empty when nobody else could change it,
   * and through a prefix (which runs where this host cannot look).
   */
  public Optional<String> othersMayChange(Program program) throws IOException {
    if (via.isPresent()) {
      return Optional.empty();
    }
    Path p = Path.of(program.command().get(0));
    Optional<OthersMayChange.Finding> f = OthersMayChange.at(p, false);
    if (f.isEmpty()) {
      f = OthersMayChange.above(p);
    }
    return f.map(found -> program.name() + " at " + p + " is not the running user's or root's alone ("
        + found.found() + "): another user could have put a program of their own there, and it would run as you"
        + (program.name().equals("pg_dump") ? " with the backup login's password" : ""));
  }

  /** Where a program was looked for, for messages. */
  public String searched() {
    return via.map(v -> "through " + v.display() + " (from " + v.source() + ")").orElseGet(local::searched);
  }

  /**
   * {@code program --version}: directly as before, or through the prefix with {@code environment}
   * (no libpq variable, no password: a version check connects nowhere).
   */
  public ToolVersion version(Program program, Map<String, String> environment) throws IOException {
    if (via.isEmpty()) {
      return PgTools.version(Path.of(program.command().get(0)));
    }
    List<String> cmd = new ArrayList<>(program.command());
    cmd.add("--version");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(BackupGate.withoutLibpqVariables(environment));
    Process p = pb.start();
    p.getOutputStream().close();
    String out;
    try (var in = p.getInputStream()) {
      out = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(program.display() + " --version did not finish in 60 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + program.display() + " --version", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(program.display() + " --version exited " + p.exitValue() + ": " + PgTools.firstLine(out));
    }
    int major = PgTools.parseMajor(out);
    if (major < 0) {
      throw new IOException(program.display() + " --version printed no PostgreSQL version: " + PgTools.firstLine(out));
    }
    return new ToolVersion(Path.of(program.command().get(program.command().size() - 1)), PgTools.firstLine(out), major);
  }

  /** The server as pg_dump reaches it: through a prefix, at the prefix's host and port when it names them. */
  ConnectionSpec endpoint(ConnectionSpec conn) {
    if (via.isEmpty()) {
      return conn;
    }
    PgDumpVia v = via.get();
    String host = v.host().orElse(conn.host());
    int port = v.port().isPresent() ? v.port().getAsInt() : conn.port();
    return new ConnectionSpec(host, port, conn.database(), conn.user(), conn.password(), conn.tls(),
        conn.connectTimeoutSeconds());
  }

  /** Connection arguments for pg_dump's argv: none when run directly, the conninfo string through a prefix. */
  List<String> connectionArguments(ConnectionSpec endpoint) {
    return via.isEmpty() ? List.of() : List.of("--dbname=" + conninfo(endpoint));
  }

  /**
   * pg_dump's environment. Run directly: exactly {@link BackupGate#childEnvironment}. Through a
   * prefix, the same with PGHOST and PGPORT set to the prefix's endpoint as given (a socket
   * directory stays one: pg_dump, not the JDBC driver, connects there).
   */
  Map<String, String> dumpEnvironment(ConnectionSpec endpoint, Map<String, String> base, Optional<Path> keyPasswordFile) {
    Map<String, String> env = BackupGate.childEnvironment(endpoint, base, keyPasswordFile);
    if (via.isPresent()) {
      env.put("PGHOST", endpoint.host());
    }
    return env;
  }

  /**
   * A failed pg_dump run through {@code via}: its details also say what the prefix must do, since
   * the usual cause is a variable the prefix did not forward or an endpoint not reachable from there.
   */
  static BackupResult.Blocked throughPrefix(BackupResult.Blocked b, PgDumpVia via, boolean password) {
    String hint = "pg_dump ran through " + via.display() + " (from " + via.source() + "), connecting to the host and port"
        + " in its --dbname argument as seen from there" + (password ? "; the password is in the prefix's environment as"
        + " PGPASSWORD and reaches pg_dump only if the prefix forwards it by name (e.g. -e PGPASSWORD)" : "");
    String details = b.details() == null || b.details().isBlank() ? hint : b.details().strip() + "\n" + hint;
    return new BackupResult.Blocked(b.kind(), b.reason(), details, b.expected(), b.actual(), b.quarantined());
  }

  /**
   * A libpq conninfo string of the endpoint without any secret: every value single-quoted with
   * {@code \} and {@code '} escaped (libpq's rules), so no value can add a keyword.
   */
  static String conninfo(ConnectionSpec c) {
    List<String> parts = new ArrayList<>();
    add(parts, "host", c.host());
    add(parts, "port", String.valueOf(c.port()));
    add(parts, "dbname", c.database());
    add(parts, "user", c.user());
    Tls tls = c.tls();
    add(parts, "sslmode", tls.effectiveMode().libpqName());
    tls.rootCert().ifPresent(f -> add(parts, "sslrootcert", f.toString()));
    tls.cert().ifPresent(f -> add(parts, "sslcert", f.toString()));
    tls.key().ifPresent(f -> add(parts, "sslkey", f.toString()));
    tls.crl().ifPresent(f -> add(parts, "sslcrl", f.toString()));
    add(parts, "gssencmode", "disable");
    add(parts, "application_name", "cutter pg_dump");
    if (c.connectTimeoutSeconds() > 0) {
      add(parts, "connect_timeout", String.valueOf(c.connectTimeoutSeconds()));
    }
    return String.join(" ", parts);
  }

  private static void add(List<String> parts, String keyword, String value) {
    parts.add(keyword + "='" + value.replace("\\", "\\\\").replace("'", "\\'") + "'");
  }
}
