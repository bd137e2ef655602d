package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.blockers.Blocker;
import dev.cutter.core.blockers.BlockersInfo;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.TlsState;
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
import dev.cutter.core.run.Provenance;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.ApplySettingsInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.PackageInfo;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import dev.cutter.core.run.RunStatus;
import static dev.cutter.report.RecordTree.Trait.EMPTY;
import static dev.cutter.report.RecordTree.Trait.NULLABLE;
import static dev.cutter.report.RecordTree.Trait.NULLS;
import static dev.cutter.report.RecordTree.Trait.REQUIRED;
import static dev.cutter.report.RecordTree.Trait.SKIPPED;
import static dev.cutter.report.RecordTree.Trait.SPARSE;

import dev.cutter.report.RecordTree.Codec;
import dev.cutter.report.RecordTree.Shape;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's document shape (SPEC section 5) as a Jackson tree, both ways: fields in the order
 * of the SPEC, snake_case names, UTC timestamps in RFC 3339, absent members left out, and
 * sections a run did not reach written as {@code {status: NOT_RUN}}. The sections are records
 * mapped by {@link RecordTree}; {@link #TREE} declares where a section departs from its record.
 */
final class ReportTree {

  static final String NOT_RUN = "NOT_RUN";
  /** The verdict field of a report written after an internal error (exit 1), which has no verdict. */
  static final String INTERNAL_ERROR = "INTERNAL_ERROR";
  /** The verdict field of a run refused as invalid input (exit 2) before any gate ran. */
  static final String INVALID_INPUT = "INVALID_INPUT";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Lock plan times are microseconds, written as milliseconds with microsecond precision. */
  private static final Codec<Long> MICROS_AS_MS = new Codec<>(us -> F.numberNode(us / 1000.0),
      (n, field) -> Math.round(n.asDouble() * 1000));

  /** A baseline is a mapping of schema to its counts. */
  private static final Codec<Baseline> BASELINE = new Codec<>(b -> ReportTree.TREE.write(b.schemas()), (n, field) -> {
    Map<String, SchemaCounts> schemas = new LinkedHashMap<>();
    n.properties().forEach(e -> {
      SchemaCounts c = ReportTree.TREE.read(n, e.getKey(), SchemaCounts.class);
      schemas.put(e.getKey(), new SchemaCounts(e.getKey(), c.constraints(), c.relations()));
    });
    return new Baseline(schemas);
  });

  /** Every section's record, and where its written form departs from the record's components. */
  static final RecordTree TREE = new RecordTree(ReportTree::spelling, Map.of(Baseline.class, BASELINE), List.of(
      // the verdict is written by toTree, which knows what ended a run that reached none
      Shape.of(RunReport.class).rename("pkg", "package").rename("started", "started_at").rename("finished", "finished_at")
          .order("runId", "mode", "started", "finished", "pkg", "target", "applySettings", "verdict", "exitCode",
              "productionChanged", "gates", "backup", "apply", "online", "blockers", "verification", "rollback",
              "lockPlan", "statements", "rootCause", "remediation", "nextAction", "lint", "provenance")
          .with(REQUIRED, "runId", "mode", "exitCode", "productionChanged").with(NULLS, "verdict")
          .with(SPARSE, "remediation", "lockPlan").with(NULLABLE, "lint", "lockPlan")
          .codec("pkg", section(PackageInfo.class, false)).codec("provenance", section(Provenance.class, false))
          .codec("applySettings", section(ApplySettingsInfo.class, false))
          .codec("blockers", section(BlockersInfo.class, false))
          .codec("backup", section(BackupInfo.class, true)).codec("apply", section(ApplyInfo.class, true))
          .codec("verification", section(VerificationInfo.class, true))
          .codec("rollback", section(RollbackInfo.class, true)),
      Shape.of(GateResult.class).rename("gate", "id").with(SPARSE, "checks").with(SKIPPED, "cause")
          .with(REQUIRED, "gate", "status"),
      Shape.of(CheckResult.class).with(SKIPPED, "cause").with(REQUIRED, "id", "status"),
      Shape.of(PackageInfo.class).with(EMPTY, "signedBy").rename("authorizationRef", "ref").with(SPARSE, "chain")
          .nest("authorization", true, "authorizationRef", "expiresAt", "risk", "chain"),
      // the build, the roles the statements ran as (measured) and each session's login and TLS
      Shape.of(Provenance.class).rename("cutterVersion", "version").rename("cutterCommit", "commit")
          .nest("cutter", true, "cutterVersion", "cutterCommit").nest("statements_ran_as", false, "beforeFirst", "afterLast")
          .with(SPARSE, "sessions"),
      Shape.of(TargetInfo.class).with(SPARSE, "privilegedLoginAllowed"),
      Shape.of(TlsState.class).with(REQUIRED, "encrypted", "verified"),
      Shape.of(BackupInfo.class).rename("startedUtc", "timestamp_utc").with(SKIPPED, "refusal").with(NULLABLE, "encryptedTo")
          .with(NULLABLE, "files"),
      Shape.of(RunReport.BackupFile.class).with(REQUIRED, "name", "bytes", "sha256"),
      Shape.of(ApplyInfo.class).with(SPARSE, "committedStatements").with(REQUIRED, "statementsTotal", "statementsExecuted"),
      Shape.of(FailedStatement.class).with(REQUIRED, "index", "line"),
      Shape.of(VerificationInfo.class).with(SPARSE, "checks"),
      Shape.of(SchemaCounts.class).with(SKIPPED, "schema"),
      Shape.of(BlockersInfo.class).rename("blockers", "sessions"),
      Shape.of(BlockersInfo.Attempt.class).rename("number", "attempt").rename("blockers", "sessions").with(REQUIRED, "number"),
      Shape.of(Blocker.class).with(REQUIRED, "pid", "reason"),
      Shape.of(Provenance.Session.class).with(REQUIRED, "purpose"),
      // the lock-hazard findings of P1, with each rule's severity, why and fix written beside it
      Shape.of(LintFinding.class).order("rule", "denied").with(REQUIRED, "rule", "line", "statement")
          .derive("rule", "severity", LintFinding::severity).derive("measuredLock", "why", f -> f.rule().why())
          .derive("measuredLock", "fix", f -> f.rule().fix()),
      Shape.of(OnlineInfo.class).rename("outcome", "status").rename("cleanup", "invalid_index_cleanup").with(SPARSE, "cleanup")
          .order("outcome", "statementsTotal", "statementsDone", "lockTimeout", "statementTimeout", "refusal")
          .with(REQUIRED, "outcome").with(NULLS, "lockTimeout", "statementTimeout"),
      Shape.of(OnlineInfo.StatementRun.class).with(REQUIRED, "status").with(NULLS, "summary"),
      Shape.of(OnlineInfo.Cleanup.class).with(REQUIRED, "status").with(NULLS, "index"),
      // one entry per rehearsal that measured its locks (see LockPlan)
      Shape.of(LockPlan.class).order("source", "file", "statements", "executed", "complete", "note", "summary")
          .with(NULLS, "file"),
      Shape.of(MeasuredLock.class).with(NULLS, "relation", "kind"),
      Shape.of(LockPlan.RelationHold.class).with(NULLS, "relation", "kind")
          .order("relation", "kind", "strongest", "takenAt", "takenThrough").sameAs("takenThrough", "takenAt")
          .derive("strongest", "blocks", h -> h.strongest().blocks()).rename("heldMicros", "held_ms")
          .codec("heldMicros", MICROS_AS_MS),
      Shape.of(LockPlan.StatementLocks.class).order("index", "through").sameAs("through", "index").rename("durationMicros", "duration_ms").codec("durationMicros", MICROS_AS_MS),
      // the statements an artifact ran (written only when one ran), with locks_held_ms first
      Shape.of(StatementTimings.class).order("locksHeldMs", "ran"),
      Shape.of(StatementTiming.class).with(REQUIRED, "index", "line")));

  /** How the report spells an enum constant: a status's label, a gate's id, a lock mode's name, a mode, or a name. */
  static String spelling(Enum<?> e) {
    if (e instanceof RunStatus.Label l) {
      return l.label();
    }
    if (e instanceof GateId g) {
      return g.id();
    }
    if (e instanceof LockMode m) {
      return m.pgName();
    }
    if (e instanceof LintRule rule) {
      return rule.id();
    }
    if (e instanceof RunMode) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    boolean yamlName = e instanceof Blocker.Reason || e instanceof Provenance.Purpose || e instanceof LockPlan.Source
        || e instanceof Severity;
    return yamlName ? e.name().toLowerCase(Locale.ROOT) : e.name();
  }

  /** The verdict as written: a verdict's name, or what ended a run that reached none. */
  static String verdictName(RunReport r) {
    if (r.verdict() != null) {
      return r.verdict().name();
    }
    return r.exitCode() == ExitCodes.INVALID ? INVALID_INPUT : INTERNAL_ERROR;
  }

  private ReportTree() {}

  // ---- writing -------------------------------------------------------------------------------

  static ObjectNode toTree(RunReport r, String secretsRecorded, boolean showValues) {
    ObjectNode n = F.objectNode();
    n.put("report_version", RunReport.REPORT_VERSION);
    n.setAll((ObjectNode) TREE.write(r));
    n.put("verdict", verdictName(r));
    JsonNode provenance = n.remove("provenance");
    if (showValues) {
      // written only when true: row values quoted by the server were kept on the operator's request
      n.put("show_values", true);
    }
    n.put("secrets_recorded", secretsRecorded);
    if (provenance != null) {
      n.set("provenance", provenance);
    }
    return n;
  }

  /**
   * A section of the report: a section the run did not reach is absent, or written as
   * {@code {status: NOT_RUN}} when {@code notRunWritten}; either reads back as null.
   */
  private static <T> Codec<T> section(Class<T> type, boolean notRunWritten) {
    return new Codec<>(v -> v != null ? TREE.write(v) : notRunWritten ? F.objectNode().put("status", NOT_RUN) : null,
        (n, field) -> n.size() == 1 && NOT_RUN.equals(n.path("status").asText(null)) ? null
            : TREE.readNode(n, field, type));
  }

  /** RFC 3339 in UTC, to the millisecond at most (none when whole seconds); null for null. */
  static String timestamp(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  // ---- reading -------------------------------------------------------------------------------

  /** A report read back: the run, the scan result it recorded, and whether it kept row values. */
  record Read(RunReport report, String secretsRecorded, boolean showValues) {}

  static Read fromTree(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new ReportFormatException("expected a mapping at the top level");
    }
    int version = required(root, "report_version", Integer.class);
    if (version != RunReport.REPORT_VERSION) {
      throw new ReportFormatException("report_version " + version + " is not supported (expected "
          + RunReport.REPORT_VERSION + ")");
    }
    String verdict = required(root, "verdict", String.class);
    ObjectNode run = (ObjectNode) root;
    if (INTERNAL_ERROR.equals(verdict) || INVALID_INPUT.equals(verdict)) {
      // a run that reached no verdict
      run = run.deepCopy().putNull("verdict");
    }
    RunReport report = TREE.readNode(run, "", RunReport.class);
    Boolean show = TREE.read(root, "show_values", Boolean.class);
    return new Read(report, TREE.read(root, "secrets_recorded", String.class), show != null && show);
  }

  private static <T> T required(JsonNode n, String field, Class<T> type) {
    T v = TREE.read(n, field, type);
    if (v == null) {
      throw new ReportFormatException("missing field " + field);
    }
    return v;
  }

  /** The file is not a report this version can read; the message names the field. */
  static final class ReportFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReportFormatException(String message) {
      super(message);
    }
  }
}
