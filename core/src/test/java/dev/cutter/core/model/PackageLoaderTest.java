package dev.cutter.core.model;

import static dev.cutter.core.model.TestPackages.CHANGE_SHA;
import static dev.cutter.core.model.TestPackages.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageLoaderTest {

  @TempDir Path dir;

  private final PackageLoader loader = TestPackages.loader();

  private static final String FULL = MINIMAL.replace("title: Test package\n", "title: Test package\n# a comment\n") + """
      preflight:
        - schema_exists: app
        - rehearse: true
      backup:
        required: true
        scope: { schemas: [app, "Audit Log"] }
        dir: /var/lib/cutter/backups
        min_bytes: 1048576
        encrypt_to: [ "${BACKUP_GPG_FPR}", "0123456789ABCDEF0123456789ABCDEF01234567" ]
      apply:
        mode: autocommit
        lock_timeout: 500ms
        statement_timeout: 2h
      verify:
        - schema_exists: app
      rollback:
        artifact: { path: ddl/rollback.sql, sha256: %s }
        precondition:
          - rehearse: false
      sandbox:
        setup: [ ddl/change.sql ]
      """;

  @Test
  void loadsMinimalPackageWithDefaults() throws IOException {
    Path file = TestPackages.write(dir, MINIMAL);

    ApplyPackage p = loader.load(dir);

    assertThat(p.id()).isEqualTo("test-pkg");
    assertThat(p.file()).isEqualTo(file.toAbsolutePath());
    assertThat(p.directory()).isEqualTo(dir.toRealPath());
    assertThat(p.sha256()).as("digest of the exact bytes").isEqualTo(Sha256.of(Files.readAllBytes(file)));
    assertThat(p.authorization().expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(p.authorization().risk()).isEqualTo(Risk.LOW);
    assertThat(p.target().systemIdentifier()).isEqualTo("7611578671664259111");
    assertThat(p.target().serverVersion()).isEmpty();
    assertThat(p.artifact().resolved()).isEqualTo(dir.toRealPath().resolve("ddl/change.sql"));
    assertThat(p.artifact().sha256()).isEqualTo(CHANGE_SHA);
    assertThat(p.artifact().position()).isEqualTo(new SourcePosition(15, 11));
    assertThat(p.apply()).isEqualTo(ApplySettings.defaults());
    assertThat(p.backup().required()).isFalse();
    assertThat(p.rollback()).isEmpty();
    assertThat(p.preflight()).isEmpty();
    assertThat(p.sandbox().setup()).isEmpty();
  }

  @Test
  void loadsEverySection() {
    String rollbackSha = Sha256.of("drop table t;\n".getBytes(StandardCharsets.UTF_8));
    TestPackages.write(dir, FULL.formatted(rollbackSha));

    ApplyPackage p = loader.load(dir.resolve("package.yaml"));

    assertThat(p.preflight()).extracting(CheckSpec::name).containsExactly("schema_exists", "rehearse");
    assertThat(p.preflight().get(1).position()).isEqualTo(new SourcePosition(19, 5));
    assertThat(p.backup().schemas()).containsExactly("app", "Audit Log");
    assertThat(p.backup().dir()).isEqualTo(Path.of("/var/lib/cutter/backups"));
    assertThat(p.backup().minBytes()).isEqualTo(1048576);
    assertThat(p.backup().encryptTo()).hasSize(2).first().isEqualTo("${BACKUP_GPG_FPR}");
    assertThat(p.apply()).isEqualTo(new ApplySettings(ApplySettings.Mode.AUTOCOMMIT, Duration.ofMillis(500), Duration.ofHours(2)));
    assertThat(p.verify()).hasSize(1);
    assertThat(p.rollback()).get().extracting(r -> r.artifact().sha256()).isEqualTo(rollbackSha);
    assertThat(p.rollback().get().precondition()).extracting(CheckSpec::name).containsExactly("rehearse");
    assertThat(p.artifacts()).hasSize(2);
    assertThat(p.sandbox().setup()).hasSize(1);
  }

  @Test
  void normalisesUppercaseHashes() {
    TestPackages.write(dir, MINIMAL.replace(CHANGE_SHA, CHANGE_SHA.toUpperCase()));

    assertThat(loader.load(dir).artifact().sha256()).isEqualTo(CHANGE_SHA);
  }

  @Test
  void readsTheBlockerAgeAndTheRetrySettingsWithTheirDefaults() {
    TestPackages.write(dir, MINIMAL);
    ApplySettings defaults = loader.load(dir).apply();
    assertThat(defaults.maxBlockerAge()).isEqualTo(java.time.Duration.ZERO);
    assertThat(defaults.retries()).isZero();
    assertThat(defaults.retryWait()).isEqualTo(java.time.Duration.ofSeconds(2));

    TestPackages.write(dir, MINIMAL + "apply:\n  max_blocker_age: 30s\n  retries: 3\n  retry_wait: 500ms\n");
    ApplySettings set = loader.load(dir).apply();
    assertThat(set.maxBlockerAge()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(set.retries()).isEqualTo(3);
    assertThat(set.retryWait()).isEqualTo(java.time.Duration.ofMillis(500));

    TestPackages.write(dir, MINIMAL + "apply:\n  max_blocker_age: 0s\n");
    assertThat(loader.load(dir).apply().maxBlockerAge()).as("0: a transaction of any age").isEqualTo(java.time.Duration.ZERO);
  }

  @Test
  void refusesBadRetryAndBlockerSettingsAtTheirPositions() {
    String yaml = MINIMAL + "apply:\n  retries: 11\n  retry_wait: 0s\n  max_blocker_age: soon\n";
    int first = (int) MINIMAL.lines().count() + 2;

    List<Diagnostic> ds = problems(yaml);

    assertThat(ds).extracting(Diagnostic::line, Diagnostic::column).containsExactly(
        org.assertj.core.groups.Tuple.tuple(first + 2, 20),
        org.assertj.core.groups.Tuple.tuple(first, 12),
        org.assertj.core.groups.Tuple.tuple(first + 1, 15));
    assertThat(ds.get(0).message()).startsWith("apply.max_blocker_age: expected a duration such as 500ms");
    assertThat(ds.get(1).message()).isEqualTo("apply.retries: must be between 0 and 10, got 11");
    assertThat(ds.get(2).message()).isEqualTo("apply.retry_wait: expected a duration of at least 1ms, got '0s'");
    assertThat(problems(MINIMAL + "apply:\n  retries: \"2\"\n")).singleElement()
        .extracting(Diagnostic::message).asString().startsWith("apply.retries: expected a decimal integer");
  }

  @Test
  void reportsEveryProblemAtOnceWithPositions() {
    String yaml = MINIMAL
        .replace("id: test-pkg", "id: X")
        .replace("risk: low", "risk: extreme")
        .replace("system_identifier: \"7611578671664259111\"", "system_identifier: 7611578671664259111")
        .replace("sha256: " + CHANGE_SHA, "sha256: abc")
        + "apply:\n  lock_timeout: 5 seconds\n  colour: blue\n";

    List<Diagnostic> ds = problems(yaml);

    assertThat(ds).extracting(Diagnostic::line, Diagnostic::column).containsExactly(
        org.assertj.core.groups.Tuple.tuple(3, 5),
        org.assertj.core.groups.Tuple.tuple(8, 9),
        org.assertj.core.groups.Tuple.tuple(11, 22),
        org.assertj.core.groups.Tuple.tuple(15, 11),
        org.assertj.core.groups.Tuple.tuple(18, 3),
        org.assertj.core.groups.Tuple.tuple(17, 17));
    assertThat(ds.get(0).message()).startsWith("id: 'X' is not a package id");
    assertThat(ds.get(1).message()).isEqualTo("authorization.risk: expected one of low, medium, high, critical, got 'extreme'");
    assertThat(ds.get(2).message()).contains("quote it").contains("\"7611578671664259111\"");
    assertThat(ds.get(3).message()).contains("64 hexadecimal digits").contains("cutter package hash");
    assertThat(ds.get(4).message()).isEqualTo("apply.colour: unknown key; allowed: mode, lock_timeout, statement_timeout,"
        + " max_blocker_age, retries, retry_wait");
    assertThat(ds.get(5).message()).contains("500ms, 5s, 10min, 1h or 1d");
    assertThat(ds.get(0).toString()).as("file:line:col: message").startsWith(dir.resolve("package.yaml") + ":3:5: ");
  }

  @Test
  void refusesWrongHeaderAndMissingFields() {
    List<String> ms = messages("apiVersion: cutter/v2\nkind: Package\n");

    assertThat(ms).contains(
        "apiVersion: expected cutter/v1, got 'cutter/v2'",
        "kind: expected ApplyPackage, got 'Package'",
        "missing required field 'id'",
        "missing required field 'artifact'");
  }

  @Test
  void refusesWrongTypes() {
    List<String> ms = messages(MINIMAL.replace("database: app", "database: [app]").replace("title: Test package", "title: 42")
        + "preflight: { schema_exists: app }\n");

    assertThat(ms).containsExactly(
        "title: expected a string, got an integer (42); quote it",
        "target.database: expected a string, got a list",
        "preflight: expected a list, got a mapping");
  }

  @Test
  void refusesUnknownChecksNamingTheKnownOnes() {
    List<Diagnostic> ds = problems(MINIMAL + "verify:\n  - schema_exist: app\n  - {}\n  - rehearse: yes\n");

    assertThat(ds).extracting(Diagnostic::message).containsExactly(
        "verify[1]: unknown check 'schema_exist'; known: rehearse, schema_exists",
        "verify[2]: expected a check: a mapping with one key naming it (rehearse, schema_exists), got a mapping with 0 keys",
        "verify[3].rehearse: expected true or false, got a boolean (yes)");
    assertThat(ds.get(0).line()).isEqualTo(17);
    assertThat(ds.get(0).column()).isEqualTo(5);
  }

  @Test
  void refusesBadTimestampsAndDurations() {
    List<String> ms = messages(MINIMAL.replace("2030-01-01T00:00:00Z", "2030-01-01T00:00:00")
        + "apply:\n  statement_timeout: 30d\n  lock_timeout: 10\n  mode: eventually\n");

    assertThat(ms).containsExactly(
        "authorization.expires_at: expected an RFC 3339 date-time with offset, e.g. 2026-05-19T06:00:00Z, got a timestamp (2030-01-01T00:00:00)",
        "apply.mode: expected transaction or autocommit, got 'eventually'",
        "apply.lock_timeout: expected a duration such as 500ms, 5s, 10min, 1h or 1d (units us, ms, s, min, h, d), or off, got an integer (10)",
        "apply.statement_timeout: PostgreSQL accepts at most 2147483647ms (about 24.8 days)");
  }

  @Test
  void acceptsTimestampsWithOffsets() {
    TestPackages.write(dir, MINIMAL.replace("2030-01-01T00:00:00Z", "\"2030-01-01T08:00:00.5+02:00\""));

    assertThat(loader.load(dir).authorization().expiresAt()).isEqualTo(Instant.parse("2030-01-01T06:00:00.5Z"));
  }

  @Test
  void refusesIdentifiersPostgresWouldTruncate() {
    String long64 = "a".repeat(64);
    String utf8Of64Bytes = "é".repeat(32);

    List<String> ms = messages(MINIMAL.replace("apply_role: app_owner", "apply_role: " + long64 + "\n  backup_role: " + utf8Of64Bytes)
        .replace("database: app", "database: \"\""));

    assertThat(ms).containsExactly(
        "target.database: must not be empty",
        "target.apply_role: '" + long64 + "' is 64 bytes; PostgreSQL would truncate a name longer than 63 bytes",
        "target.backup_role: '" + utf8Of64Bytes + "' is 64 bytes; PostgreSQL would truncate a name longer than 63 bytes");
  }

  @Test
  void validatesBackupSection() {
    List<String> ms = messages(MINIMAL + """
        backup:
          scope: everything
          min_bytes: -1
          encrypt_to: [ "alice" ]
          recipient_keys: keys/missing.asc
        """);

    assertThat(ms).containsExactly(
        "backup.scope: expected database or { schemas: [ ... ] }, got 'everything'",
        "backup: missing required field 'dir' (where the backup is written; required: true)",
        "backup.min_bytes: must be between 0 and 9223372036854775807, got -1",
        "backup.encrypt_to[1]: expected an OpenPGP fingerprint (40 or 64 hex digits) or ${VARIABLE}, got 'alice'",
        "backup.recipient_keys: 'keys/missing.asc' does not exist in the package directory");
  }

  @Test
  void backupVerifyIsArchiveOrRestoreAndAnythingElseIsOneLineAtItsPosition() {
    TestPackages.write(dir, MINIMAL + "backup:\n  dir: /srv/backups\n  verify: restore\n");
    assertThat(loader.load(dir).backup().verify()).isEqualTo(BackupPolicy.Verify.RESTORE);
    TestPackages.write(dir, MINIMAL + "backup:\n  dir: /srv/backups\n");
    assertThat(loader.load(dir).backup().verify()).isEqualTo(BackupPolicy.Verify.ARCHIVE);

    List<Diagnostic> ds = problems(MINIMAL + "backup:\n  dir: /srv/backups\n  verify: rebuild\n");
    long line = MINIMAL.lines().count() + 3;

    assertThat(ds).singleElement().hasToString(dir.resolve("package.yaml") + ":" + line + ":11: backup.verify: expected archive or restore, got 'rebuild'");
    assertThat(messages(MINIMAL + "backup:\n  dir: /srv/backups\n  verify: [ restore ]\n"))
        .containsExactly("backup.verify: expected archive or restore, got a list");
  }

  @Test
  void backupFormatAndJobsAreValidatedAtTheirPosition() {
    TestPackages.write(dir, MINIMAL + "backup:\n  dir: /srv/backups\n  format: directory\n  jobs: 4\n");
    BackupPolicy b = loader.load(dir).backup();
    assertThat(b.format()).isEqualTo(BackupPolicy.Format.DIRECTORY);
    assertThat(b.jobs()).isEqualTo(4);
    TestPackages.write(dir, MINIMAL + "backup:\n  dir: /srv/backups\n");
    assertThat(loader.load(dir).backup().format()).isEqualTo(BackupPolicy.Format.CUSTOM);
    assertThat(loader.load(dir).backup().jobs()).isEqualTo(1);

    long line = MINIMAL.lines().count() + 3;
    assertThat(problems(MINIMAL + "backup:\n  dir: /srv/backups\n  format: tar\n")).singleElement()
        .hasToString(dir.resolve("package.yaml") + ":" + line + ":11: backup.format: expected custom or directory, got 'tar'");
    assertThat(problems(MINIMAL + "backup:\n  dir: /srv/backups\n  format: directory\n  jobs: 0\n")).singleElement()
        .hasToString(dir.resolve("package.yaml") + ":" + (line + 1) + ":9: backup.jobs: must be between 1 and 32, got 0");
    assertThat(messages(MINIMAL + "backup:\n  dir: /srv/backups\n  format: directory\n  jobs: 33\n"))
        .containsExactly("backup.jobs: must be between 1 and 32, got 33");
    assertThat(messages(MINIMAL + "backup:\n  dir: /srv/backups\n  jobs: 2\n"))
        .containsExactly("backup.jobs: parallel workers need format: directory (the custom format is written by one pg_dump"
            + " process), got jobs 2 with format custom");
    assertThat(messages(MINIMAL + "backup:\n  dir: /srv/backups\n  format: directory\n  jobs: two\n"))
        .containsExactly("backup.jobs: expected a decimal integer, got a string");
  }

  @Test
  void backupCompressionIsAGzipLevelAndAbsentLeavesPgDumpsDefault() {
    TestPackages.write(dir, MINIMAL + "backup:\n  dir: /srv/backups\n  compression: 1\n");
    assertThat(loader.load(dir).backup().compression()).isEqualTo(java.util.OptionalInt.of(1));
    TestPackages.write(dir, MINIMAL + "backup:\n  dir: /srv/backups\n  compression: 0\n");
    assertThat(loader.load(dir).backup().compression()).isEqualTo(java.util.OptionalInt.of(0));
    TestPackages.write(dir, MINIMAL + "backup:\n  dir: /srv/backups\n");
    assertThat(loader.load(dir).backup().compression()).isEmpty();

    long line = MINIMAL.lines().count() + 3;
    assertThat(problems(MINIMAL + "backup:\n  dir: /srv/backups\n  compression: 10\n")).singleElement()
        .hasToString(dir.resolve("package.yaml") + ":" + line + ":16: backup.compression: must be between 0 and 9, got 10");
    assertThat(messages(MINIMAL + "backup:\n  dir: /srv/backups\n  compression: -1\n"))
        .containsExactly("backup.compression: must be between 0 and 9, got -1");
    assertThat(messages(MINIMAL + "backup:\n  dir: /srv/backups\n  compression: gzip\n"))
        .containsExactly("backup.compression: expected a decimal integer, got a string");
  }

  @Test
  void acceptsBackupNotRequiredWithoutDir() {
    TestPackages.write(dir, MINIMAL + "backup:\n  required: false\n  scope: database\n");

    BackupPolicy b = loader.load(dir).backup();

    assertThat(b.required()).isFalse();
    assertThat(b.wholeDatabase()).isTrue();
  }

  @Test
  void refusesPathsThatLeaveThePackage() throws IOException {
    Path outside = Files.writeString(dir.resolve("outside.sql"), "select 1;");
    Path pkg = dir.resolve("pkg");
    TestPackages.write(pkg, MINIMAL + "sandbox:\n  setup: [ ../outside.sql, /etc/passwd, ddl/link.sql, ddl/none.sql, ddl ]\n");
    Files.createSymbolicLink(pkg.resolve("ddl/link.sql"), outside);

    List<String> ms = messages(pkg);

    assertThat(ms).containsExactly(
        "sandbox.setup[1]: may not leave the package directory ('..' in '../outside.sql')",
        "sandbox.setup[2]: must be relative to the package directory, got the absolute path '/etc/passwd'",
        "sandbox.setup[3]: 'ddl/link.sql' leads outside the package directory (through a symbolic link)",
        "sandbox.setup[4]: 'ddl/none.sql' does not exist in the package directory",
        "sandbox.setup[5]: 'ddl' is not a regular file");
  }

  @Test
  void aMissingArtifactIsAnInvalidPackage() throws IOException {
    TestPackages.write(dir, MINIMAL);
    Files.delete(dir.resolve("ddl/change.sql"));

    assertThat(messages(dir)).containsExactly("artifact.path: 'ddl/change.sql' does not exist in the package directory");
  }

  @Test
  void lenientHashModeAcceptsMissingOrGarbageHashesOnly() {
    TestPackages.write(dir, MINIMAL.replace("  sha256: " + CHANGE_SHA + "\n", "") + "rollback:\n  artifact: { path: ddl/rollback.sql, sha256: nope }\n  precondition: none\n");

    ApplyPackage p = loader.loadIgnoringHashes(dir);

    assertThat(p.artifact().sha256()).isEmpty();
    assertThat(p.rollback().get().artifact().sha256()).isEmpty();
    assertThat(messages(dir)).containsExactly(
        "artifact: missing required field 'sha256'",
        "rollback.artifact.sha256: expected 64 hexadecimal digits (run: cutter package hash), got 'nope'");
  }

  @Test
  void lenientHashModeStillRefusesOtherProblems() {
    TestPackages.write(dir, MINIMAL.replace("risk: low", "risk: none"));

    assertThatThrownBy(() -> loader.loadIgnoringHashes(dir)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("authorization.risk");
  }

  @Test
  void reportsDuplicateKeysWithBothLines() {
    List<Diagnostic> ds = problems(MINIMAL + "title: again\n");

    assertThat(ds).extracting(Diagnostic::toString).containsExactly(dir.resolve("package.yaml") + ":16:1: duplicate key 'title' (first at line 4)");
  }

  @Test
  void refusesAnAnchorDefinedAgainSoAnAliasCannotNameAnotherValueThanTheReviewerFinds() {
    String yaml = MINIMAL.replace("title: Test package", "title: &role app_owner")
        .replace("ref: CHG-1", "ref: &role CHG-1").replace("apply_role: app_owner", "apply_role: *role");

    assertThat(problems(yaml)).extracting(Diagnostic::toString).containsExactly(dir.resolve("package.yaml")
        + ":6:8: anchor &role is defined again (first at line 4): an alias after this line would name this value, not the"
        + " first; give each anchor its own name");
    TestPackages.write(dir, MINIMAL.replace("title: Test package", "title: &role app_owner")
        .replace("apply_role: app_owner", "apply_role: *role"));
    assertThat(loader.load(dir).target().applyRole()).as("an anchor defined once still serves its aliases").isEqualTo("app_owner");
  }

  @Test
  void refusesAMergeKeyThatWouldGiveAMappingValuesFromElsewhere() {
    String yaml = MINIMAL.replace("title: Test package", "title: &t {apply_role: app_reader}")
        .replace("  apply_role: app_owner\n", "  apply_role: app_owner\n  <<: *t\n");

    assertThat(problems(yaml)).extracting(Diagnostic::message).anyMatch(m -> m.startsWith("target.<<: unknown key"));
  }

  @Test
  void explainsUnreadableInputsInOneLine() {
    assertThat(messages(new byte[0])).containsExactly("the file is empty: expected a mapping that starts with apiVersion: cutter/v1");
    assertThat(messages("# only a comment\n")).containsExactly("the file is empty: expected a mapping that starts with apiVersion: cutter/v1");
    assertThat(messages("- a\n- b\n")).containsExactly(
        "package.yaml: expected a mapping at the top level (apiVersion: cutter/v1, kind: ApplyPackage, ...), got a list");
    assertThat(messages("id: a\n---\nid: b\n")).singleElement().asString().isEqualTo("invalid YAML: a package.yaml holds one document, found a second one");
    assertThat(messages("id: [a\n")).singleElement().asString().startsWith("invalid YAML: ");
    assertThat(messages("id: \"a\u0000\"\n")).containsExactly("invalid YAML: character U+0000 is not allowed in YAML");
    assertThat(messages(new byte[] {'i', 'd', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'}))
        .containsExactly("not UTF-8 text (invalid byte 0xC3 at byte offset 4); save package.yaml as UTF-8");
  }

  @Test
  void survivesBinaryGarbage() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] garbage = new byte[random.nextInt(400)];
      random.nextBytes(garbage);
      Path pkg = dir.resolve("g" + i);
      TestPackages.write(pkg, garbage);
      assertThatThrownBy(() -> loader.load(pkg)).as("garbage %d", i).isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void survivesEveryMutationOfAValidPackage() {
    String valid = FULL.formatted(CHANGE_SHA);
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 300; i++) {
      StringBuilder b = new StringBuilder(valid);
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(b.length());
        switch (random.nextInt(4)) {
          case 0 -> b.deleteCharAt(at);
          case 1 -> b.insert(at, "-:[]{}&*!|>'\"#%@`,?\t ".charAt(random.nextInt(21)));
          case 2 -> b.delete(at, Math.min(b.length(), at + random.nextInt(40)));
          default -> b.insert(at, b.substring(random.nextInt(b.length() / 2), b.length() / 2));
        }
      }
      Path pkg = dir.resolve("m" + i);
      TestPackages.write(pkg, b.toString());
      try {
        loader.load(pkg);
      } catch (InvalidInputException e) {
        assertThat(e.diagnostics()).as("mutation %d explains itself", i).isNotEmpty()
            .allSatisfy(d -> assertThat(d.message()).isNotBlank());
      }
    }
  }

  @Test
  void refusesAliasBombsInBoundedMemory() {
    StringBuilder b = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 30; i++) {
      b.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
    }

    assertThat(messages(b.toString())).singleElement().asString()
        .as("alias limit or expansion limit, whichever comes first")
        .containsAnyOf("aliases", "expands to more than");
  }

  @Test
  void refusesExpansionBeyondTheNodeLimitWithFewAliases() {
    StringBuilder b = new StringBuilder("a0: &a0 [");
    b.append("x, ".repeat(999)).append("x]\n");
    for (int i = 1; i <= 4; i++) {
      b.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(9)).append("*a").append(i - 1).append("]\n");
    }

    assertThat(messages(b.toString())).singleElement().asString().contains("expands to more than 100000 values");
  }

  @Test
  void refusesDeepNesting() {
    String deep = "a: " + "[".repeat(5000) + "]".repeat(5000) + "\n";

    assertThat(messages(deep)).singleElement().asString().startsWith("invalid YAML: ").contains("Nesting Depth");
  }

  @Test
  void refusesOversizedFilesBeforeParsing() throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("package.yaml");
    try (var out = Files.newOutputStream(file)) {
      byte[] line = "# padding padding padding padding padding padding padding padding padding\n".getBytes(StandardCharsets.US_ASCII);
      for (long written = 0; written <= YamlDocument.MAX_BYTES; written += line.length) {
        out.write(line);
      }
    }

    assertThatThrownBy(() -> loader.load(dir)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a package.yaml may have at most 10485760");
  }

  @Test
  void aMissingPackageIsInvalidInput() {
    assertThatThrownBy(() -> loader.load(dir.resolve("nope"))).isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).exitCode()).isEqualTo(ExitCodes.INVALID))
        .hasMessage(dir.resolve("nope") + ": package not found: no such directory or file (PKG is a package directory or"
            + " its package.yaml)");
    assertThatThrownBy(() -> loader.load(dir)).isInstanceOf(InvalidInputException.class)
        .hasMessage(dir.resolve("package.yaml") + ": no such file (a package is a directory with package.yaml)");
  }

  @Test
  void refusesTwoCheckTypesWithOneName() {
    assertThatThrownBy(() -> new PackageLoader(List.of(new TestPackages.NameCheck("x"), new TestPackages.NameCheck("x"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesPostgresDurations() {
    assertThat(PackageLoader.parseDuration("250us")).contains(Duration.ofNanos(250_000));
    assertThat(PackageLoader.parseDuration("10min")).contains(Duration.ofMinutes(10));
    assertThat(PackageLoader.parseDuration("1d")).contains(Duration.ofDays(1));
    assertThat(PackageLoader.parseDuration("5 s")).isEmpty();
    assertThat(PackageLoader.parseDuration("5m")).as("m is not a PostgreSQL unit").isEmpty();
    assertThat(PackageLoader.parseDuration("-1s")).isEmpty();
    assertThat(PackageLoader.parseDuration("999999999999999999d")).get().isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
    assertThat(Optional.of(1)).isPresent();
  }

  private List<Diagnostic> problems(String yaml) {
    TestPackages.write(dir, yaml);
    return problems(dir);
  }

  private List<Diagnostic> problems(Path pkg) {
    try {
      loader.load(pkg);
    } catch (InvalidInputException e) {
      return e.diagnostics();
    }
    throw new AssertionError("expected the package to be refused");
  }

  private List<String> messages(String yaml) {
    return problems(yaml).stream().map(Diagnostic::message).toList();
  }

  private List<String> messages(byte[] yaml) {
    TestPackages.write(dir, yaml);
    return problems(dir).stream().map(Diagnostic::message).toList();
  }

  private List<String> messages(Path pkg) {
    return problems(pkg).stream().map(Diagnostic::message).toList();
  }
}
