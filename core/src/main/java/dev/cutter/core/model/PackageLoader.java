package dev.cutter.core.model;

import dev.cutter.core.CutterException;
import dev.cutter.core.Diagnostic;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.check.CheckType;
import dev.cutter.core.check.Problems;
import dev.cutter.core.lint.LintPolicy;
import dev.cutter.core.lint.LintRule;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates a package.yaml (SPEC section 2) into an {@link ApplyPackage}. Every problem
 * is collected and reported at once as an {@link InvalidInputException} (exit 2) whose
 * diagnostics read {@code file:line:col: field: what was expected}; no input, however broken,
 * produces a stack trace. Artifact hashes are checked for form only: comparing them with the
 * files is the integrity gate's job (a mismatch is BLOCKED, not an invalid package).
 */
public final class PackageLoader {

  public static final String FILE_NAME = "package.yaml";
  public static final String API_VERSION = "cutter/v1";
  public static final String KIND = "ApplyPackage";

  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{2,127}");
  static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern RFC3339 =
      Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,18})(us|ms|s|min|h|d)");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");
  private static final Pattern FINGERPRINT = Pattern.compile("([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})");
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}");
  private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  /** PostgreSQL's timeouts are int milliseconds. */
  private static final long MAX_TIMEOUT_MS = Integer.MAX_VALUE;

  private static final List<String> TOP_REQUIRED = List.of("apiVersion", "kind", "id", "title", "authorization", "target", "artifact");
  private static final List<String> TOP_OPTIONAL = List.of("preflight", "backup", "apply", "verify", "rollback", "sandbox", "online", "lint");

  private final Map<String, CheckType> types;

  /** A loader that knows exactly {@code types} (names must be unique). */
  public PackageLoader(Collection<? extends CheckType> types) {
    Map<String, CheckType> byName = new TreeMap<>();
    for (CheckType t : types) {
      if (byName.put(t.name(), t) != null) {
        throw new IllegalArgumentException("two check types are named " + t.name());
      }
    }
    this.types = byName;
  }

  /** A loader that knows every {@link CheckType} registered on the class path. */
  public static PackageLoader withInstalledChecks() {
    List<CheckType> found = new ArrayList<>();
    try {
      ServiceLoader.load(CheckType.class).forEach(found::add);
    } catch (ServiceConfigurationError e) {
      throw new CutterException(ExitCodes.INTERNAL, "a check type on the class path could not be loaded: " + e.getMessage(), e);
    }
    return new PackageLoader(found);
  }

  /** The check names this loader accepts, sorted. */
  public Set<String> checkNames() {
    return types.keySet();
  }

  /** The check type named {@code name}, if known. */
  public Optional<CheckType> checkType(String name) {
    return Optional.ofNullable(types.get(name));
  }

  /**
   * Where package.yaml of a loaded package sets the value at {@code path} (e.g. {@code apply},
   * {@code lock_timeout}), read again from the bytes it was loaded from; empty when it does not set it.
   */
  public static Optional<SourcePosition> positionOf(ApplyPackage pkg, String... path) {
    Optional<YamlDocument> doc = YamlDocument.parse(pkg.source().toByteArray(), new Problems(String.valueOf(pkg.file())));
    YamlValue at = doc.map(YamlDocument::value).orElse(null);
    for (String key : path) {
      if (!(at instanceof YamlValue.Mapping m) || m.get(key).isEmpty()) {
        return Optional.empty();
      }
      at = m.get(key).get();
    }
    return Optional.ofNullable(at).map(YamlValue::position);
  }

  /** package.yaml itself for {@code pkg}, which names either that file or its directory. */
  public static Path packageFile(Path pkg) {
    return Files.isDirectory(pkg) ? pkg.resolve(FILE_NAME) : pkg;
  }

  /**
   * Loads and validates the package at {@code packageYamlOrItsDirectory}.
   *
   * @throws InvalidInputException listing every problem found (exit 2)
   */
  public ApplyPackage load(Path packageYamlOrItsDirectory) {
    return load(packageYamlOrItsDirectory, true);
  }

  /**
   * Like {@link #load} but accepts a missing, empty or malformed {@code sha256} (the artifact's
   * {@link ArtifactRef#sha256()} is then empty): for {@code cutter package hash}, which exists to
   * fix exactly those. Everything else is validated as strictly as by {@link #load}.
   */
  public ApplyPackage loadIgnoringHashes(Path packageYamlOrItsDirectory) {
    return load(packageYamlOrItsDirectory, false);
  }

  private ApplyPackage load(Path pkg, boolean strictHashes) {
    Path file = packageFile(pkg);
    Problems problems = new Problems(file.toString());
    byte[] bytes = readPackageFile(file);
    YamlDocument doc = YamlDocument.parse(bytes, problems).orElse(null);
    if (doc == null) {
      problems.throwIfAny();
    }
    Path dir;
    try {
      dir = file.toAbsolutePath().getParent().toRealPath();
    } catch (IOException e) {
      throw new InvalidInputException(new Diagnostic(file.toString(), 0, 0, "cannot resolve the package directory: " + e.getMessage()));
    }
    FileContent source = FileContent.of(bytes);
    ApplyPackage result = new Reading(problems, dir, strictHashes)
        .read(doc.value(), file.toAbsolutePath().normalize(), source);
    problems.throwIfAny();
    return result;
  }

  private static boolean isYamlName(Path file) {
    String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

  /**
   * package.yaml for {@code pkg} (see {@link #packageFile}) when it is an existing regular file with a
   * YAML name; else the one-line refusal (exit 2) that {@link #load} gives.
   */
  public static Path existingPackageFile(Path pkg) {
    Path file = packageFile(pkg);
    requirePackageFile(file);
    return file;
  }

  private static void requirePackageFile(Path file) {
    String name = file.toString();
    if (!Files.exists(file)) {
      throw Files.exists(file.toAbsolutePath().getParent()) && file.getFileName().toString().equals(FILE_NAME)
          ? new InvalidInputException(new Diagnostic(name, 0, 0, "no such file (a package is a directory with " + FILE_NAME + ")"))
          : NotAPackageException.notFound(name);
    }
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(new Diagnostic(name, 0, 0, "not a regular file"));
    }
    if (!isYamlName(file)) {
      throw NotAPackageException.notYaml(name);
    }
  }

  /** Reads package.yaml whole (it is small: at most {@link YamlDocument#MAX_BYTES}). */
  static byte[] readPackageFile(Path file) {
    String name = file.toString();
    requirePackageFile(file);
    try {
      long size = Files.size(file);
      if (size > YamlDocument.MAX_BYTES) {
        throw new InvalidInputException(new Diagnostic(name, 0, 0,
            "file is " + size + " bytes; a package.yaml may have at most " + YamlDocument.MAX_BYTES));
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidInputException(new Diagnostic(name, 0, 0, "cannot read: " + e.getMessage()));
    }
  }

  /** One validation pass over a parsed document. Fields missing or invalid are null until the end. */
  private final class Reading {
    private final Problems problems;
    private final YamlFields fields;
    private final Path dir;
    private final boolean strictHashes;

    Reading(Problems problems, Path dir, boolean strictHashes) {
      this.problems = problems;
      this.fields = new YamlFields(problems);
      this.dir = dir;
      this.strictHashes = strictHashes;
    }

    ApplyPackage read(YamlValue root, Path file, FileContent source) {
      if (!(root instanceof YamlValue.Mapping)) {
        fields.report(root, "package.yaml", "expected a mapping at the top level (apiVersion: " + API_VERSION + ", kind: "
            + KIND + ", ...), got " + YamlFields.describe(root));
        return null;
      }
      YamlValue.Mapping m = fields.mapping(OperatorOnlyFields.refuse(root, "", problems), "", TOP_REQUIRED, TOP_OPTIONAL)
          .orElseThrow();
      m.get("apiVersion").ifPresent(v -> constant(v, "apiVersion", API_VERSION));
      m.get("kind").ifPresent(v -> constant(v, "kind", KIND));
      String id = m.get("id").flatMap(v -> id(v)).orElse(null);
      String title = m.get("title").flatMap(v -> fields.string(v, "title")).orElse(null);
      Authorization authorization = m.get("authorization").map(this::authorization).orElse(null);
      Target target = m.get("target").map(this::target).orElse(null);
      ArtifactRef artifact = m.get("artifact").map(v -> artifact(v, "artifact")).orElse(null);
      List<CheckSpec> preflight = m.get("preflight").map(v -> checks(v, "preflight")).orElse(List.of());
      BackupPolicy backup = m.get("backup").map(this::backup).orElse(BackupPolicy.none());
      ApplySettings apply = m.get("apply").map(this::apply).orElse(ApplySettings.defaults());
      List<CheckSpec> verify = m.get("verify").map(v -> checks(v, "verify")).orElse(List.of());
      Optional<Rollback> rollback = m.get("rollback").map(this::rollback);
      Sandbox sandbox = m.get("sandbox").map(this::sandbox).orElse(Sandbox.empty());
      Optional<OnlineStep> online = m.get("online").map(this::online);
      LintPolicy lint = m.get("lint").map(this::lint).orElse(LintPolicy.DEFAULT);
      if (!problems.isEmpty()) {
        return null;
      }
      return new ApplyPackage(file, dir, source.sha256(), id, title, authorization, target, artifact, preflight, backup, apply,
          verify, rollback, sandbox, source, online, lint);
    }

    /** {@code lint: { deny: [rule ids], allow: [rule ids] }}: every id a known rule, none in both lists. */
    private LintPolicy lint(YamlValue v) {
      String f = "lint";
      return fields.mapping(v, f, List.of(), List.of("deny", "allow")).map(m -> {
        Set<LintRule> deny = m.get("deny").map(x -> rules(x, f + ".deny")).orElse(Set.of());
        Set<LintRule> allow = m.get("allow").map(x -> rules(x, f + ".allow")).orElse(Set.of());
        m.get("allow").ifPresent(x -> {
          for (LintRule r : allow) {
            if (deny.contains(r)) {
              fields.report(x, f + ".allow", "'" + r.id() + "' is also in lint.deny: a rule is denied or allowed, not both");
            }
          }
        });
        return new LintPolicy(deny, allow);
      }).orElse(LintPolicy.DEFAULT);
    }

    private Set<LintRule> rules(YamlValue v, String field) {
      Set<LintRule> out = java.util.EnumSet.noneOf(LintRule.class);
      for (YamlValue item : fields.list(v, field)) {
        fields.string(item, field).ifPresent(id -> {
          Optional<LintRule> r = LintRule.byId(id);
          if (r.isEmpty()) {
            fields.report(item, field, "unknown lint rule '" + id + "'; expected one of " + String.join(", ", LintRule.ids()));
          } else {
            out.add(r.get());
          }
        });
      }
      return out;
    }

    private void constant(YamlValue v, String field, String expected) {
      fields.string(v, field).filter(s -> !s.equals(expected))
          .ifPresent(s -> fields.report(v, field, "expected " + expected + ", got '" + s + "'"));
    }

    private Optional<String> id(YamlValue v) {
      Optional<String> s = fields.string(v, "id");
      if (s.isPresent() && !ID.matcher(s.get()).matches()) {
        fields.report(v, "id", "'" + s.get() + "' is not a package id: 3 to 128 characters of a-z 0-9 . _ -, "
            + "starting with a letter or digit");
        return Optional.empty();
      }
      return s;
    }

    private Authorization authorization(YamlValue v) {
      String f = "authorization";
      return fields.mapping(v, f, List.of("ref", "expires_at", "risk"), List.of("chain")).map(m -> {
        String ref = m.get("ref").flatMap(x -> fields.string(x, f + ".ref")).orElse(null);
        Instant expires = m.get("expires_at").flatMap(x -> timestamp(x, f + ".expires_at")).orElse(null);
        Risk risk = m.get("risk").flatMap(x -> risk(x, f + ".risk")).orElse(null);
        List<String> chain = m.get("chain").map(x -> fields.strings(x, f + ".chain")).orElse(List.of());
        return ref == null || expires == null || risk == null ? null : new Authorization(ref, expires, risk, chain);
      }).orElse(null);
    }

    private Optional<Instant> timestamp(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && (s.isString() || YamlValue.Scalar.TIMESTAMP.equals(s.tag()))
          && RFC3339.matcher(s.value()).matches()) {
        try {
          return Optional.of(OffsetDateTime.parse(s.value().toUpperCase(Locale.ROOT)).toInstant());
        } catch (DateTimeParseException e) {
          fields.report(v, field, "'" + s.value() + "' is not a valid date and time");
          return Optional.empty();
        }
      }
      fields.report(v, field, "expected an RFC 3339 date-time with offset, e.g. 2026-05-19T06:00:00Z, got "
          + YamlFields.describe(v));
      return Optional.empty();
    }

    private Optional<Risk> risk(YamlValue v, String field) {
      return fields.string(v, field).flatMap(s -> {
        for (Risk r : Risk.values()) {
          if (r.yamlName().equals(s)) {
            return Optional.of(r);
          }
        }
        fields.report(v, field, "expected one of low, medium, high, critical, got '" + s + "'");
        return Optional.empty();
      });
    }

    private Target target(YamlValue v) {
      String f = "target";
      return fields.mapping(OperatorOnlyFields.refuse(v, f, problems), f, List.of("database", "system_identifier", "apply_role"),
          List.of("server_version", "backup_role"))
          .map(m -> {
            String database = m.get("database").flatMap(x -> fields.identifier(x, f + ".database")).orElse(null);
            String system = m.get("system_identifier").flatMap(x -> systemIdentifier(x, f + ".system_identifier")).orElse(null);
            Optional<String> version = m.get("server_version").flatMap(x -> fields.majorVersion(x, f + ".server_version"));
            String applyRole = m.get("apply_role").flatMap(x -> fields.identifier(x, f + ".apply_role")).orElse(null);
            Optional<String> backupRole = m.get("backup_role").flatMap(x -> fields.identifier(x, f + ".backup_role"));
            return database == null || system == null || applyRole == null ? null
                : new Target(database, system, version, applyRole, backupRole);
          }).orElse(null);
    }

    private Optional<String> systemIdentifier(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && YamlValue.Scalar.INT.equals(s.tag())) {
        fields.report(v, field, "quote it: a YAML integer loses precision (write \"" + s.value() + "\")");
        return Optional.empty();
      }
      Optional<String> s = fields.string(v, field);
      if (s.isPresent() && !(DIGITS.matcher(s.get()).matches() && new BigInteger(s.get()).compareTo(MAX_UINT64) <= 0)) {
        fields.report(v, field, "expected the digits of pg_control_system().system_identifier, got '" + s.get() + "'");
        return Optional.empty();
      }
      return s;
    }

    private ArtifactRef artifact(YamlValue v, String f) {
      return artifact(v, f, List.of());
    }

    /** An artifact mapping that may also hold {@code extra} keys, which the caller reads. */
    private ArtifactRef artifact(YamlValue v, String f, List<String> extra) {
      List<String> required = strictHashes ? List.of("path", "sha256") : List.of("path");
      List<String> optional = new ArrayList<>(strictHashes ? List.of() : List.of("sha256"));
      optional.addAll(extra);
      return fields.mapping(v, f, required, optional).map(m -> {
        Optional<YamlValue> rawPath = m.get("path");
        Path resolved = rawPath.flatMap(x -> packagePath(x, f + ".path")).orElse(null);
        Optional<YamlValue> hash = m.get("sha256");
        String sha256 = hash.flatMap(x -> sha256(x, f + ".sha256")).orElse(strictHashes ? null : "");
        SourcePosition at = hash.map(YamlValue::position).orElse(m.position());
        if (resolved == null || sha256 == null) {
          return null;
        }
        String written = ((YamlValue.Scalar) rawPath.get()).value();
        return readArtifact(rawPath.get(), f + ".path", written, resolved)
            .map(content -> new ArtifactRef(written, resolved, sha256, at, content)).orElse(null);
      }).orElse(null);
    }

    /** The artifact's bytes, read once: everything later hashes and runs these. */
    private Optional<FileContent> readArtifact(YamlValue v, String field, String written, Path resolved) {
      try {
        return Optional.of(FileContent.read(resolved, FileContent.MAX_ARTIFACT_BYTES));
      } catch (FileContent.TooLargeException e) {
        fields.report(v, field, "'" + written + "' is " + e.size() + " bytes; cutter reads SQL scripts of at most "
            + FileContent.MAX_ARTIFACT_BYTES + " bytes (64 MiB)");
      } catch (IOException e) {
        fields.report(v, field, "'" + written + "' cannot be read: " + e.getMessage());
      }
      return Optional.empty();
    }

    private Optional<String> sha256(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && !s.isNull() && SHA256.matcher(s.value()).matches()) {
        return Optional.of(s.value().toLowerCase(Locale.ROOT));
      }
      if (strictHashes) {
        fields.report(v, field, "expected 64 hexadecimal digits (run: cutter package hash), got "
            + (v instanceof YamlValue.Scalar s && s.isString() ? "'" + s.value() + "'" : YamlFields.describe(v)));
      }
      return Optional.empty();
    }

    /** A file named relative to package.yaml that exists and stays inside the package directory. */
    private Optional<Path> packagePath(YamlValue v, String field) {
      Optional<String> written = fields.string(v, field);
      if (written.isEmpty()) {
        return Optional.empty();
      }
      String p = written.get();
      String problem = null;
      if (p.startsWith("/") || p.startsWith("\\") || p.matches("^[A-Za-z]:.*")) {
        problem = "must be relative to the package directory, got the absolute path '" + p + "'";
      } else if (p.contains("\\")) {
        problem = "use / to separate directories, got '" + p + "'";
      } else if (List.of(p.split("/")).contains("..")) {
        problem = "may not leave the package directory ('..' in '" + p + "')";
      }
      if (problem != null) {
        fields.report(v, field, problem);
        return Optional.empty();
      }
      try {
        Path candidate = dir.resolve(p).normalize();
        if (!Files.exists(candidate)) {
          fields.report(v, field, "'" + p + "' does not exist in the package directory");
          return Optional.empty();
        }
        Path real = candidate.toRealPath();
        if (!real.startsWith(dir)) {
          fields.report(v, field, "'" + p + "' leads outside the package directory (through a symbolic link)");
          return Optional.empty();
        }
        if (!Files.isRegularFile(real)) {
          fields.report(v, field, "'" + p + "' is not a regular file");
          return Optional.empty();
        }
        return Optional.of(real);
      } catch (InvalidPathException | IOException e) {
        fields.report(v, field, "'" + p + "' cannot be used as a path: " + e.getMessage());
        return Optional.empty();
      }
    }

    private List<CheckSpec> checks(YamlValue v, String field) {
      List<YamlValue> items = fields.list(v, field);
      List<CheckSpec> specs = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        check(items.get(i), YamlFields.item(field, i)).ifPresent(specs::add);
      }
      return specs;
    }

    private Optional<CheckSpec> check(YamlValue item, String field) {
      String known = String.join(", ", types.keySet());
      if (!(item instanceof YamlValue.Mapping m) || m.entries().size() != 1) {
        fields.report(item, field, "expected a check: a mapping with one key naming it (" + known + "), got "
            + (item instanceof YamlValue.Mapping m2 ? "a mapping with " + m2.entries().size() + " keys" : YamlFields.describe(item)));
        return Optional.empty();
      }
      Map.Entry<String, YamlValue> e = m.entries().entrySet().iterator().next();
      CheckType type = types.get(e.getKey());
      if (type == null) {
        problems.add(m.keyPosition(e.getKey()), field + ": unknown check '" + e.getKey() + "'; known: " + known);
        return Optional.empty();
      }
      int before = problems.count();
      try {
        type.validate(e.getValue(), problems.in(field + "." + e.getKey()));
      } catch (RuntimeException ex) {
        problems.add(e.getValue().position(), field + "." + e.getKey() + ": check type " + type.getClass().getName()
            + " failed to validate its arguments (a bug in it): " + ex);
      }
      return problems.count() == before
          ? Optional.of(new CheckSpec(e.getKey(), e.getValue(), m.keyPosition(e.getKey())))
          : Optional.empty();
    }

    private BackupPolicy backup(YamlValue v) {
      String f = "backup";
      return fields.mapping(OperatorOnlyFields.refuse(v, f, problems), f, List.of(),
          List.of("required", "scope", "dir", "min_bytes", "encrypt_to", "recipient_keys", "verify", "format", "jobs",
              "compression"))
          .map(m -> {
            boolean required = m.get("required").flatMap(x -> fields.bool(x, f + ".required")).orElse(true);
            List<String> schemas = m.get("scope").map(x -> scope(x, f + ".scope")).orElse(List.of());
            Path dir = m.get("dir").flatMap(x -> backupDir(x, f + ".dir")).orElse(null);
            if (required && m.get("dir").isEmpty()) {
              problems.add(m.position(), f + ": missing required field 'dir' (where the backup is written; required: true)");
            }
            long minBytes = m.get("min_bytes").map(x -> fields.integer(x, f + ".min_bytes", 0, Long.MAX_VALUE).orElse(0)).orElse(0L);
            List<String> encryptTo = m.get("encrypt_to").map(x -> recipients(x, f + ".encrypt_to")).orElse(List.of());
            Optional<Path> keys = m.get("recipient_keys").flatMap(x -> packagePath(x, f + ".recipient_keys"));
            BackupPolicy.Verify verify = m.get("verify").flatMap(x -> backupVerify(x, f + ".verify"))
                .orElse(BackupPolicy.Verify.ARCHIVE);
            BackupPolicy.Format format = m.get("format").flatMap(x -> backupFormat(x, f + ".format"))
                .orElse(BackupPolicy.Format.CUSTOM);
            int jobs = 1;
            if (m.get("jobs").isPresent()) {
              YamlValue j = m.get("jobs").get();
              java.util.OptionalLong n = fields.integer(j, f + ".jobs", 1, BackupPolicy.MAX_JOBS);
              jobs = n.isPresent() ? (int) n.getAsLong() : 1;
              if (n.isPresent() && jobs > 1 && format != BackupPolicy.Format.DIRECTORY) {
                fields.report(j, f + ".jobs", "parallel workers need format: directory (the custom format is written by one"
                    + " pg_dump process), got jobs " + jobs + " with format custom");
              }
            }
            java.util.OptionalInt compression = java.util.OptionalInt.empty();
            if (m.get("compression").isPresent()) {
              java.util.OptionalLong z = fields.integer(m.get("compression").get(), f + ".compression", 0,
                  BackupPolicy.MAX_COMPRESSION);
              compression = z.isPresent() ? java.util.OptionalInt.of((int) z.getAsLong()) : compression;
            }
            return new BackupPolicy(required, schemas, dir, minBytes, encryptTo, keys, verify, format, jobs, compression);
          }).orElse(null);
    }

    private List<String> scope(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && s.isString() && s.value().equals("database")) {
        return List.of();
      }
      if (v instanceof YamlValue.Mapping) {
        return fields.mapping(v, field, List.of("schemas"), List.of())
            .flatMap(m -> m.get("schemas")).map(x -> fields.identifiers(x, field + ".schemas")).orElse(List.of());
      }
      fields.report(v, field, "expected database or { schemas: [ ... ] }, got "
          + (v instanceof YamlValue.Scalar s && s.isString() ? "'" + s.value() + "'" : YamlFields.describe(v)));
      return List.of();
    }

    private Optional<BackupPolicy.Verify> backupVerify(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && s.isString() && (s.value().equals("archive") || s.value().equals("restore"))) {
        return Optional.of(s.value().equals("restore") ? BackupPolicy.Verify.RESTORE : BackupPolicy.Verify.ARCHIVE);
      }
      fields.report(v, field, "expected archive or restore, got "
          + (v instanceof YamlValue.Scalar s && s.isString() ? "'" + s.value() + "'" : YamlFields.describe(v)));
      return Optional.empty();
    }

    private Optional<BackupPolicy.Format> backupFormat(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && s.isString() && (s.value().equals("custom") || s.value().equals("directory"))) {
        return Optional.of(s.value().equals("directory") ? BackupPolicy.Format.DIRECTORY : BackupPolicy.Format.CUSTOM);
      }
      fields.report(v, field, "expected custom or directory, got "
          + (v instanceof YamlValue.Scalar s && s.isString() ? "'" + s.value() + "'" : YamlFields.describe(v)));
      return Optional.empty();
    }

    private Optional<Path> backupDir(YamlValue v, String field) {
      return fields.string(v, field).flatMap(s -> {
        try {
          return Optional.of(Path.of(s));
        } catch (InvalidPathException e) {
          fields.report(v, field, "'" + s + "' is not a usable path: " + e.getMessage());
          return Optional.empty();
        }
      });
    }

    private List<String> recipients(YamlValue v, String field) {
      List<String> all = fields.strings(v, field);
      List<YamlValue> items = v instanceof YamlValue.Sequence s ? s.items() : List.of();
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) instanceof YamlValue.Scalar s && s.isString()) {
          String compact = s.value().replace(" ", "");
          if (!FINGERPRINT.matcher(compact).matches() && !ENV_REF.matcher(s.value()).matches()) {
            fields.report(s, YamlFields.item(field, i), "expected an OpenPGP fingerprint (40 or 64 hex digits) or ${VARIABLE}, got '"
                + s.value() + "'");
          }
        }
      }
      return all;
    }

    private ApplySettings apply(YamlValue v) {
      String f = "apply";
      return fields.mapping(v, f, List.of(), List.of("mode", "lock_timeout", "statement_timeout", "max_blocker_age",
          "retries", "retry_wait")).map(m -> {
        ApplySettings.Mode mode = m.get("mode").flatMap(x -> mode(x, f + ".mode")).orElse(ApplySettings.Mode.TRANSACTION);
        Duration lock = m.get("lock_timeout").flatMap(x -> duration(x, f + ".lock_timeout")).orElse(ApplySettings.DEFAULT_LOCK_TIMEOUT);
        Duration statement = m.get("statement_timeout").flatMap(x -> duration(x, f + ".statement_timeout"))
            .orElse(ApplySettings.DEFAULT_STATEMENT_TIMEOUT);
        Duration age = m.get("max_blocker_age").flatMap(x -> wait(x, f + ".max_blocker_age", true))
            .orElse(ApplySettings.DEFAULT_MAX_BLOCKER_AGE);
        int retries = m.get("retries").map(x -> fields.integer(x, f + ".retries", 0, ApplySettings.MAX_RETRIES))
            .filter(java.util.OptionalLong::isPresent).map(n -> (int) n.getAsLong()).orElse(ApplySettings.DEFAULT_RETRIES);
        Duration retryWait = m.get("retry_wait").flatMap(x -> wait(x, f + ".retry_wait", false))
            .orElse(ApplySettings.DEFAULT_RETRY_WAIT);
        return new ApplySettings(mode, lock, statement, age, retries, retryWait);
      }).orElse(null);
    }

    private Optional<ApplySettings.Mode> mode(YamlValue v, String field) {
      return fields.string(v, field).flatMap(s -> {
        switch (s) {
          case "transaction": return Optional.of(ApplySettings.Mode.TRANSACTION);
          case "autocommit": return Optional.of(ApplySettings.Mode.AUTOCOMMIT);
          default:
            fields.report(v, field, "expected transaction or autocommit, got '" + s + "'");
            return Optional.empty();
        }
      });
    }

    /**
     * A timeout: a duration of at least 1ms in whole milliseconds (PostgreSQL's unit; 900us would
     * silently become 0, no timeout), or {@code off} to disable it explicitly. Zero is refused:
     * "no timeout" must be written as such.
     */
    private Optional<Duration> duration(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && s.value().equals("off") && (s.isString() || YamlValue.Scalar.BOOL.equals(s.tag()))) {
        return Optional.of(ApplySettings.OFF);
      }
      Optional<Duration> d = v instanceof YamlValue.Scalar s && s.isString() ? parseDuration(s.value()) : Optional.empty();
      if (d.isEmpty()) {
        fields.report(v, field, "expected a duration such as 500ms, 5s, 10min, 1h or 1d (units us, ms, s, min, h, d), or off, got "
            + (v instanceof YamlValue.Scalar s && s.isString() ? "'" + s.value() + "'" : YamlFields.describe(v)));
      } else if (d.get().isZero()) {
        fields.report(v, field, "a zero timeout is not allowed: write a duration of at least 1ms, or off to disable the timeout");
        return Optional.empty();
      } else if (d.get().toNanos() % 1_000_000 != 0) {
        fields.report(v, field, "PostgreSQL counts this timeout in whole milliseconds: '" + ((YamlValue.Scalar) v).value()
            + "' is not a whole number of milliseconds (at least 1ms)");
        return Optional.empty();
      } else if (d.get().compareTo(Duration.ofMillis(MAX_TIMEOUT_MS)) > 0) {
        fields.report(v, field, "PostgreSQL accepts at most " + MAX_TIMEOUT_MS + "ms (about 24.8 days)");
        return Optional.empty();
      }
      return d;
    }

    /** {@code online: {path, sha256, lock_timeout, statement_timeout}}: the artifact that runs after the commit. */
    private OnlineStep online(YamlValue v) {
      String f = "online";
      ArtifactRef artifact = artifact(v, f, List.of("lock_timeout", "statement_timeout"));
      if (!(v instanceof YamlValue.Mapping m)) {
        return null; // reported by artifact()
      }
      Duration lock = m.get("lock_timeout").flatMap(x -> duration(x, f + ".lock_timeout"))
          .orElse(OnlineStep.DEFAULT_LOCK_TIMEOUT);
      Duration statement = m.get("statement_timeout").flatMap(x -> duration(x, f + ".statement_timeout"))
          .orElse(OnlineStep.DEFAULT_STATEMENT_TIMEOUT);
      return artifact == null ? null : new OnlineStep(artifact, lock, statement);
    }

    /**
     * A duration cutter itself waits or compares with: whole milliseconds, at most a day; zero
     * only where {@code zeroAllowed} (max_blocker_age: 0 counts a transaction of any age).
     */
    private Optional<Duration> wait(YamlValue v, String field, boolean zeroAllowed) {
      Optional<Duration> d = v instanceof YamlValue.Scalar s && s.isString() ? parseDuration(s.value()) : Optional.empty();
      if (d.isEmpty()) {
        fields.report(v, field, "expected a duration such as 500ms, 2s, 10min or 1h (units us, ms, s, min, h, d), got "
            + (v instanceof YamlValue.Scalar s && s.isString() ? "'" + s.value() + "'" : YamlFields.describe(v)));
        return Optional.empty();
      }
      if (d.get().isZero() && !zeroAllowed) {
        fields.report(v, field, "expected a duration of at least 1ms, got '" + ((YamlValue.Scalar) v).value() + "'");
        return Optional.empty();
      }
      if (d.get().toNanos() % 1_000_000 != 0) {
        fields.report(v, field, "expected whole milliseconds, got '" + ((YamlValue.Scalar) v).value() + "'");
        return Optional.empty();
      }
      if (d.get().compareTo(Duration.ofDays(1)) > 0) {
        fields.report(v, field, "expected at most 1d, got '" + ((YamlValue.Scalar) v).value() + "'");
        return Optional.empty();
      }
      return d;
    }

    private Rollback rollback(YamlValue v) {
      String f = "rollback";
      return fields.mapping(v, f, List.of("artifact"), List.of("precondition")).map(m -> {
        ArtifactRef artifact = m.get("artifact").map(x -> artifact(x, f + ".artifact")).orElse(null);
        List<CheckSpec> precondition = m.get("precondition").map(x -> precondition(x, f + ".precondition")).orElse(null);
        if (m.get("precondition").isEmpty()) {
          problems.add(m.position(), f + ": missing 'precondition': list the checks that must hold before the rollback"
              + " may run, or write precondition: none");
        }
        return artifact == null || precondition == null ? null : new Rollback(artifact, precondition);
      }).orElse(null);
    }

    /**
     * A rollback precondition: a non-empty list of checks, or {@code none} written out. An empty
     * list would let the rollback run on nothing but hope, so it is refused.
     */
    private List<CheckSpec> precondition(YamlValue v, String field) {
      if (v instanceof YamlValue.Scalar s && s.isString() && s.value().equals("none")) {
        return List.of();
      }
      if (v instanceof YamlValue.Scalar s && s.isNull() || v instanceof YamlValue.Sequence q && q.items().isEmpty()) {
        fields.report(v, field, "an empty precondition would let the rollback run unchecked: list the checks that must"
            + " hold, or write precondition: none");
        return null;
      }
      return checks(v, field);
    }

    private Sandbox sandbox(YamlValue v) {
      String f = "sandbox";
      return fields.mapping(v, f, List.of("setup"), List.of()).map(m -> {
        List<Path> setup = new ArrayList<>();
        List<YamlValue> items = m.get("setup").map(x -> fields.list(x, f + ".setup")).orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
          packagePath(items.get(i), YamlFields.item(f + ".setup", i)).ifPresent(setup::add);
        }
        return new Sandbox(setup);
      }).orElse(null);
    }
  }

  /**
   * A PostgreSQL-style duration: digits and a unit (us, ms, s, min, h, d), no space, e.g.
   * {@code 500ms}, {@code 5s}, {@code 10min}. Empty when {@code text} is not one.
   */
  public static Optional<Duration> parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    try {
      return Optional.of(switch (m.group(2)) {
        case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "min" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
    } catch (ArithmeticException e) {
      return Optional.of(Duration.ofSeconds(Long.MAX_VALUE));
    }
  }
}
