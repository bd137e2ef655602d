package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.Verdict;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.blockers.Blocker;
import dev.cutter.core.blockers.BlockersInfo;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.lint.Severity;
import dev.cutter.core.lock.LockMode;
import dev.cutter.core.lock.LockPlan;
import dev.cutter.core.lock.MeasuredLock;
import dev.cutter.core.online.OnlineInfo;
import dev.cutter.core.run.GateId;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Provenance;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.ScannedReport;
import dev.cutter.report.SecretScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/report.schema.json describes every report cutter writes: each golden report (real runs,
 * every verdict, an invalid package), an internal-error report and a report with every section
 * validate; a renamed, unknown or mistyped field does not, at the top level or in any section.
 */
class ReportSchemaTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  @BeforeAll
  static void readSchema() throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("..", "docs", "report.schema.json"))) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  static Stream<Path> goldenReports() throws IOException {
    try (Stream<Path> s = Files.list(GoldenReportsTest.GOLDEN)) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  static JsonNode read(Path p) throws IOException {
    return (p.toString().endsWith(".json") ? JSON : YAML).readTree(p.toFile());
  }

  static Set<String> errors(JsonNode report) {
    return schema.validate(report).stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(TreeSet::new));
  }

  @ParameterizedTest
  @MethodSource("goldenReports")
  void everyGoldenReportIsValid(Path report) throws IOException {
    assertThat(errors(read(report))).isEmpty();
  }

  /** The golden reports and the internal-error report below between them have every verdict cutter writes. */
  @Test
  void theValidatedReportsCoverEveryVerdict() throws IOException {
    Set<String> seen = new TreeSet<>();
    for (Path p : goldenReports().toList()) {
      seen.add(read(p).get("verdict").asText());
    }
    seen.add(internalError().get("verdict").asText());

    Set<String> all = Stream.of(Verdict.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    all.addAll(List.of("INTERNAL_ERROR", "INVALID_INPUT"));
    assertThat(seen).isEqualTo(all);
  }

  @Test
  void anInternalErrorReportIsValid() {
    assertThat(errors(internalError())).isEmpty();
  }

  /**
   * Every top-level field the schema names, each new section with its nested shapes (and fields no
   * golden run reaches: a backup with its envelope, TLS, row values shown, an autocommit failure, an
   * online step's cleanup, an earlier run in the way, a lock of a relation no catalog could name).
   */
  @Test
  void aReportWithEveryOptionalSectionIsValid() throws IOException {
    JsonNode tree = everySection();

    assertThat(errors(tree)).isEmpty();
    Set<String> written = new TreeSet<>();
    tree.fieldNames().forEachRemaining(written::add);
    Set<String> described = new TreeSet<>();
    schemaTree().get("properties").fieldNames().forEachRemaining(described::add);
    assertThat(written).isEqualTo(described);
    assertThat(tree.at("/gates/0/duration_ms").asLong()).isEqualTo(12);
    assertThat(tree.at("/lock_plan/1/per_statement/1/locks/0/kind").isNull()).isTrue();
  }

  /** A field renamed inside each section is refused: closed shapes, not only required fields. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      gate duration                 | /gates/0                               | duration_ms        | duration
      statements locks held         | /statements                            | locks_held_ms      | locks_ms
      statement text                | /statements/ran/1                      | text               | sql
      online statements done        | /online                                | statements_done    | done
      online statement sqlstate     | /online/statements/0                   | sqlstate           | state
      online cleanup message        | /online/invalid_index_cleanup/0        | message            | why
      blockers waited               | /blockers                              | waited_ms          | waited
      blocker transaction age       | /blockers/sessions/0                   | transaction_age_ms | xact_age_ms
      attempt backoff               | /blockers/attempts/0                   | waited_before_ms   | backoff_ms
      attempt session cutter run    | /blockers/attempts/0/sessions/0        | cutter_run         | run
      provenance roles              | /provenance/statements_ran_as/after_last | current_user     | user
      lint predicted lock           | /lint/0                                | predicted_lock     | lock
      lint measured lock            | /lint/0                                | measured_lock      | measured
      lock plan note                | /lock_plan/1                           | note               | why
      lock plan summary strongest   | /lock_plan/0/summary/0                 | strongest          | mode
      lock plan summary rows        | /lock_plan/0/summary/0                 | estimated_rows     | rows
      lock plan measured lock       | /lock_plan/0/per_statement/0/locks/0   | pre_existing       | existed
      lock plan measured lock size  | /lock_plan/0/per_statement/0/locks/0   | size_bytes         | bytes
      """)
  void aRenamedFieldInANewSectionIsRefused(String what, String pointer, String from, String to) throws IOException {
    JsonNode report = everySection();
    ObjectNode at = (ObjectNode) report.at(pointer);
    assertThat(at.has(from)).as("the report has %s at %s", from, pointer).isTrue();
    at.set(to, at.remove(from));

    assertThat(errors(report)).contains(
        path(pointer) + ": property '" + to + "' is not defined in the schema and the schema does not allow additional properties");
  }

  /** A value the code never writes is refused: each status, source, reason, severity and mode is the code's enum. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      gate id                   | /gates/0                             | id               | P4_magic
      online status             | /online                              | status           | PASS
      online statement status   | /online/statements/0                 | status           | SKIPPED
      cleanup status            | /online/invalid_index_cleanup/0      | status           | KEPT
      blockers status           | /blockers                            | status           | FAIL
      blocker reason            | /blockers/sessions/0                 | reason           | idle
      attempt outcome           | /blockers/attempts/0                 | outcome          | timeout
      max blocker age           | /blockers                            | max_blocker_age  | 60s
      lint rule                 | /lint/0                              | rule             | index-not-concurent
      lint severity             | /lint/0                              | severity         | ERROR
      lint lock                 | /lint/0                              | predicted_lock   | SHARE
      lock plan source          | /lock_plan/0                         | source           | preflight
      summary mode              | /lock_plan/0/summary/0               | strongest        | AccessExclusive
      summary kind              | /lock_plan/0/summary/0               | kind             | table
      what the mode blocks      | /lock_plan/0/summary/0               | blocks           | writes
      measured mode             | /lock_plan/0/per_statement/0/locks/0 | mode             | ACCESS EXCLUSIVE
      statement duration        | /statements/ran/0                    | duration_ms      | 4ms
      """)
  void aValueTheCodeNeverWritesIsRefused(String what, String pointer, String field, String value) throws IOException {
    JsonNode report = everySection();
    ObjectNode at = (ObjectNode) report.at(pointer);
    assertThat(at.has(field)).as("the report has %s at %s", field, pointer).isTrue();
    at.put(field, value);

    assertThat(errors(report)).as("the errors name %s", field).isNotEmpty()
        .allMatch(m -> m.startsWith(path(pointer + "/" + field) + ": "));
  }

  /** The schema's enums are the code's: a value added to one of these enums fails here until the schema has it. */
  @Test
  void theSchemaEnumsAreTheCodesEnums() throws IOException {
    JsonNode s = schemaTree();
    assertThat(enumAt(s, "/$defs/gate/properties/id")).isEqualTo(names(GateId.values(), GateId::id));
    assertThat(enumAt(s, "/$defs/lockMode")).isEqualTo(names(LockMode.values(), LockMode::pgName));
    assertThat(enumAt(s, "/$defs/lockPlan/properties/source")).isEqualTo(names(LockPlan.Source.values(), LockPlan.Source::yamlName));
    assertThat(enumAt(s, "/$defs/blocker/properties/reason")).isEqualTo(names(Blocker.Reason.values(), Blocker.Reason::yamlName));
    assertThat(enumAt(s, "/$defs/lintFinding/properties/rule")).isEqualTo(names(LintRule.values(), LintRule::id));
    assertThat(enumAt(s, "/$defs/lintFinding/properties/severity")).isEqualTo(names(Severity.values(), Severity::yamlName));
    assertThat(enumAt(s, "/$defs/online/properties/status")).isEqualTo(names(OnlineInfo.Outcome.values(), Enum::name));
    assertThat(enumAt(s, "/$defs/online/properties/statements/items/properties/status"))
        .isEqualTo(names(OnlineInfo.RunStatus.values(), Enum::name));
    assertThat(enumAt(s, "/$defs/online/properties/invalid_index_cleanup/items/properties/status"))
        .isEqualTo(names(OnlineInfo.CleanupStatus.values(), Enum::name));
    assertThat(enumAt(s, "/properties/provenance/properties/sessions/items/properties/purpose"))
        .isEqualTo(names(Provenance.Purpose.values(), Provenance.Purpose::yamlName));
    // what each mode blocks, as the schema ties it to the summary's strongest mode
    for (LockMode m : LockMode.values()) {
      for (String blocks : List.of("reads and writes", "writes", "DDL and maintenance")) {
        JsonNode report = everySection();
        ((ObjectNode) report.at("/lock_plan/0/summary/0")).put("strongest", m.pgName()).put("blocks", blocks);
        assertThat(errors(report).isEmpty()).as("%s blocks %s", m, blocks).isEqualTo(blocks.equals(m.blocks()));
      }
    }
  }

  @Test
  void anUnknownTopLevelFieldIsRefused() throws IOException {
    JsonNode report = read(GoldenReportsTest.GOLDEN.resolve("pass.yaml"));
    assertThat(errors(report)).isEmpty();

    ((ObjectNode) report).putArray("durations");

    assertThat(errors(report)).containsExactly(
        "$: property 'durations' is not defined in the schema and the schema does not allow additional properties");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      renamed apply field       | /apply               | statements_executed | statements_run
      renamed gate field        | /gates/0             | message             | note
      renamed target field      | /target              | login_role          | login
      renamed provenance field  | /provenance/cutter   | commit              | revision
      renamed session field     | /provenance/sessions/0 | login_role        | role
      """)
  void aRenamedFieldIsRefused(String what, String pointer, String from, String to) throws IOException {
    JsonNode report = read(GoldenReportsTest.GOLDEN.resolve("failed-statement-7.yaml"));
    ObjectNode at = (ObjectNode) report.at(pointer);
    assertThat(at.has(from)).as("the golden report has %s at %s", from, pointer).isTrue();
    at.set(to, at.remove(from));

    assertThat(errors(report)).isNotEmpty();
  }

  @Test
  void aVerdictWithAnotherExitCodeAnUnknownStatusAndAnotherVersionAreRefused() throws IOException {
    JsonNode report = read(GoldenReportsTest.GOLDEN.resolve("pass.yaml"));
    assertThat(errors(report)).isEmpty();

    assertThat(errors(((ObjectNode) report.deepCopy()).put("exit_code", 3))).isNotEmpty();
    assertThat(errors(((ObjectNode) report.deepCopy()).put("report_version", 2))).isNotEmpty();
    JsonNode status = report.deepCopy();
    ((ObjectNode) status.at("/gates/0")).put("status", "OK");
    assertThat(errors(status)).isNotEmpty();
  }

  private static JsonNode everySectionTree;

  /** A fresh copy of a report with every section (see {@link #aReportWithEveryOptionalSectionIsValid}). */
  private static JsonNode everySection() {
    if (everySectionTree == null) {
      everySectionTree = tree(ScannedReport.scan(everySectionReport(), SecretScanner.patternsOnly(), true));
    }
    return everySectionTree.deepCopy();
  }

  private static RunReport everySectionReport() {
    TlsState tls = new TlsState(true, true, "verify-full", "TLSv1.3");
    String run = "20260518T054609Z-3f2a";
    Blocker earlier = new Blocker(4242, "deploy", "cutter apply 20260517T101010Z-0b1c", "10.0.0.7", "idle in transaction",
        120_000L, Blocker.Reason.EARLIER_RUN_CHANGING, "AccessExclusiveLock on app.t", "update app.t set a = **** where b = ****",
        "20260517T101010Z-0b1c", "wait for it (--lock-wait)");
    return new RunReport(run, RunMode.APPLY,
        new RunReport.PackageInfo("p", "a".repeat(64), "P", List.of("3A1F9C2E7B4D6058A1B2C3D4E5F60718293A4B5C"), "CHG-1",
            Instant.parse("2030-01-01T00:00:00Z"), "high", List.of("review")),
        new RunReport.TargetInfo("db", "7300", "15.7", "deploy", "app", tls, "logged in as deploy, SET ROLE app", true),
        Verdict.ESCALATE, 6, true,
        List.of(new GateResult(GateId.APPLY, GateStatus.FAIL, "2 statements", "statements [1] committed", "x", List.of())
            .withDuration(12L), GateResult.notRun(GateId.VERIFY)),
        new RunReport.BackupInfo("PASS", "/b/x.dump.gpg", "custom", "1.14-0", 52L, "b".repeat(64), "c".repeat(64),
            List.of("C0FFEE00C0FFEE00C0FFEE00C0FFEE00C0FFEE00"), 4, 1, "15.7", Instant.parse("2026-05-18T05:46:12Z"),
            Instant.parse("2026-05-18T05:46:13.5Z"), null, "7300", tls)
            .withEvidence(new RunReport.PointInTime("0/3000060", false, "748"),
                new RunReport.RestoreProofInfo("embedded PostgreSQL 15.19", 9, 3, 1651, List.of()))
            .withFiles(List.of(new RunReport.BackupFile("toc.dat", 2048, "d".repeat(64), "toc.dat.pgp", 2170L, "e".repeat(64)),
                new RunReport.BackupFile("3456.dat.gz", 0, "f".repeat(64), "3456.dat.gz.pgp", 96L, "0".repeat(64)))),
        new RunReport.ApplyInfo("FAIL", 2, 1, "partially_committed", false, List.of(1),
            new RunReport.FailedStatement(2, 3, "23505", "duplicate key", "Key (a)=(1) already exists.", "h", "w")),
        new RunReport.VerificationInfo("CHANGED", List.of(), null, null, "n"),
        new RunReport.RollbackInfo("NOT_APPLICABLE", "r"), "cause", List.of(new RunReport.Remediation("A", "act")),
        "next", Instant.parse("2026-05-18T05:46:09Z"), Instant.parse("2026-05-18T05:46:14Z"),
        new RunReport.ApplySettingsInfo("autocommit", "off", "60000ms", 2))
        .withProvenance(new Provenance("0.1.0", "d1ff9146c3f9-dirty", new Provenance.Roles("app", "deploy"),
            new Provenance.Roles("app", "deploy"), List.of(new Provenance.Session(Provenance.Purpose.BACKUP, "bk", tls))))
        .withStatements(new StatementTimings(List.of(new StatementTiming(1, 1, null, 4),
            new StatementTiming(2, 3, "insert into app.t (a) values ('…');", 1)), 20L))
        .withOnline(new OnlineInfo(OnlineInfo.Outcome.FAILED, 2, 0, "5000ms", "off",
            List.of(new OnlineInfo.StatementRun(1, 1, "create unique index concurrently t_a on app.t", OnlineInfo.RunStatus.FAILED,
                    9L, "23505", "could not create unique index \"t_a\""),
                new OnlineInfo.StatementRun(2, 2, "reindex index concurrently app.t_b", OnlineInfo.RunStatus.NOT_RUN, null, null,
                    null)),
            List.of(new OnlineInfo.Cleanup("app.t_a", OnlineInfo.CleanupStatus.NOT_DROPPED, "permission denied")), null))
        .withBlockers(new BlockersInfo("BLOCKED", List.of("app.t: AccessExclusiveLock"), "60000ms", 2_000, List.of(earlier),
            List.of(new BlockersInfo.Attempt(1, "lock_timeout", "55P03", 0, List.of(earlier)),
                new BlockersInfo.Attempt(2, "blocked", null, 250, List.of(earlier)))))
        .withLint(List.of(
            new LintFinding(LintRule.INDEX_NOT_CONCURRENT, "ddl/change.sql", 3, 2, "app.t", "CREATE INDEX without CONCURRENTLY",
                "ShareLock", true, "ShareLock"),
            new LintFinding(LintRule.LOCK_TIMEOUT_OFF, "package.yaml", 7, 0, "apply.lock_timeout",
                "apply.lock_timeout is 0 (no timeout)", null, true, null)))
        .withLockPlan(List.of(
            new LockPlan(LockPlan.Source.REHEARSE, "ddl/change.sql", 2, 2, true, null,
                List.of(new LockPlan.StatementLocks(0, 0, 0, List.of(
                    new MeasuredLock("app.t", "r", LockMode.ACCESS_EXCLUSIVE, true, 8192L, 1000.0, false)))),
                List.of(new LockPlan.RelationHold("app.t", "r", LockMode.ACCESS_EXCLUSIVE, 0, 0, 2, 7_440, 8192L, 1000.0, true))),
            new LockPlan(LockPlan.Source.DRY_RUN, "ddl/change.sql", 3, 1, false,
                "statement 2 (line 3) failed: the plan covers the statements before it",
                List.of(new LockPlan.StatementLocks(0, 0, 0, List.of(
                        new MeasuredLock("app.t", "r", LockMode.SHARE, true, 8192L, null, false))),
                    new LockPlan.StatementLocks(1, 1, 1_234, List.of(
                        new MeasuredLock("oid 16390", null, LockMode.ACCESS_EXCLUSIVE, false, null, null, false)))),
                List.of(new LockPlan.RelationHold("app.t", "r", LockMode.SHARE, 0, 0, 1, 1_234, 8192L, null, false))),
            // statements 1 to 3 measured together (a window): through and taken_through
            new LockPlan(LockPlan.Source.ROLLBACK_REHEARSAL, "ddl/rollback.sql", 3, 3, true, null,
                List.of(new LockPlan.StatementLocks(1, 1, 2_000, List.of(
                    new MeasuredLock("app.t", "r", LockMode.SHARE, true, 8192L, null, false)), 3)),
                List.of(new LockPlan.RelationHold("app.t", "r", LockMode.SHARE, 1, 1, 3, 2_000, 8192L, null, false, 3)))));
  }

  /** {@code /a/0/b} as the validator names it: {@code $.a[0].b}. */
  private static String path(String pointer) {
    StringBuilder b = new StringBuilder("$");
    for (String part : pointer.substring(1).split("/")) {
      b.append(part.matches("[0-9]+") ? "[" + part + "]" : "." + part);
    }
    return b.toString();
  }

  private static JsonNode schemaTree() throws IOException {
    return JSON.readTree(Path.of("..", "docs", "report.schema.json").toFile());
  }

  private static List<String> enumAt(JsonNode schemaTree, String pointer) {
    JsonNode e = schemaTree.at(pointer + "/enum");
    assertThat(e.isArray()).as("an enum at %s", pointer).isTrue();
    List<String> out = new java.util.ArrayList<>();
    e.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static <T> List<String> names(T[] values, java.util.function.Function<T, String> name) {
    return Stream.of(values).map(name).toList();
  }

  private static JsonNode internalError() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, null, null, null, ExitCodes.INTERNAL, false,
        List.of(), null, null, null, null, "internal error: java.lang.IllegalStateException: boom", List.of(), null,
        Instant.parse("2026-05-18T05:46:09Z"), Instant.parse("2026-05-18T05:46:10Z")).withProvenance(Provenance.ofBuild());
    return tree(ScannedReport.scan(r, SecretScanner.patternsOnly()));
  }

  private static JsonNode tree(ScannedReport scanned) {
    try {
      return YAML.readTree(ReportCodec.yaml(scanned));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
