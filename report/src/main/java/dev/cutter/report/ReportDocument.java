package dev.cutter.report;

import static dev.cutter.report.Doc.bold;
import static dev.cutter.report.Doc.code;
import static dev.cutter.report.Doc.plain;

import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.PreflightRun;
import dev.cutter.core.run.Provenance;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunStatus;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.PackageInfo;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import dev.cutter.report.Doc.Block;
import dev.cutter.report.Doc.Callout;
import dev.cutter.report.Doc.Code;
import dev.cutter.report.Doc.Heading;
import dev.cutter.report.Doc.Line;
import dev.cutter.report.Doc.Paragraph;
import dev.cutter.report.Doc.Span;
import dev.cutter.report.Doc.TableBuilder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The reviewer's view of a report, as a {@link Doc}: a banner (verdict, production changed, next
 * action), the run's identity, the root cause, one section per gate with its checks' expected and
 * actual values, then the remediation options.
 */
final class ReportDocument {

  /** Texts longer than this, or with a line break, go in a code block below their table. */
  static final int LONG_TEXT = 300;

  private static final String SEE_BELOW = "(see below)";

  private static final Map<String, String> CONTYPES = Map.of("c", "check", "f", "foreign key", "p", "primary key",
      "u", "unique", "t", "constraint trigger", "x", "exclusion", "n", "not-null");
  private static final Map<String, String> RELKINDS = Map.ofEntries(Map.entry("r", "table"), Map.entry("i", "index"),
      Map.entry("S", "sequence"), Map.entry("t", "TOAST table"), Map.entry("v", "view"),
      Map.entry("m", "materialized view"), Map.entry("c", "composite type"), Map.entry("f", "foreign table"),
      Map.entry("p", "partitioned table"), Map.entry("I", "partitioned index"));

  private final RunReport r;
  private final String secretsRecorded;
  private final boolean showValues;
  private final List<Block> blocks = new ArrayList<>();

  private ReportDocument(ScannedReport scanned) {
    this.r = scanned.report();
    this.secretsRecorded = scanned.secretsRecorded();
    this.showValues = scanned.showValues();
  }

  static List<Block> build(ScannedReport scanned) {
    return new ReportDocument(scanned).build();
  }

  /** E.g. {@code BLOCKED: billing-invoice-lines}. */
  static String title(RunReport r) {
    String verdict = r.verdict() != null ? r.verdict().name() : ReportTree.verdictName(r).replace('_', ' ');
    String id = r.pkg() == null || r.pkg().id() == null ? "unknown package" : r.pkg().id();
    return verdict + ": " + id;
  }

  private List<Block> build() {
    blocks.add(new Heading(1, title(r)));
    banner();
    runTable();
    if (r.rootCause() != null) {
      blocks.add(new Heading(2, "Root cause"));
      blocks.add(new Paragraph(Line.plain(r.rootCause())));
    }
    gates();
    blocks.addAll(TimingsSection.blocks(r));
    blocks.addAll(OnlineSection.blocks(r.online()));
    blockers();
    lintSection();
    lockPlan();
    remediation();
    return List.copyOf(blocks);
  }

  /**
   * P1's lock-hazard findings: where, rule, severity, whether the policy denied it, the lock it
   * takes (predicted, and measured by a rehearsal when known), then the safe way per rule.
   */
  private void lintSection() {
    if (r.lint() == null || r.lint().isEmpty()) {
      return;
    }
    blocks.add(new Heading(2, "Lock hazards"));
    TableBuilder t = new TableBuilder("where", "rule", "severity", "policy", "lock", "finding");
    Set<dev.cutter.core.lint.LintRule> rules = new LinkedHashSet<>();
    for (dev.cutter.core.lint.LintFinding f : r.lint()) {
      String lock = f.predictedLock() == null ? "" : "predicted " + f.predictedLock()
          + (f.measuredLock() == null ? "" : " / measured " + f.measuredLock());
      t.row(codeLine(f.where()), codeLine(f.rule().id()), Line.plain(f.severity().yamlName()),
          f.denied() ? Line.of(bold("denied")) : Line.plain("reported"), Line.plain(lock), Line.plain(f.detail()));
      rules.add(f.rule());
    }
    blocks.add(t.build());
    blocks.add(new Doc.Bullets(rules.stream()
        .map(rule -> Line.of(code(rule.id()), plain(": " + rule.why() + ". Safe way: " + rule.fix() + "."))).toList()));
  }

  /**
   * Per measured lock plan, the locks on relations that existed before the change: the strongest
   * mode, what it makes other sessions wait for, the statement that took it, and how long it was
   * held (that statement and every later one, until the transaction ended).
   */
  private void lockPlan() {
    if (r.lockPlan() == null) {
      return;
    }
    for (dev.cutter.core.lock.LockPlan p : r.lockPlan()) {
      blocks.add(new Heading(2, "Lock plan (" + p.source().yamlName().replace('_', ' ') + ", " + p.file() + ")"));
      String ran = p.executed() + " of " + p.statements() + " statements measured"
          + (p.note() == null ? "" : "; " + p.note());
      if (p.summary().isEmpty()) {
        blocks.add(new Paragraph(Line.plain(ran + ": no lock on a relation that existed before the change.")));
        continue;
      }
      blocks.add(new Paragraph(Line.plain(ran + ". In one transaction every lock is held until it ends:")));
      TableBuilder t = new TableBuilder("relation", "strongest lock", "blocks", "taken at", "held for", "size",
          "rows (est.)", "rewritten");
      for (dev.cutter.core.lock.LockPlan.RelationHold h : p.summary()) {
        String at = h.takenAt() == dev.cutter.core.lock.LockPlanRecorder.AT_BEGIN ? "BEGIN (re-check)"
            : h.takenThrough() != h.takenAt() ? "one of statements " + h.takenAt() + " to " + h.takenThrough()
                + " (from " + p.file() + ":" + h.line() + "; measured together)"
            : "statement " + h.takenAt() + " (" + p.file() + ":" + h.line() + ")";
        t.row(Line.of(code(h.relation())), Line.of(code(h.strongest().pgName())), Line.plain(h.strongest().blocks()),
            Line.plain(at), Line.plain(h.heldStatements() + " statements, "
                + String.format(Locale.ROOT, "%.1f ms", h.heldMicros() / 1000.0)),
            Line.plain(h.sizeBytes() == null ? "" : h.sizeBytes() + " bytes"),
            Line.plain(h.estimatedRows() == null ? "" : String.format(Locale.ROOT, "%.0f", h.estimatedRows())),
            Line.plain(h.rewritten() ? "yes" : "no"));
      }
      blocks.add(t.build());
    }
  }

  private void banner() {
    Verdict v = r.verdict();
    List<Line> lines = new ArrayList<>();
    if (r.mode() == RunMode.UNSIGNED_PREFLIGHT) {
      lines.add(Line.of(bold("UNSIGNED: not an authorization."), plain(" " + PreflightRun.UNSIGNED_NOTE + ".")));
    }
    lines.add(Line.of(bold(ReportTree.verdictName(r)), plain(" (exit code " + r.exitCode() + "): " + meaning(r))));
    lines.add(Line.of(bold("Production changed:"), plain(" "), r.productionChanged() ? bold("yes") : plain("no")));
    if (PreflightRun.rehearsed(r)) {
      lines.add(Line.of(bold("Rehearsal:"), plain(" " + PreflightRun.REHEARSAL_NOTE + ".")));
    }
    if (r.nextAction() != null) {
      lines.add(Line.of(bold("Next action:"), plain(" " + r.nextAction())));
    }
    blocks.add(new Callout(calloutKind(r), lines));
  }

  private static String meaning(RunReport r) {
    if (r.verdict() == Verdict.PASS && r.verification() != null && r.verification().notVerified()) {
      return "every gate passed, but nothing was verified: the package lists no verify checks"
          + " and none can be derived from its DDL";
    }
    if (r.verdict() != null) {
      return r.verdict().meaning();
    }
    return ReportTree.INVALID_INPUT.equals(ReportTree.verdictName(r))
        ? "the package or the invocation is invalid; nothing ran against the target"
        : "cutter stopped on an internal error; this report says what was known";
  }

  private static String calloutKind(RunReport r) {
    Verdict v = r.verdict();
    if (v == null && ReportTree.INVALID_INPUT.equals(ReportTree.verdictName(r))) {
      return "WARNING";
    }
    if (v == null || v == Verdict.ESCALATE) {
      return "CAUTION";
    }
    return v == Verdict.PASS ? "TIP" : "WARNING";
  }

  private void runTable() {
    TableBuilder t = new TableBuilder("run", "");
    t.field("run id", codeLine(r.runId()));
    t.field("mode", Line.plain(r.mode() == null ? null : ReportTree.spelling(r.mode())));
    t.field("started", Line.plain(ReportTree.timestamp(r.started())));
    t.field("finished", Line.plain(ReportTree.timestamp(r.finished())));
    if (r.applySettings() != null) {
      RunReport.ApplySettingsInfo a = r.applySettings();
      t.field("apply settings", Line.plain("mode " + a.mode() + ", lock_timeout " + a.lockTimeout() + ", statement_timeout "
          + a.statementTimeout() + (a.retries() == null ? "" : ", retries " + a.retries())));
    }
    PackageInfo p = r.pkg();
    if (p != null) {
      t.field("package", Line.of(code(p.id()), plain(p.title() == null ? "" : " " + p.title())));
      t.field("package sha256", codeLine(p.sha256()));
      t.field("authorization", authorization(p));
      t.field("approval chain", Line.plain(p.chain() == null ? null : String.join("; ", p.chain())));
      t.field("signed by", p.signedBy() == null || p.signedBy().isEmpty() ? Line.plain("nobody") : codes(p.signedBy()));
    }
    TargetInfo target = r.target();
    if (target != null) {
      t.field("database", codeLine(target.database()));
      t.field("system identifier", codeLine(target.systemIdentifier()));
      t.field("server version", Line.plain(target.serverVersion()));
      t.field("login role", codeLine(target.loginRole()));
      t.field("apply role", codeLine(target.applyRole()));
      t.field("connection", tls(target.tls()));
      t.field("role session", Line.plain(target.roleSession()));
      if (target.privilegedLoginAllowed()) {
        t.field("privileged login", Line.plain("allowed by the trust policy: a statement could act as the login role "
            + target.loginRole()));
      }
    }
    provenanceRows(t, r.provenance());
    if (showValues) {
      t.field("row values", Line.of(bold("shown"), plain(" (--show-values): server errors below may quote table data")));
    }
    t.field("secrets recorded", Line.plain(secretsRecorded));
    blocks.add(t.build());
  }

  /** The blockers gate's findings and the apply's attempts: who was in the way, and what to do about them. */
  private void blockers() {
    dev.cutter.core.blockers.BlockersInfo b = r.blockers();
    if (b == null) {
      return;
    }
    blocks.add(new Heading(2, "Blockers"));
    TableBuilder t = new TableBuilder("blockers", "");
    t.field("status", Line.plain(b.status()));
    t.field("relations watched", Line.plain(b.relations().isEmpty() ? "none" : String.join(", ", b.relations())));
    t.field("max_blocker_age", Line.plain(b.maxBlockerAge()));
    t.field("waited", Line.plain(b.waitedMs() + "ms"));
    blocks.add(t.build());
    if (!b.blockers().isEmpty()) {
      blocks.add(new Paragraph(Line.plain("Sessions in the way:")));
      sessions(b.blockers());
    }
    if (!b.attempts().isEmpty()) {
      TableBuilder a = new TableBuilder("attempt", "outcome", "SQLSTATE", "waited before", "held up by");
      for (dev.cutter.core.blockers.BlockersInfo.Attempt x : b.attempts()) {
        a.row(Line.plain(String.valueOf(x.number())), Line.plain(x.outcome()), Line.plain(x.sqlstate()),
            Line.plain(x.waitedBeforeMs() + "ms"), Line.plain(x.blockers().isEmpty() ? "nobody seen"
                : x.blockers().stream().map(s -> "pid " + s.pid() + " (" + s.lock() + ")").collect(Collectors.joining("; "))));
      }
      blocks.add(a.build());
    }
  }

  private void sessions(List<dev.cutter.core.blockers.Blocker> list) {
    TableBuilder t = new TableBuilder("pid", "user", "application", "client", "state", "transaction age", "why", "lock",
        "query");
    for (dev.cutter.core.blockers.Blocker x : list) {
      t.row(Line.plain(String.valueOf(x.pid())), codeLine(x.user()), codeLine(x.applicationName()),
          Line.plain(x.clientAddress()), Line.plain(x.state()),
          Line.plain(x.transactionAgeMs() == null ? null : x.transactionAgeMs() + "ms"),
          Line.plain(x.reason().yamlName().replace('_', ' ')), Line.plain(x.lock()), codeLine(x.query()));
    }
    blocks.add(t.build());
    blocks.add(new Callout("NOTE",
        list.stream().map(x -> Line.of(bold("pid " + x.pid() + ":"), plain(" " + x.advice()))).toList()));
  }

  /**
   * The roles the statements ran as (measured in the artifact's session), each session's login
   * role and protection, and the build of cutter that wrote the report.
   */
  private static void provenanceRows(TableBuilder t, Provenance p) {
    if (p == null) {
      return;
    }
    t.field("statements ran as", ranAs("before the first statement", p.beforeFirst(), p.afterLast() == null ? null
        : ranAs("after the last", p.afterLast(), null)));
    for (Provenance.Session s : p.sessions()) {
      List<Span> spans = new ArrayList<>(List.of(plain("login "), code(s.loginRole() == null ? "unknown" : s.loginRole())));
      if (s.tls() != null) {
        spans.add(plain(", "));
        spans.addAll(tls(s.tls()).spans());
      }
      t.field("session: " + s.purpose().yamlName(), new Line(spans));
    }
    t.field("cutter", Line.plain(p.cutterVersion() + " (commit " + p.cutterCommit() + ")"));
  }

  /** E.g. {@code current_user `app`, session_user `app` before the first statement; … after the last}. */
  private static Line ranAs(String when, Provenance.Roles r, Line then) {
    if (r == null) {
      return then;
    }
    List<Span> spans = new ArrayList<>(List.of(plain("current_user "), code(r.currentUser()), plain(", session_user "),
        code(r.sessionUser()), plain(" " + when)));
    if (then != null) {
      spans.add(plain("; "));
      spans.addAll(then.spans());
    }
    return new Line(spans);
  }

  /** How a connection was protected, in words: encryption first, then whether the server was verified. */
  static Line tls(TlsState t) {
    if (t == null) {
      return Line.plain(null);
    }
    Span mode = Doc.plain(" (sslmode " + t.sslmode() + ")");
    if (!t.encrypted()) {
      return Line.of(Doc.bold("not encrypted"), mode);
    }
    Span encrypted = Doc.plain("encrypted" + (t.protocol() == null ? "" : " (" + t.protocol() + ")") + ", ");
    return t.verified() ? Line.of(encrypted, Doc.plain("server certificate verified"), mode)
        : Line.of(encrypted, Doc.bold("server certificate not verified"), mode);
  }

  private static Line authorization(PackageInfo p) {
    List<Span> spans = new ArrayList<>();
    if (p.authorizationRef() != null) {
      spans.add(code(p.authorizationRef()));
    }
    String parts = Stream.of(p.risk() == null ? null : "risk " + p.risk(), p.expiresAt() == null ? null
        : "expires " + ReportTree.timestamp(p.expiresAt())).filter(Objects::nonNull).collect(Collectors.joining(", "));
    if (!parts.isEmpty()) {
      spans.add(plain((spans.isEmpty() ? "" : ", ") + parts));
    }
    return new Line(spans);
  }

  // ---- gates ---------------------------------------------------------------------------------

  private void gates() {
    blocks.add(new Heading(2, "Gates"));
    if (r.gates().isEmpty()) {
      blocks.add(new Paragraph(Line.plain("No gate ran.")));
    } else {
      TableBuilder overview = new TableBuilder("#", "gate", "status", "summary");
      int n = 1;
      for (GateResult g : r.gates()) {
        overview.row(Line.plain(String.valueOf(n++)), Line.plain(g.id()), status(g.status().name()), Line.plain(summary(g)));
      }
      blocks.add(overview.build());
    }
    List<Section> pending = sections();
    int n = 1;
    for (GateResult g : r.gates()) {
      blocks.add(new Heading(3, n++ + ". " + g.id() + ": " + g.status()));
      String id = g.id().toLowerCase(Locale.ROOT);
      Section section = pending.stream().filter(x -> x.shownWith().test(id)).findFirst().orElse(null);
      gateBody(g, section != null);
      if (section != null) {
        pending.remove(section);
        section.render().accept(g.checks());
      }
    }
    for (Section section : pending) {
      blocks.add(new Heading(3, section.title()));
      section.render().accept(List.of());
    }
  }

  /**
   * A section of the run shown under the first gate it belongs to, or on its own after the gates;
   * {@code render} gets the checks that gate already showed.
   */
  private record Section(String title, Predicate<String> shownWith, Consumer<List<CheckResult>> render) {}

  /** The sections this run has, in the order they are shown when no gate carries them. */
  private List<Section> sections() {
    List<Section> out = new ArrayList<>();
    if (r.backup() != null) {
      out.add(new Section("Backup", id -> id.endsWith("backup"), shown -> backup(r.backup())));
    }
    if (r.apply() != null) {
      out.add(new Section("Apply", "apply"::equals, shown -> apply(r.apply())));
    }
    if (r.verification() != null) {
      out.add(new Section("Verification", id -> id.startsWith("verif"), shown -> verification(r.verification(), shown)));
    }
    if (r.rollback() != null) {
      out.add(new Section("Rollback", "rollback"::equals, shown -> rollback(r.rollback())));
    }
    return out;
  }

  private static String summary(GateResult g) {
    if (!g.checks().isEmpty()) {
      Map<CheckStatus, Long> counts = new EnumMap<>(g.checks().stream()
          .collect(Collectors.groupingBy(CheckResult::status, Collectors.counting())));
      return counts.entrySet().stream()
          .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
          .collect(Collectors.joining(", ", g.checks().size() + (g.checks().size() == 1 ? " check: " : " checks: "), ""));
    }
    if (g.message() != null) {
      return isLong(g.message()) ? SEE_BELOW : g.message();
    }
    return g.status() == GateStatus.NOT_RUN ? "not run" : "";
  }

  private void gateBody(GateResult g, boolean sectionFollows) {
    List<Code> below = new ArrayList<>();
    TableBuilder fields = new TableBuilder("gate", "");
    fields.field("expected", cell(g.expected(), "expected", below));
    fields.field("actual", cell(g.actual(), "actual", below));
    fields.field("message", cell(g.message(), "message", below));
    if (!fields.isEmpty()) {
      blocks.add(fields.build());
    } else if (g.status() == GateStatus.NOT_RUN && g.checks().isEmpty() && !sectionFollows) {
      blocks.add(new Paragraph(Line.plain("Not run: an earlier gate stopped the run, or this mode skips it.")));
    }
    blocks.addAll(below);
    checks(g.checks());
  }

  private void checks(List<CheckResult> checks) {
    if (checks == null || checks.isEmpty()) {
      return;
    }
    List<Code> below = new ArrayList<>();
    TableBuilder t = new TableBuilder("check", "status", "expected", "actual", "message");
    for (CheckResult c : checks) {
      t.row(codeLine(c.id()), status(c.status().name()), cell(c.expected(), c.id() + " expected", below),
          cell(c.actual(), c.id() + " actual", below), cell(c.message(), c.id() + " message", below));
    }
    blocks.add(t.build());
    blocks.addAll(below);
  }

  /** A table cell; a long or multi-line text is replaced by a pointer and goes below the table. */
  private static Line cell(String text, String caption, List<Code> below) {
    if (text == null) {
      return Line.plain("");
    }
    if (isLong(text)) {
      below.add(new Code(caption + ":", text));
      return Line.plain(SEE_BELOW);
    }
    return Line.plain(text);
  }

  private static boolean isLong(String text) {
    return text.length() > LONG_TEXT || text.indexOf('\n') >= 0;
  }

  // ---- sections ------------------------------------------------------------------------------

  private void backup(BackupInfo b) {
    List<Code> below = new ArrayList<>();
    TableBuilder t = new TableBuilder("backup", "");
    t.field("status", status(RunStatus.label(b.status())));
    t.field("path", codeLine(b.path()));
    t.field("format", Line.plain(b.format()));
    t.field("archive version", Line.plain(b.archiveVersion()));
    t.field("bytes", Line.plain(b.bytes() == null ? null : bytes(b.bytes())));
    t.field("sha256", codeLine(b.sha256()));
    t.field("plaintext sha256", codeLine(b.plaintextSha256()));
    t.field("encrypted to", b.encryptedTo() == null ? null
        : b.encryptedTo().isEmpty() ? Line.plain("not encrypted") : codes(b.encryptedTo()));
    t.field("TOC entries", Line.plain(b.tocEntries() == null ? null : String.valueOf(b.tocEntries())));
    t.field("table data entries", Line.plain(b.tableDataEntries() == null ? null : String.valueOf(b.tableDataEntries())));
    t.field("pg_dump version", Line.plain(b.pgDumpVersion()));
    t.field("taken at", Line.plain(ReportTree.timestamp(b.startedUtc())));
    t.field("finished at", Line.plain(ReportTree.timestamp(b.finishedUtc())));
    t.field("server system identifier", codeLine(b.systemIdentifier()));
    t.field("connection", tls(b.tls()));
    backupEvidence(t, b);
    t.field("reason", cell(b.reason(), "backup reason", below));
    blocks.add(t.build());
    blocks.addAll(below);
    backupFiles(b.files());
  }

  /** The files of a directory-format backup, one row each: plaintext size and sha256, and what is stored in its place. */
  private void backupFiles(List<RunReport.BackupFile> files) {
    if (files == null || files.isEmpty()) {
      return;
    }
    boolean encrypted = files.stream().anyMatch(f -> f.storedName() != null);
    TableBuilder t = encrypted ? new TableBuilder("file", "bytes", "sha256", "stored as", "stored bytes", "stored sha256")
        : new TableBuilder("file", "bytes", "sha256");
    for (RunReport.BackupFile f : files) {
      if (encrypted) {
        t.row(codeLine(f.name()), Line.plain(bytes(f.bytes())), codeLine(f.sha256()), codeLine(f.storedName()),
            Line.plain(f.storedBytes() == null ? null : bytes(f.storedBytes())), codeLine(f.storedSha256()));
      } else {
        t.row(codeLine(f.name()), Line.plain(bytes(f.bytes())), codeLine(f.sha256()));
      }
    }
    blocks.add(t.build());
  }

  /** The point-in-time anchor and the restore proof, when the backup has them. */
  private static void backupEvidence(TableBuilder t, BackupInfo b) {
    if (b.pointInTime() != null) {
      t.field("WAL position", b.pointInTime().walLsn() == null ? Line.plain("none")
          : codeLine(b.pointInTime().walLsn() + (b.pointInTime().standby() ? " (standby replay)" : "")));
      t.field("snapshot xmin", codeLine(b.pointInTime().snapshotXmin()));
    }
    if (b.restoreProof() != null) {
      RunReport.RestoreProofInfo r = b.restoreProof();
      t.field("restore proof", Line.plain(r.tablesCompared() + " tables, " + r.rowsCompared() + " rows, "
          + r.relationsCompared() + " relations compared in " + r.scratch() + "; "
          + (r.differences().isEmpty() ? "no difference" : r.differences().size() + " differences")));
    }
  }

  private void apply(ApplyInfo a) {
    TableBuilder t = new TableBuilder("apply", "");
    t.field("status", status(RunStatus.label(a.status())));
    t.field("statements executed", Line.plain(a.statementsExecuted() + " of " + a.statementsTotal()));
    t.field("transaction", Line.plain(RunStatus.label(a.transaction())));
    if (a.wrapperAbsorbed()) {
      t.field("wrapper", Line.of(plain("the artifact's leading "), code("BEGIN;"), plain(" and trailing "),
          code("COMMIT;"), plain(" were absorbed")));
    }
    if (a.committedStatements() != null && !a.committedStatements().isEmpty()) {
      t.field("committed statements", Line.plain(a.committedStatements().stream().map(String::valueOf)
          .collect(Collectors.joining(", "))));
    }
    FailedStatement f = a.failedStatement();
    if (f != null) {
      t.field("failed statement", Line.plain(f.index() == 0 ? "COMMIT" : "#" + f.index() + " (line " + f.line() + ")"));
      t.field("SQLSTATE", codeLine(f.sqlstate()));
    }
    blocks.add(t.build());
    if (f != null) {
      blocks.add(new Code("Server error:", serverError(f)));
    }
  }

  /** The server's error as psql prints it. */
  static String serverError(FailedStatement f) {
    StringBuilder s = new StringBuilder("ERROR:  ").append(f.message() == null ? "(no message)" : f.message());
    if (f.detail() != null) {
      s.append("\nDETAIL:  ").append(f.detail());
    }
    if (f.hint() != null) {
      s.append("\nHINT:  ").append(f.hint());
    }
    if (f.where() != null) {
      s.append("\nCONTEXT:  ").append(f.where());
    }
    return s.toString();
  }

  /** The verification section; its checks are left out when the verify gate already showed them. */
  private void verification(VerificationInfo v, List<CheckResult> shownWithGate) {
    TableBuilder t = new TableBuilder("verification", "");
    t.field("status", status(RunStatus.label(v.status())));
    t.field("note", Line.plain(v.note()));
    blocks.add(t.build());
    if (v.checks() != null && !v.checks().equals(shownWithGate)) {
      checks(v.checks());
    }
    if (v.baselineBefore() != null || v.baselineAfter() != null) {
      blocks.add(new Paragraph(Line.plain("Catalog baseline before and after:")));
      blocks.add(baselineTable(v.baselineBefore(), v.baselineAfter()));
    }
  }

  private static Doc.Table baselineTable(Baseline before, Baseline after) {
    TableBuilder t = new TableBuilder("schema", "count of", "before", "after", "");
    for (String schema : keys(before == null ? null : before.schemas(), after == null ? null : after.schemas())) {
      SchemaCounts b = before == null ? null : before.schemas().get(schema);
      SchemaCounts a = after == null ? null : after.schemas().get(schema);
      baselineRows(t, schema, "constraints", CONTYPES, b == null ? null : b.constraints(), a == null ? null : a.constraints());
      baselineRows(t, schema, "relations", RELKINDS, b == null ? null : b.relations(), a == null ? null : a.relations());
    }
    return t.build();
  }

  private static void baselineRows(TableBuilder t, String schema, String what, Map<String, String> names,
      Map<String, Integer> before, Map<String, Integer> after) {
    for (String letter : keys(before, after)) {
      String b = before == null ? "—" : String.valueOf(before.getOrDefault(letter, 0));
      String a = after == null ? "—" : String.valueOf(after.getOrDefault(letter, 0));
      String kind = what + " " + letter + " (" + names.getOrDefault(letter, "other") + ")";
      t.row(codeLine(schema), Line.plain(kind), Line.plain(b), Line.plain(a),
          before != null && after != null && !a.equals(b) ? Line.of(bold("changed")) : Line.plain(""));
    }
  }

  /** The keys of both maps (either may be null), sorted. */
  static TreeSet<String> keys(Map<String, ?> a, Map<String, ?> b) {
    return Stream.of(a, b).filter(Objects::nonNull).flatMap(m -> m.keySet().stream())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private void rollback(RollbackInfo rb) {
    List<Code> below = new ArrayList<>();
    TableBuilder t = new TableBuilder("rollback", "");
    t.field("status", status(RunStatus.label(rb.status())));
    t.field("reason", cell(rb.reason(), "rollback reason", below));
    blocks.add(t.build());
    blocks.addAll(below);
  }

  private void remediation() {
    if (r.remediation().isEmpty()) {
      return;
    }
    blocks.add(new Heading(2, "Remediation options"));
    TableBuilder t = new TableBuilder("option", "action");
    r.remediation().forEach(m -> t.row(Line.of(bold(m.option())), Line.plain(m.action())));
    blocks.add(t.build());
    blocks.add(new Paragraph(Line.plain("None of these was taken by cutter; each needs its own approval.")));
  }

  // ---- small helpers -------------------------------------------------------------------------

  private static Line status(String status) {
    if (status == null) {
      return null;
    }
    boolean bad = status.equals("FAIL") || status.equals("FAILED") || status.equals("ERROR");
    return Line.of(bad ? bold(status) : plain(status));
  }

  private static Line codeLine(String text) {
    return text == null ? null : Line.of(code(text));
  }

  private static Line codes(List<String> values) {
    List<Span> spans = new ArrayList<>();
    for (String v : values) {
      if (!spans.isEmpty()) {
        spans.add(plain(", "));
      }
      spans.add(code(v));
    }
    return new Line(spans);
  }

  static String bytes(long n) {
    String exact = String.format(Locale.ROOT, "%,d", n);
    if (n < 1024) {
      return exact;
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return exact + " (" + String.format(Locale.ROOT, "%.1f %s", v, units[u]) + ")";
  }
}
