package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Provenance;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunStatus;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.PackageInfo;
import dev.cutter.core.run.RunReport.Remediation;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The report's document shape (SPEC section 5) as a Jackson tree, both ways: fields in the order
 * of the SPEC, snake_case names, UTC timestamps in RFC 3339, absent members left out, and
 * sections a run did not reach written as {@code {status: NOT_RUN}}.
 */
final class ReportTree {

  static final String NOT_RUN = "NOT_RUN";
  /** The verdict field of a report written after an internal error (exit 1), which has no verdict. */
  static final String INTERNAL_ERROR = "INTERNAL_ERROR";
  /** The verdict field of a run refused as invalid input (exit 2) before any gate ran. */
  static final String INVALID_INPUT = "INVALID_INPUT";

  /** The verdict as written: a verdict's name, or what ended a run that reached none. */
  static String verdictName(RunReport r) {
    if (r.verdict() != null) {
      return r.verdict().name();
    }
    return r.exitCode() == ExitCodes.INVALID ? INVALID_INPUT : INTERNAL_ERROR;
  }

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ReportTree() {}

  // ---- writing -------------------------------------------------------------------------------

  static ObjectNode toTree(RunReport r, String secretsRecorded, boolean showValues) {
    ObjectNode n = F.objectNode();
    n.put("report_version", RunReport.REPORT_VERSION);
    put(n, "run_id", r.runId());
    put(n, "mode", r.mode() == null ? null : modeName(r.mode()));
    put(n, "started_at", r.started());
    put(n, "finished_at", r.finished());
    if (r.pkg() != null) {
      n.set("package", packageNode(r.pkg()));
    }
    if (r.target() != null) {
      n.set("target", targetNode(r.target()));
    }
    if (r.applySettings() != null) {
      ObjectNode a = n.putObject("apply_settings");
      put(a, "mode", r.applySettings().mode());
      put(a, "lock_timeout", r.applySettings().lockTimeout());
      put(a, "statement_timeout", r.applySettings().statementTimeout());
      if (r.applySettings().retries() != null) {
        a.put("retries", r.applySettings().retries());
      }
    }
    n.put("verdict", verdictName(r));
    n.put("exit_code", r.exitCode());
    n.put("production_changed", r.productionChanged());
    n.set("gates", array(r.gates(), ReportTree::gateNode));
    n.set("backup", r.backup() == null ? notRun() : backupNode(r.backup()));
    n.set("apply", r.apply() == null ? notRun() : applyNode(r.apply()));
    if (r.online() != null) {
      n.set("online", OnlineSection.node(r.online()));
    }
    blockersSection(n, r.blockers());
    n.set("verification", r.verification() == null ? notRun() : verificationNode(r.verification()));
    n.set("rollback", r.rollback() == null ? notRun() : rollbackNode(r.rollback()));
    lockPlan(n, r);
    StatementsSection.write(n, r.statements());
    put(n, "root_cause", r.rootCause());
    if (!r.remediation().isEmpty()) {
      n.set("remediation", array(r.remediation(), m -> {
        ObjectNode o = F.objectNode();
        put(o, "option", m.option());
        put(o, "action", m.action());
        return o;
      }));
    }
    put(n, "next_action", r.nextAction());
    lintSection(n, r.lint());
    if (showValues) {
      // written only when true: row values quoted by the server were kept on the operator's request
      n.put("show_values", true);
    }
    n.put("secrets_recorded", secretsRecorded);
    provenance(n, r.provenance());
    return n;
  }

  /** The blockers gate's findings and the apply's attempts (issue 12), when the run reached the gate. */
  private static void blockersSection(ObjectNode parent, dev.cutter.core.blockers.BlockersInfo b) {
    if (b == null) {
      return;
    }
    ObjectNode n = parent.putObject("blockers");
    put(n, "status", b.status());
    n.set("relations", strings(b.relations()));
    put(n, "max_blocker_age", b.maxBlockerAge());
    n.put("waited_ms", b.waitedMs());
    n.set("sessions", array(b.blockers(), ReportTree::blockerNode));
    n.set("attempts", array(b.attempts(), a -> {
      ObjectNode o = F.objectNode();
      o.put("attempt", a.number());
      put(o, "outcome", a.outcome());
      put(o, "sqlstate", a.sqlstate());
      o.put("waited_before_ms", a.waitedBeforeMs());
      o.set("sessions", array(a.blockers(), ReportTree::blockerNode));
      return o;
    }));
  }

  private static ObjectNode blockerNode(dev.cutter.core.blockers.Blocker b) {
    ObjectNode o = F.objectNode();
    o.put("pid", b.pid());
    put(o, "user", b.user());
    put(o, "application_name", b.applicationName());
    put(o, "client_address", b.clientAddress());
    put(o, "state", b.state());
    if (b.transactionAgeMs() != null) {
      o.put("transaction_age_ms", b.transactionAgeMs());
    }
    put(o, "reason", b.reason().yamlName());
    put(o, "lock", b.lock());
    put(o, "query", b.query());
    put(o, "cutter_run", b.cutterRun());
    put(o, "advice", b.advice());
    return o;
  }

  private static dev.cutter.core.blockers.BlockersInfo blockersInfo(JsonNode n) {
    return new dev.cutter.core.blockers.BlockersInfo(text(n, "status"), strings(n, "relations"),
        text(n, "max_blocker_age"), n.path("waited_ms").asLong(0), list(n, "sessions", ReportTree::blocker),
        list(n, "attempts", a -> new dev.cutter.core.blockers.BlockersInfo.Attempt(requiredInt(a, "attempt"),
            text(a, "outcome"), text(a, "sqlstate"), a.path("waited_before_ms").asLong(0),
            list(a, "sessions", ReportTree::blocker))));
  }

  private static dev.cutter.core.blockers.Blocker blocker(JsonNode o) {
    String reason = requiredText(o, "reason");
    return new dev.cutter.core.blockers.Blocker(requiredInt(o, "pid"), text(o, "user"), text(o, "application_name"),
        text(o, "client_address"), text(o, "state"),
        o.hasNonNull("transaction_age_ms") ? integral(o.get("transaction_age_ms"), "transaction_age_ms").longValue() : null,
        enumValue(dev.cutter.core.blockers.Blocker.Reason.class, reason.toUpperCase(Locale.ROOT), "reason"),
        text(o, "lock"), text(o, "query"), text(o, "cutter_run"), text(o, "advice"));
  }

  /** {@code provenance}: the build, the roles the statements ran as (measured) and each session's login and TLS. */
  private static void provenance(ObjectNode root, Provenance p) {
    if (p == null) {
      return;
    }
    ObjectNode n = root.putObject("provenance");
    ObjectNode cutter = n.putObject("cutter");
    put(cutter, "version", p.cutterVersion());
    put(cutter, "commit", p.cutterCommit());
    if (p.beforeFirst() != null || p.afterLast() != null) {
      ObjectNode ranAs = n.putObject("statements_ran_as");
      roles(ranAs, "before_first", p.beforeFirst());
      roles(ranAs, "after_last", p.afterLast());
    }
    if (!p.sessions().isEmpty()) {
      n.set("sessions", array(p.sessions(), s -> {
        ObjectNode o = F.objectNode();
        o.put("purpose", s.purpose().yamlName());
        put(o, "login_role", s.loginRole());
        if (s.tls() != null) {
          o.set("tls", tlsNode(s.tls()));
        }
        return o;
      }));
    }
  }

  private static void roles(ObjectNode n, String field, Provenance.Roles r) {
    if (r != null) {
      ObjectNode o = n.putObject(field);
      put(o, "current_user", r.currentUser());
      put(o, "session_user", r.sessionUser());
    }
  }

  private static Provenance provenanceOf(JsonNode n) {
    JsonNode ranAs = n.path("statements_ran_as");
    Function<String, Provenance.Roles> roles = f -> ranAs.hasNonNull(f)
        ? new Provenance.Roles(text(ranAs.get(f), "current_user"), text(ranAs.get(f), "session_user")) : null;
    return new Provenance(text(n.path("cutter"), "version"), text(n.path("cutter"), "commit"), roles.apply("before_first"),
        roles.apply("after_last"), list(n, "sessions", s -> new Provenance.Session(
            enumValue(Provenance.Purpose.class, requiredText(s, "purpose").toUpperCase(Locale.ROOT), "session purpose"),
            text(s, "login_role"), tlsState(s.get("tls")))));
  }

  /** The lock-hazard findings of P1 ({@code lint}), in script order; absent when the run did not lint. */
  private static void lintSection(ObjectNode n, List<LintFinding> lint) {
    if (lint == null) {
      return;
    }
    n.set("lint", array(lint, f -> {
      ObjectNode o = F.objectNode();
      put(o, "rule", f.rule().id());
      put(o, "severity", f.severity().yamlName());
      o.put("denied", f.denied());
      put(o, "file", f.file());
      o.put("line", f.line());
      o.put("statement", f.statement());
      put(o, "object", f.object());
      put(o, "detail", f.detail());
      put(o, "predicted_lock", f.predictedLock());
      put(o, "measured_lock", f.measuredLock());
      put(o, "why", f.rule().why());
      put(o, "fix", f.rule().fix());
      return o;
    }));
  }

  private static List<LintFinding> lintFindings(JsonNode root) {
    if (!root.has("lint")) {
      return null;
    }
    return list(root, "lint", f -> new LintFinding(LintRule.byId(requiredText(f, "rule"))
        .orElseThrow(() -> new ReportFormatException("lint: unknown rule '" + f.path("rule").asText() + "'")),
        text(f, "file"), requiredInt(f, "line"), requiredInt(f, "statement"), text(f, "object"), text(f, "detail"),
        text(f, "predicted_lock"), f.path("denied").asBoolean(false), text(f, "measured_lock")));
  }

  /** The {@code lock_plan} section, when a rehearsal measured one (see {@link LockPlanTree}). */
  private static void lockPlan(ObjectNode n, RunReport r) {
    if (r.lockPlan() != null && !r.lockPlan().isEmpty()) {
      n.set("lock_plan", LockPlanTree.toNode(r.lockPlan()));
    }
  }

  private static ObjectNode packageNode(PackageInfo p) {
    ObjectNode n = F.objectNode();
    put(n, "id", p.id());
    put(n, "sha256", p.sha256());
    put(n, "title", p.title());
    n.set("signed_by", strings(p.signedBy()));
    ObjectNode auth = F.objectNode();
    put(auth, "ref", p.authorizationRef());
    put(auth, "expires_at", p.expiresAt());
    put(auth, "risk", p.risk());
    if (p.chain() != null && !p.chain().isEmpty()) {
      auth.set("chain", strings(p.chain()));
    }
    n.set("authorization", auth);
    return n;
  }

  private static ObjectNode targetNode(TargetInfo t) {
    ObjectNode n = F.objectNode();
    put(n, "database", t.database());
    put(n, "system_identifier", t.systemIdentifier());
    put(n, "server_version", t.serverVersion());
    put(n, "login_role", t.loginRole());
    put(n, "apply_role", t.applyRole());
    if (t.tls() != null) {
      n.set("tls", tlsNode(t.tls()));
    }
    put(n, "role_session", t.roleSession());
    if (t.privilegedLoginAllowed()) {
      n.put("privileged_login_allowed", true);
    }
    return n;
  }

  private static ObjectNode tlsNode(TlsState t) {
    ObjectNode n = F.objectNode();
    n.put("encrypted", t.encrypted());
    n.put("verified", t.verified());
    put(n, "sslmode", t.sslmode());
    put(n, "protocol", t.protocol());
    return n;
  }

  private static TlsState tlsState(JsonNode t) {
    if (t == null || t.isNull() || t.isMissingNode()) {
      return null;
    }
    return new TlsState(requiredBoolean(t, "encrypted"), requiredBoolean(t, "verified"), text(t, "sslmode"),
        text(t, "protocol"));
  }

  private static ObjectNode gateNode(GateResult g) {
    ObjectNode n = F.objectNode();
    put(n, "id", g.id());
    put(n, "status", g.status() == null ? null : g.status().name());
    put(n, "expected", g.expected());
    put(n, "actual", g.actual());
    put(n, "message", g.message());
    if (!g.checks().isEmpty()) {
      n.set("checks", array(g.checks(), ReportTree::checkNode));
    }
    if (g.durationMs() != null) {
      n.put("duration_ms", g.durationMs());
    }
    return n;
  }

  private static ObjectNode checkNode(CheckResult c) {
    ObjectNode n = F.objectNode();
    put(n, "id", c.id());
    put(n, "status", c.status() == null ? null : c.status().name());
    put(n, "expected", c.expected());
    put(n, "actual", c.actual());
    put(n, "message", c.message());
    return n;
  }

  private static ObjectNode backupNode(BackupInfo b) {
    ObjectNode n = F.objectNode();
    put(n, "status", RunStatus.label(b.status()));
    put(n, "path", b.path());
    put(n, "format", b.format());
    put(n, "archive_version", b.archiveVersion());
    if (b.bytes() != null) {
      n.put("bytes", b.bytes());
    }
    put(n, "sha256", b.sha256());
    put(n, "plaintext_sha256", b.plaintextSha256());
    if (b.encryptedTo() != null) {
      n.set("encrypted_to", strings(b.encryptedTo()));
    }
    if (b.tocEntries() != null) {
      n.put("toc_entries", b.tocEntries());
    }
    if (b.tableDataEntries() != null) {
      n.put("table_data_entries", b.tableDataEntries());
    }
    put(n, "pg_dump_version", b.pgDumpVersion());
    put(n, "timestamp_utc", b.startedUtc());
    put(n, "finished_utc", b.finishedUtc());
    put(n, "reason", b.reason());
    put(n, "system_identifier", b.systemIdentifier());
    if (b.tls() != null) {
      n.set("tls", tlsNode(b.tls()));
    }
    backupEvidence(n, b);
    return n;
  }

  /** The point-in-time anchor and the restore proof of a backup, when it has them. */
  private static void backupEvidence(ObjectNode n, BackupInfo b) {
    if (b.pointInTime() != null) {
      ObjectNode p = n.putObject("point_in_time");
      put(p, "wal_lsn", b.pointInTime().walLsn());
      p.put("standby", b.pointInTime().standby());
      put(p, "snapshot_xmin", b.pointInTime().snapshotXmin());
    }
    if (b.restoreProof() != null) {
      RunReport.RestoreProofInfo r = b.restoreProof();
      ObjectNode p = n.putObject("restore_proof");
      put(p, "scratch", r.scratch());
      p.put("relations_compared", r.relationsCompared());
      p.put("tables_compared", r.tablesCompared());
      p.put("rows_compared", r.rowsCompared());
      p.set("differences", strings(r.differences()));
    }
  }

  private static BackupInfo backupEvidence(BackupInfo info, JsonNode b) {
    JsonNode p = b.get("point_in_time");
    JsonNode r = b.get("restore_proof");
    if ((p == null || p.isNull()) && (r == null || r.isNull())) {
      return info;
    }
    return info.withEvidence(p == null || p.isNull() ? null
            : new RunReport.PointInTime(text(p, "wal_lsn"), p.path("standby").asBoolean(), text(p, "snapshot_xmin")),
        r == null || r.isNull() ? null : new RunReport.RestoreProofInfo(text(r, "scratch"), requiredInt(r, "relations_compared"),
            requiredInt(r, "tables_compared"), integral(r.get("rows_compared"), "rows_compared").longValue(),
            r.has("differences") ? strings(r, "differences") : List.of()));
  }

  private static ObjectNode applyNode(ApplyInfo a) {
    ObjectNode n = F.objectNode();
    put(n, "status", RunStatus.label(a.status()));
    n.put("statements_total", a.statementsTotal());
    n.put("statements_executed", a.statementsExecuted());
    put(n, "transaction", RunStatus.label(a.transaction()));
    n.put("wrapper_absorbed", a.wrapperAbsorbed());
    if (a.committedStatements() != null && !a.committedStatements().isEmpty()) {
      ArrayNode committed = n.putArray("committed_statements");
      a.committedStatements().forEach(committed::add);
    }
    FailedStatement f = a.failedStatement();
    if (f != null) {
      ObjectNode fs = n.putObject("failed_statement");
      fs.put("index", f.index());
      fs.put("line", f.line());
      put(fs, "sqlstate", f.sqlstate());
      put(fs, "message", f.message());
      put(fs, "detail", f.detail());
      put(fs, "hint", f.hint());
      put(fs, "where", f.where());
    }
    return n;
  }

  private static ObjectNode verificationNode(VerificationInfo v) {
    ObjectNode n = F.objectNode();
    put(n, "status", RunStatus.label(v.status()));
    if (v.checks() != null && !v.checks().isEmpty()) {
      n.set("checks", array(v.checks(), ReportTree::checkNode));
    }
    if (v.baselineBefore() != null) {
      n.set("baseline_before", baselineNode(v.baselineBefore()));
    }
    if (v.baselineAfter() != null) {
      n.set("baseline_after", baselineNode(v.baselineAfter()));
    }
    put(n, "note", v.note());
    return n;
  }

  private static ObjectNode baselineNode(Baseline b) {
    ObjectNode n = F.objectNode();
    b.schemas().forEach((schema, counts) -> {
      ObjectNode s = n.putObject(schema);
      s.set("constraints", counts(counts.constraints()));
      s.set("relations", counts(counts.relations()));
    });
    return n;
  }

  private static ObjectNode counts(Map<String, Integer> counts) {
    ObjectNode n = F.objectNode();
    counts.forEach(n::put);
    return n;
  }

  private static ObjectNode rollbackNode(RollbackInfo r) {
    ObjectNode n = F.objectNode();
    put(n, "status", RunStatus.label(r.status()));
    put(n, "reason", r.reason());
    return n;
  }

  private static ObjectNode notRun() {
    return F.objectNode().put("status", NOT_RUN);
  }

  static String modeName(RunMode mode) {
    return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** RFC 3339 in UTC, to the millisecond at most (none when whole seconds). */
  static String timestamp(Instant t) {
    return t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static void put(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  private static void put(ObjectNode n, String field, Instant value) {
    if (value != null) {
      n.put(field, timestamp(value));
    }
  }

  private static ArrayNode strings(Collection<String> values) {
    ArrayNode a = F.arrayNode();
    if (values != null) {
      values.forEach(a::add);
    }
    return a;
  }

  private static <T> ArrayNode array(Collection<T> values, Function<T, JsonNode> each) {
    ArrayNode a = F.arrayNode();
    values.forEach(v -> a.add(each.apply(v)));
    return a;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** A report read back: the run, the scan result it recorded, and whether it kept row values. */
  record Read(RunReport report, String secretsRecorded, boolean showValues) {}

  static Read fromTree(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new ReportFormatException("expected a mapping at the top level");
    }
    int version = requiredInt(root, "report_version");
    if (version != RunReport.REPORT_VERSION) {
      throw new ReportFormatException("report_version " + version + " is not supported (expected "
          + RunReport.REPORT_VERSION + ")");
    }
    String verdictName = requiredText(root, "verdict");
    RunReport report = new RunReport(
        requiredText(root, "run_id"),
        mode(requiredText(root, "mode")),
        root.has("package") ? packageInfo(object(root, "package")) : null,
        root.has("target") ? targetInfo(object(root, "target")) : null,
        INTERNAL_ERROR.equals(verdictName) || INVALID_INPUT.equals(verdictName) ? null
            : enumValue(Verdict.class, verdictName, "verdict"),
        requiredInt(root, "exit_code"),
        requiredBoolean(root, "production_changed"),
        list(root, "gates", ReportTree::gate),
        section(root, "backup", ReportTree::backupInfo),
        section(root, "apply", ReportTree::applyInfo),
        section(root, "verification", ReportTree::verificationInfo),
        section(root, "rollback", r -> new RollbackInfo(status(RunStatus.Rollback.class, r, "status"), text(r, "reason"))),
        text(root, "root_cause"),
        list(root, "remediation", m -> new Remediation(text(m, "option"), text(m, "action"))),
        text(root, "next_action"),
        instant(root, "started_at"),
        instant(root, "finished_at"),
        section(root, "apply_settings", a -> new RunReport.ApplySettingsInfo(text(a, "mode"), text(a, "lock_timeout"),
            text(a, "statement_timeout"), a.hasNonNull("retries") ? a.get("retries").asInt() : null)))
        .withStatements(StatementsSection.read(root))
        .withOnline(OnlineSection.read(root.get("online")))
        .withBlockers(section(root, "blockers", ReportTree::blockersInfo))
        .withProvenance(section(root, "provenance", ReportTree::provenanceOf))
        .withLint(lintFindings(root));
    report = report.withLockPlan(LockPlanTree.read(root.get("lock_plan")));
    JsonNode show = root.get("show_values");
    if (show != null && !show.isNull() && !show.isBoolean()) {
      throw new ReportFormatException("show_values: expected true or false");
    }
    return new Read(report, text(root, "secrets_recorded"), show != null && show.asBoolean(false));
  }

  private static PackageInfo packageInfo(JsonNode p) {
    JsonNode auth = p.path("authorization");
    return new PackageInfo(text(p, "id"), text(p, "sha256"), text(p, "title"), strings(p, "signed_by"),
        text(auth, "ref"), instant(auth, "expires_at"), text(auth, "risk"), strings(auth, "chain"));
  }

  private static TargetInfo targetInfo(JsonNode t) {
    return new TargetInfo(text(t, "database"), text(t, "system_identifier"), text(t, "server_version"),
        text(t, "login_role"), text(t, "apply_role"), tlsState(t.get("tls")), text(t, "role_session"),
        t.path("privileged_login_allowed").asBoolean(false));
  }

  private static GateResult gate(JsonNode g) {
    String id = requiredText(g, "id");
    dev.cutter.core.run.GateId gate = java.util.Arrays.stream(dev.cutter.core.run.GateId.values())
        .filter(x -> x.id().equals(id)).findFirst()
        .orElseThrow(() -> new ReportFormatException("gates: unknown gate id '" + id + "'"));
    return new GateResult(gate, enumValue(GateStatus.class, requiredText(g, "status"), "gate status"),
        text(g, "expected"), text(g, "actual"), text(g, "message"), list(g, "checks", ReportTree::check))
        .withDuration(optionalLong(g, "duration_ms"));
  }

  private static CheckResult check(JsonNode c) {
    return new CheckResult(requiredText(c, "id"), enumValue(CheckStatus.class, requiredText(c, "status"), "check status"),
        text(c, "expected"), text(c, "actual"), text(c, "message"));
  }

  private static BackupInfo backupInfo(JsonNode b) {
    return backupEvidence(new BackupInfo(status(RunStatus.Backup.class, b, "status"), text(b, "path"), text(b, "format"), text(b, "archive_version"),
        b.hasNonNull("bytes") ? integral(b.get("bytes"), "bytes").longValue() : null, text(b, "sha256"), text(b, "plaintext_sha256"),
        b.has("encrypted_to") ? strings(b, "encrypted_to") : null, optionalInt(b, "toc_entries"),
        optionalInt(b, "table_data_entries"), text(b, "pg_dump_version"), instant(b, "timestamp_utc"),
        instant(b, "finished_utc"), text(b, "reason"), text(b, "system_identifier"), tlsState(b.get("tls"))), b);
  }

  private static ApplyInfo applyInfo(JsonNode a) {
    JsonNode f = a.get("failed_statement");
    FailedStatement failed = f == null || f.isNull() ? null : new FailedStatement(requiredInt(f, "index"),
        requiredInt(f, "line"), text(f, "sqlstate"), text(f, "message"), text(f, "detail"), text(f, "hint"),
        text(f, "where"));
    return new ApplyInfo(status(RunStatus.Apply.class, a, "status"), requiredInt(a, "statements_total"), requiredInt(a, "statements_executed"),
        status(RunStatus.Transaction.class, a, "transaction"), a.path("wrapper_absorbed").asBoolean(false),
        list(a, "committed_statements", n -> integral(n, "committed_statements").intValue()), failed);
  }

  private static VerificationInfo verificationInfo(JsonNode v) {
    return new VerificationInfo(status(RunStatus.Verification.class, v, "status"), list(v, "checks", ReportTree::check),
        v.has("baseline_before") ? baseline(object(v, "baseline_before")) : null,
        v.has("baseline_after") ? baseline(object(v, "baseline_after")) : null, text(v, "note"));
  }

  private static Baseline baseline(JsonNode b) {
    Map<String, SchemaCounts> schemas = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : b.properties()) {
      schemas.put(e.getKey(), new SchemaCounts(e.getKey(), counts(e.getValue(), "constraints"),
          counts(e.getValue(), "relations")));
    }
    return new Baseline(schemas);
  }

  private static Map<String, Integer> counts(JsonNode schema, String field) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    JsonNode n = schema.path(field);
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      counts.put(e.getKey(), integral(e.getValue(), field + "." + e.getKey()).intValue());
    }
    return counts;
  }

  /** A section that is absent or only {@code {status: NOT_RUN}} reads as null, as it was written. */
  private static <T> T section(JsonNode root, String field, Function<JsonNode, T> read) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull() || (n.size() == 1 && NOT_RUN.equals(n.path("status").asText(null)))) {
      return null;
    }
    if (!n.isObject()) {
      throw new ReportFormatException(field + ": expected a mapping");
    }
    return read.apply(n);
  }

  static RunMode mode(String name) {
    for (RunMode m : RunMode.values()) {
      if (modeName(m).equals(name)) {
        return m;
      }
    }
    throw new ReportFormatException("mode: unknown value '" + name + "'");
  }

  private static <E extends Enum<E> & RunStatus.Label> E status(Class<E> type, JsonNode n, String field) {
    try {
      return RunStatus.of(type, text(n, field));
    } catch (IllegalArgumentException e) {
      throw new ReportFormatException(field + ": " + e.getMessage());
    }
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String what) {
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new ReportFormatException(what + ": unknown value '" + name + "'");
    }
  }

  private static JsonNode object(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isObject()) {
      throw new ReportFormatException(field + ": expected a mapping");
    }
    return v;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new ReportFormatException(field + ": expected a scalar");
    }
    return v.asText();
  }

  private static String requiredText(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) {
      throw new ReportFormatException("missing field " + field);
    }
    return v;
  }

  /** {@code v} as a number; {@code what} names it in the error. */
  private static Number integral(JsonNode v, String what) {
    if (v == null || !v.isIntegralNumber()) {
      throw new ReportFormatException(what + ": expected an integer");
    }
    return v.numberValue();
  }

  private static int requiredInt(JsonNode n, String field) {
    if (!n.hasNonNull(field)) {
      throw new ReportFormatException("missing field " + field);
    }
    return integral(n.get(field), field).intValue();
  }

  static Long optionalLong(JsonNode n, String field) {
    return n.hasNonNull(field) ? integral(n.get(field), field).longValue() : null;
  }

  static int requiredIntOf(JsonNode n, String field) {
    return requiredInt(n, field);
  }

  static String textOf(JsonNode n, String field) {
    return text(n, field);
  }

  private static Integer optionalInt(JsonNode n, String field) {
    return n.hasNonNull(field) ? integral(n.get(field), field).intValue() : null;
  }

  private static boolean requiredBoolean(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isBoolean()) {
      throw new ReportFormatException(field + ": expected true or false");
    }
    return v.booleanValue();
  }

  private static Instant instant(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new ReportFormatException(field + ": expected an RFC 3339 UTC timestamp, found '" + v + "'");
    }
  }

  private static List<String> strings(JsonNode n, String field) {
    return list(n, field, v -> {
      if (!v.isValueNode()) {
        throw new ReportFormatException(field + ": expected a list of strings");
      }
      return v.asText();
    });
  }

  private static <T> List<T> list(JsonNode n, String field, Function<JsonNode, T> each) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new ReportFormatException(field + ": expected a list");
    }
    List<T> out = new ArrayList<>(v.size());
    v.forEach(e -> out.add(each.apply(e)));
    return out;
  }

  /** The file is not a report this version can read; the message names the field. */
  static final class ReportFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReportFormatException(String message) {
      super(message);
    }
  }
}
