package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.Diagnostic;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.catalog.IdentityReader;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.online.OnlineScript;
import dev.cutter.core.run.PackageScripts;
import dev.cutter.core.scaffold.PackageYaml;
import dev.cutter.core.scaffold.Scaffold;
import dev.cutter.core.scaffold.ScaffoldDerivation;
import dev.cutter.core.scaffold.TargetReading;
import dev.cutter.core.text.YamlText;
import dev.cutter.core.sql.ArtifactScript;
import dev.cutter.core.sql.SqlSplitter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cutter package new DIR --sql FILE …}: a new package, its checks derived from the SQL and the live target. */
@Command(
    name = "new",
    mixinStandardHelpOptions = true,
    description = {
      "Write a new package into DIR (which must not exist or be empty): package.yaml, a copy of the change's SQL "
          + "(and of the online step, the rollback and the sandbox setup scripts) with their sha256 pinned, every "
          + "field commented.",
      "target: is read from the server --target reaches, as cutter target prints it. preflight: holds schema_exists, "
          + "objects_absent, objects_present and baseline checks derived from the SQL and the live catalog, and "
          + "rehearse: true; verify: what the change creates is present and what it drops absent; backup: the "
          + "touched schemas, min_bytes 1 %% of their pg_total_relation_size. Reads only; review, dry-run and sign the result."
    })
final class PackageNewCommand implements Callable<Integer> {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{2,127}");

  /** File names kept as they are in the package; any other is replaced by a plain one. */
  private static final Pattern PLAIN_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private static final List<String> RISKS = List.of("low", "medium", "high", "critical");

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "The package directory to write; must not exist, or be empty.")
  Path dir;

  @Option(names = "--sql", required = true, paramLabel = "FILE", description = "The change: SQL as psql -f would run it.")
  Path sql;

  @Option(names = "--rollback", paramLabel = "FILE", description = "SQL that undoes the change (rollback.artifact).")
  Path rollback;

  @Option(names = "--online", paramLabel = "FILE",
      description = "The online step: statements run after the change committed (CREATE INDEX CONCURRENTLY, ...).")
  Path online;

  @Option(names = "--id", required = true, paramLabel = "ID", description = "The package id: [a-z0-9][a-z0-9._-]{2,127}.")
  String id;

  @Option(names = "--apply-role", required = true, paramLabel = "ROLE",
      description = "The role the change runs as (target.apply_role); it must exist on the target.")
  String applyRole;

  @Option(names = "--title", paramLabel = "TEXT",
      description = "One line for people (default: the SQL file's name and the database).")
  String title;

  @Option(names = "--ref", paramLabel = "REF", description = "The approval's reference, e.g. the ticket (default: the id).")
  String ref;

  @Option(names = "--risk", paramLabel = "RISK", defaultValue = "medium",
      description = "low, medium, high or critical (default: ${DEFAULT-VALUE}).")
  String risk;

  @Option(names = "--expires", paramLabel = "WHEN", defaultValue = "7d",
      description = "When the authorization expires: a duration (7d, 12h, P1M), a date or an instant "
          + "(default: ${DEFAULT-VALUE}).")
  String expires;

  @Option(names = "--backup-dir", paramLabel = "DIR", defaultValue = "/var/lib/cutter/backups",
      description = "backup.dir: where the operator's host keeps the archive (default: ${DEFAULT-VALUE}).")
  String backupDir;

  @Option(names = "--sandbox-setup", paramLabel = "FILE",
      description = "A script a dry-run runs first on its throwaway server, e.g. creating the roles and schemas the "
          + "change expects (repeatable).")
  List<Path> sandboxSetup = new ArrayList<>();

  @Mixin ConnectionOptions connection;

  /**
   * A script read for the package: its bytes, its file name, the path it was given as (for
   * messages) and its path in the package.
   */
  private record Copy(FileContent content, String source, String given, String path) {}

  @Override
  public Integer call() throws IOException {
    Instant now = Instant.now();
    Instant expiresAt = expiry(now);
    options();
    checkDirectory();
    Set<String> taken = new HashSet<>();
    Copy change = copy(sql, "--sql", "ddl/", "change.sql", taken);
    Optional<Copy> onl = Optional.ofNullable(online).map(o -> copy(o, "--online", "ddl/", "online.sql", taken));
    Optional<Copy> back = Optional.ofNullable(rollback).map(r -> copy(r, "--rollback", "ddl/", "rollback.sql", taken));
    List<Copy> setup = new ArrayList<>();
    for (int i = 0; i < sandboxSetup.size(); i++) {
      setup.add(copy(sandboxSetup.get(i), "--sandbox-setup", "sandbox/", "setup-" + (i + 1) + ".sql", taken));
    }
    List<ExecStatement> changeStatements = statements(change);
    List<ExecStatement> onlineStatements = onl.map(PackageNewCommand::onlineStatements).orElse(List.of());
    List<ExecStatement> rollbackStatements = back.map(PackageNewCommand::statements).orElse(List.of());

    ConnectionSpec target = connection.resolve();
    TargetReading.Read read = read(target, change, changeStatements, onl, onlineStatements, back, rollbackStatements);

    Scaffold scaffold = new Scaffold(id, title != null ? title : change.source() + " on " + read.identity().database(),
        ref != null ? ref : id, expiresAt, risk.toLowerCase(Locale.ROOT), read.identity(), read.loginRole(), applyRole,
        artifact(change), onl.map(PackageNewCommand::artifact), back.map(PackageNewCommand::artifact), setup.stream().map(Copy::path).toList(), read.derived(),
        read.baselines(), read.scopeSize(), backupDir, read.readAt());
    String yaml = PackageYaml.render(scaffold);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(PackageLoader.FILE_NAME, yaml.getBytes(StandardCharsets.UTF_8));
    files.put(change.path(), change.content().toByteArray());
    onl.ifPresent(o -> files.put(o.path(), o.content().toByteArray()));
    back.ifPresent(b -> files.put(b.path(), b.content().toByteArray()));
    setup.forEach(s -> files.put(s.path(), s.content().toByteArray()));
    write(files);

    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (ScaffoldDerivation.Note w : read.derived().warnings()) {
      err.println(YamlText.comment("warning: " + w.file() + (w.line() == 0 ? "" : ":" + w.line()) + ": " + w.text()));
    }
    out.println("wrote " + dir.resolve(PackageLoader.FILE_NAME) + " (" + String.join(", ", files.keySet().stream()
        .filter(k -> !k.equals(PackageLoader.FILE_NAME)).toList()) + ")");
    out.println(summary(read.derived()));
    out.println("next: review it, cutter dry-run " + dir + ", then cutter package sign " + dir + " --key SECRET.asc");
    out.flush();
    err.flush();
    return ExitCodes.OK;
  }

  private Instant expiry(Instant now) {
    Instant at;
    try {
      at = ExpiryOption.parse(expires, now);
    } catch (IllegalArgumentException e) {
      throw CutterException.invalid("--expires: " + e.getMessage());
    }
    if (!at.isAfter(now)) {
      throw CutterException.invalid("--expires: " + at + " is not in the future: the package would be BLOCKED at once");
    }
    return at;
  }

  private void options() {
    if (!ID.matcher(id).matches()) {
      throw CutterException.invalid("--id: " + YamlText.quoted(id) + " is not a package id: expected [a-z0-9][a-z0-9._-]{2,127}");
    }
    if (!RISKS.contains(risk.toLowerCase(Locale.ROOT))) {
      throw CutterException.invalid("--risk: " + YamlText.quoted(risk) + ": expected low, medium, high or critical");
    }
    if (applyRole.isEmpty() || applyRole.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw CutterException.invalid("--apply-role: expected a role name of 1 to 63 bytes");
    }
    if (title != null && (title.isBlank() || title.codePoints().anyMatch(Character::isISOControl))) {
      throw CutterException.invalid("--title: expected one line of text");
    }
    if (ref != null && (ref.isBlank() || ref.codePoints().anyMatch(Character::isISOControl))) {
      throw CutterException.invalid("--ref: expected one line of text");
    }
    if (backupDir.isBlank() || backupDir.codePoints().anyMatch(Character::isISOControl)) {
      throw CutterException.invalid("--backup-dir: expected a directory path");
    }
  }

  /** DIR must not exist, or be an empty directory (not a symbolic link). */
  private void checkDirectory() throws IOException {
    if (Files.isSymbolicLink(dir)) {
      throw CutterException.invalid(dir + ": is a symbolic link; name a new directory for the package");
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw CutterException.invalid(dir + ": exists and is not a directory; name a new directory for the package");
    }
    try (Stream<Path> s = Files.list(dir)) {
      if (s.findAny().isPresent()) {
        throw CutterException.invalid(dir + ": exists and is not empty; package new writes only into a new or empty"
            + " directory");
      }
    }
  }

  /** Reads {@code file} whole; its path in the package keeps its name when that is a plain file name. */
  private static Copy copy(Path file, String option, String folder, String fallback, Set<String> taken) {
    FileContent content;
    try {
      content = FileContent.read(file.toRealPath(), PackageScripts.MAX_SCRIPT_BYTES);
    } catch (FileContent.TooLargeException e) {
      throw CutterException.invalid(option + " " + file + ": " + e.size() + " bytes; cutter reads SQL of at most "
          + PackageScripts.MAX_SCRIPT_BYTES + " bytes (64 MiB)");
    } catch (IOException e) {
      throw CutterException.invalid(option + " " + file + ": cannot read it (" + reason(e) + ")");
    }
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    String shown = PLAIN_FILE.matcher(name).matches() ? name : fallback;
    String path = folder + shown;
    for (int n = 2; taken.contains(path); n++) {
      int dot = shown.lastIndexOf('.');
      path = folder + (dot > 0 ? shown.substring(0, dot) + "-" + n + shown.substring(dot) : shown + "-" + n);
    }
    taken.add(path);
    return new Copy(content, name, file.toString(), path);
  }

  private static String reason(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * The statements as the executor would send them, judged as the loader judges an artifact; any
   * rejection is refused now, naming the file as given, its line and column.
   */
  private static List<ExecStatement> statements(Copy copy) {
    String text = copy.content().utf8().orElseThrow(() ->
        new InvalidInputException(new Diagnostic(copy.given(), 0, 0, "not valid UTF-8 text")));
    ArtifactScript script = ArtifactScript.of(SqlSplitter.split(copy.given(), text), ApplySettings.Mode.TRANSACTION);
    if (!script.runnable()) {
      throw new InvalidInputException(script.rejections());
    }
    if (script.statements().isEmpty()) {
      throw new InvalidInputException(new Diagnostic(copy.given(), 0, 0, "holds no statement"));
    }
    return PackageScripts.statements(script);
  }

  /** The online step's statements, judged by its own rules (see the package format's online step). */
  private static List<ExecStatement> onlineStatements(Copy copy) {
    String text = copy.content().utf8().orElseThrow(() ->
        new InvalidInputException(new Diagnostic(copy.given(), 0, 0, "not valid UTF-8 text")));
    OnlineScript script = OnlineScript.of(SqlSplitter.split(copy.given(), text));
    if (!script.runnable()) {
      throw new InvalidInputException(script.rejections());
    }
    if (script.statements().isEmpty()) {
      throw new InvalidInputException(new Diagnostic(copy.given(), 0, 0, "holds no statement"));
    }
    return script.statements().stream().map(s -> new ExecStatement(s.index(), s.line(), s.text())).toList();
  }

  private TargetReading.Read read(ConnectionSpec target, Copy change, List<ExecStatement> changeStatements,
      Optional<Copy> onl, List<ExecStatement> onlineStatements, Optional<Copy> back,
      List<ExecStatement> rollbackStatements) {
    Connection c;
    try {
      c = Connections.openReadOnly(target, "cutter package new");
    } catch (CutterException | SQLException e) {
      throw CutterException.invalid("cannot reach the target, and target.database, target.system_identifier,"
          + " target.server_version, the derived checks and backup.min_bytes come from it: "
          + (e instanceof SQLException se ? DbErrors.cannotConnect(target, se) : e.getMessage()) + "; nothing written");
    }
    try (c) {
      TargetReading.Read read = TargetReading.read(c, applyRole, change.path(), changeStatements,
          onl.map(Copy::path).orElse(null), onlineStatements, back.map(Copy::path).orElse(null), rollbackStatements);
      c.rollback();
      return read;
    } catch (IdentityReader.NotExecutableException e) {
      throw CutterException.invalid("target.system_identifier cannot be filled: " + e.getMessage() + "; nothing written");
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "reading the target on " + target.display() + " failed: "
          + DbErrors.oneLine(e) + "; nothing written", e);
    }
  }

  private static Scaffold.Artifact artifact(Copy c) {
    return new Scaffold.Artifact(c.source(), c.path(), c.content().sha256());
  }

  /**
   * Writes the files into a hidden sibling of DIR, loads the result as every verb would, and only
   * then renames it to DIR (or moves its entries into an empty DIR): a failure leaves nothing at DIR.
   */
  private void write(Map<String, byte[]> files) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path staging = parent.resolve("." + absolute.getFileName() + ".new-" + UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectory(staging);
    boolean moved = false;
    try {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Path p = staging.resolve(f.getKey());
        Files.createDirectories(p.getParent());
        Files.write(p, f.getValue(), java.nio.file.StandardOpenOption.CREATE_NEW);
      }
      try {
        PackageLoader.withInstalledChecks().load(staging);
      } catch (CutterException e) {
        throw new CutterException(ExitCodes.INTERNAL, "the package written is refused by the loader (a bug in package"
            + " new): " + e.getMessage(), e);
      }
      try {
        if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
          intoEmpty(staging, absolute);
        } else {
          Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
          moved = true;
        }
      } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
        throw CutterException.invalid(dir + ": exists and is not empty; package new writes only into a new or empty"
            + " directory");
      }
    } finally {
      if (!moved) {
        deleteTree(staging);
      }
    }
  }

  /**
   * Moves the staged entries into the empty directory {@code target}, which stays the same directory
   * (a shell may stand in it: {@code package new .}); package.yaml last, so that until the end the
   * directory holds no package.
   */
  private static void intoEmpty(Path staging, Path target) throws IOException {
    try (Stream<Path> s = Files.list(target)) {
      if (s.findAny().isPresent()) {
        throw new DirectoryNotEmptyException(target.toString());
      }
    }
    List<Path> entries;
    try (Stream<Path> s = Files.list(staging)) {
      entries = s.sorted(Comparator.comparing((Path p) -> p.getFileName().toString().equals(PackageLoader.FILE_NAME))
          .thenComparing(Path::toString)).toList();
    }
    for (Path e : entries) {
      Files.move(e, target.resolve(e.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String summary(ScaffoldDerivation.Derived d) {
    return "derived: " + d.schemas().size() + " schema" + (d.schemas().size() == 1 ? "" : "s") + " touched, "
        + d.absentBefore().size() + " object" + (d.absentBefore().size() == 1 ? "" : "s") + " created, "
        + d.presentBefore().size() + " existing object" + (d.presentBefore().size() == 1 ? "" : "s") + " changed or used, "
        + d.absentAfter().size() + " dropped; " + d.warnings().size() + " warning" + (d.warnings().size() == 1 ? "" : "s");
  }
}
