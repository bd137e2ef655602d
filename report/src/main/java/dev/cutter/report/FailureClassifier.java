package dev.cutter.report;

import dev.cutter.core.ExitCodes;
import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import dev.cutter.report.SqlErrorDiagnoses.SqlError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Derives a run's root cause, remediation options and next action from what the run found: the
 * SQLSTATE and message of a failed statement, the gate that refused, the failed checks, and what
 * happened after a failure (rollback, baseline). Pure: no database, no clock.
 */
public final class FailureClassifier {

  private static final Pattern SQLSTATE_IN_TEXT = Pattern.compile("(?:SQLSTATE[ :=]*|\\[)([0-9A-Z]{5})\\b");

  /** The report with its diagnosis filled in. */
  public RunReport diagnose(RunReport report) {
    return classify(report).applyTo(report);
  }

  /**
   * The diagnosis of a whole run. A PASS has no root cause and no options. A next action the run
   * already set (it knows the situation best, e.g. a dry-run's rollback rehearsal) is kept.
   */
  public Diagnosis classify(RunReport r) {
    Objects.requireNonNull(r, "report");
    Diagnosis d = byVerdict(r);
    return r.nextAction() == null ? d : new Diagnosis(d.rootCause(), d.remediation(), r.nextAction());
  }

  private Diagnosis byVerdict(RunReport r) {
    if (r.verdict() == Verdict.PASS) {
      if (r.verification() != null && r.verification().notVerified()) {
        return new Diagnosis(null, List.of(), "Check by hand that the change is in place: it is not verified (the package"
            + " lists no verify checks and none can be derived from its DDL); add verify checks to the next package.");
      }
      return new Diagnosis(null, List.of(), passNextAction(r.mode()));
    }
    if (r.verdict() == null && r.exitCode() == ExitCodes.INVALID) {
      return Diagnosis.of(r.rootCause(), "fix the package and submit it for approval again",
          "correct the package at the file, line and column named, re-run cutter package hash if an artifact changed,"
              + " and have it signed again");
    }
    if (r.verdict() == null) {
      return internalError(r);
    }
    if (r.verdict() == Verdict.ESCALATE) {
      return escalate(r);
    }
    if (r.verdict() == Verdict.ROLLED_BACK) {
      return rolledBack(r);
    }
    return firstFailure(r);
  }

  /**
   * The diagnosis of one failed statement, for callers outside a report (e.g. the rehearsal).
   *
   * @param applyRole the role the statement ran as, named in the cause; may be null
   */
  public Diagnosis classifySqlError(FailedStatement failure, String applyRole) {
    return SqlErrorDiagnoses.diagnose(sqlError(failure, applyRole));
  }

  // ---- by verdict ----------------------------------------------------------------------------

  private static String passNextAction(RunMode mode) {
    if (mode == null) {
      return "None.";
    }
    return switch (mode) {
      case DRY_RUN -> "None for the sandbox: the package is ready for cutter apply on the target.";
      case PREFLIGHT -> "None: every preflight check holds; the package can be applied (cutter apply).";
      case VERIFY -> "None: the change is in place as promised.";
      case BACKUP -> "None: the backup is in place and verified.";
      case ROLLBACK -> "None: the rollback ran and the target is back at its baseline.";
      case APPLY -> "None: the change is in place and verified.";
    };
  }

  private Diagnosis firstFailure(RunReport r) {
    GateResult gate = r.gates().stream().filter(g -> g.status() == GateStatus.FAIL).findFirst().orElse(null);
    ApplyInfo apply = r.apply();
    if (apply != null && apply.failedStatement() != null && (gate == null || isGate(gate, "apply"))) {
      return SqlErrorDiagnoses.diagnose(sqlError(apply.failedStatement(), applyRole(r)));
    }
    if (gate == null) {
      return Diagnosis.of(
          r.rootCause() != null ? capitalized(r.rootCause()) + "."
              : "The run ended " + r.verdict() + " but no gate reports a failure; the report is incomplete.",
          "Read the gates below and the log of this run; report the missing detail as a bug.",
          "Re-run cutter preflight to see which check does not hold.");
    }
    return gateFailure(r, gate);
  }

  private Diagnosis internalError(RunReport r) {
    String what = r.gates().stream().filter(g -> g.status() == GateStatus.FAIL).map(FailureClassifier::describe)
        .findFirst().orElse("no gate recorded the failure");
    return Diagnosis.of(
        "cutter stopped on an internal error (a bug): " + what + ". production_changed says whether the target"
            + " was touched.",
        r.productionChanged()
            ? "A person must check the target now (cutter verify PKG); then report the bug with this report."
            : "Report the bug with this report attached; the target was not changed, so the run can be retried.",
        "Report the bug with this report and the log (--verbose shows the stack trace).",
        "Check the target with cutter verify PKG before running anything else against it.");
  }

  private Diagnosis rolledBack(RunReport r) {
    return Diagnosis.of(
        "The change committed but verification failed: " + failedChecks(verifyChecks(r))
            + ". The rollback artifact ran and the catalog baseline matches the one before the apply.",
        "Find out why the verify checks did not hold, correct the package and have it approved again before the"
            + " next run.",
        "If the artifact does not do what the verify checks promise, correct the artifact and re-issue the package.",
        "If a verify check is wrong, correct the check and re-issue the package.",
        "If something else changed the objects during the run, find it (pg_stat_activity, server log) before"
            + " retrying.");
  }

  private Diagnosis escalate(RunReport r) {
    String backup = r.backup() != null && r.backup().path() != null ? " at " + r.backup().path() : "";
    String restore = "Restore from the P2 backup" + backup + " into a scratch database and compare, or restore"
        + " the affected objects, only after review.";
    String next = "A person must inspect the target now and decide; do not run cutter against it again until its"
        + " state is understood.";
    if (r.gates().stream().anyMatch(g -> g.id().equals(GateIds.ONLINE) && g.status() == GateStatus.FAIL)) {
      return Diagnosis.of("The change committed, but its online step did not finish: " + r.rootCause() + ".", next,
          "Issue a new package whose online artifact holds the statements that did not run, once the cause is fixed;"
              + " this package's authorization is consumed.",
          "If the committed change cannot stay without them, undo it with its rollback as its own approved package.");
    }
    ApplyInfo apply = r.apply();
    RollbackInfo rollback = r.rollback();
    if (apply != null && apply.committedStatements() != null && !apply.committedStatements().isEmpty()
        && apply.failedStatement() != null) {
      Diagnosis underlying = SqlErrorDiagnoses.diagnose(sqlError(apply.failedStatement(), applyRole(r)));
      return Diagnosis.of(
          "In autocommit mode, statements " + ranges(apply.committedStatements()) + " committed before "
              + statementLabel(apply.failedStatement()) + " failed: the target holds part of the change. "
              + underlying.rootCause(),
          next,
          "Finish the change: issue a package with the remaining statements once the cause is fixed.",
          "Undo the committed part with a rollback written for this partial state, as its own approved package.",
          restore);
    }
    if (apply != null && apply.failedStatement() != null && "rolled_back".equals(apply.transaction())) {
      Diagnosis underlying = SqlErrorDiagnoses.diagnose(sqlError(apply.failedStatement(), applyRole(r)));
      return Diagnosis.of(
          underlying.rootCause() + " The transaction was rolled back, yet the catalog baseline read afterwards"
              + " differs from the one before: " + baselineDifference(r.verification())
              + ". Something else changed the target during the run.",
          next,
          "Compare baseline_before and baseline_after below and find the session that made the difference"
              + " (pg_stat_activity, server log).",
          "If the difference is harmful, undo it through its own approved change.",
          restore);
    }
    if (r.mode() == RunMode.DRY_RUN && verificationPassed(r) && rollback != null) {
      return Diagnosis.of(
          "In the sandbox the change applied and verified, but the rollback rehearsal failed" + reason(rollback)
              + ": the package's way back is broken.",
          "Fix the rollback (its precondition or its artifact), re-issue the package and dry-run it again.",
          "Fix the rollback precondition: it must hold right after this change is applied.",
          "Fix the rollback artifact so that it brings back the pre-apply baseline.");
    }
    if (rollback != null && "NOT_APPLICABLE".equals(rollback.status())) {
      return Diagnosis.of(
          "The change committed but verification failed: " + failedChecks(verifyChecks(r)) + ". No rollback ran"
              + reason(rollback) + ": the target holds the committed, unverified change.",
          next,
          "Inspect the change; if it may stay, record that decision and correct the verify checks in a new package.",
          "Adapt the rollback to the target's actual state and run it as its own approved package.",
          restore);
    }
    if (rollback != null && "FAILED".equals(rollback.status())) {
      return Diagnosis.of(
          "The change committed but verification failed (" + failedChecks(verifyChecks(r)) + "), and the rollback"
              + " failed" + reason(rollback) + ": the target holds the change, possibly in part.",
          next,
          "Find why the rollback failed, adapt it to the target's state and run it as its own approved package.",
          "Inspect the change; if it may stay, record that decision.",
          restore);
    }
    if (rollback != null && "EXECUTED".equals(rollback.status())) {
      return Diagnosis.of(
          "The change committed but verification failed (" + failedChecks(verifyChecks(r)) + "); the rollback ran,"
              + " but the catalog baseline is not the one before the apply: " + baselineDifference(r.verification())
              + ".",
          next,
          "Compare baseline_before and baseline_after below and remove what the rollback left behind, as its own"
              + " approved change.",
          restore);
    }
    GateResult gate = r.gates().stream().filter(g -> g.status() == GateStatus.FAIL).findFirst().orElse(null);
    String known = r.rootCause() != null ? r.rootCause() : gate != null ? describe(gate) : null;
    return Diagnosis.of(
        "The target is not in the state the package promised and was not restored" + (known == null ? "." : ": "
            + known + "."),
        next,
        "Compare the target with the report's baselines and checks and decide, with the approver, what it should be.",
        restore);
  }

  // ---- gates ---------------------------------------------------------------------------------

  private Diagnosis gateFailure(RunReport r, GateResult g) {
    String id = g.id().toLowerCase(Locale.ROOT);
    String sqlstate = sqlstateIn(g.message());
    if (id.contains("signature") || id.contains("quorum")) {
      return signature(g);
    }
    if (id.contains("integrity") || id.contains("hash") || id.startsWith("p3")) {
      return artifactHash(g);
    }
    if (id.contains("authorization") || id.contains("expir")) {
      return expired(r, g);
    }
    if (id.equals(GateIds.TLS)) {
      return Diagnosis.of(
          "The trust policy requires a verified TLS connection to a target that is not local: " + describe(g) + ".",
          "Connect with sslmode=verify-full and the server's root certificate; nothing was changed.",
          "Add sslmode=verify-full and sslrootcert=FILE to --target (or the service, or PGSSLMODE and PGSSLROOTCERT).",
          "If the server has no certificate a root you trust signed, have one issued before applying.");
    }
    if (isConnectionFailure(g)) {
      return sqlstate != null ? SqlErrorDiagnoses.diagnose(new SqlError("connecting to the target", sqlstate,
          g.message(), null, applyRole(r))) : Diagnosis.of(
          "cutter could not connect to the target: " + describe(g) + ".",
          "Check --target, the PG* environment and the password file, then re-run; nothing was changed.",
          "Check that --target (or PGHOST, PGPORT, PGDATABASE, PGUSER) names the intended server and database.",
          "Check the server is up and accepts this client (pg_hba.conf, network).");
    }
    if (g.id().equals(GateIds.IDENTITY) && !g.checks().isEmpty()) {
      return preflight(r, g);
    }
    if (g.id().equals(GateIds.JOURNAL) && r.mode() == RunMode.ROLLBACK) {
      return Diagnosis.of(
          "cutter rollback refused: " + describe(g) + ". A rollback runs only where this package's journal row shows"
              + " it was applied, and only once.",
          "Check that --target names the database the package was applied to; nothing was changed.",
          "Run the rollback against the target the package was applied to.",
          "If the change was made there by other means, undo it with a new approved package.");
    }
    if (id.contains("journal") || id.contains("already") || mentions(g, "already applied", "already consumed",
        "journal")) {
      return alreadyApplied(r, g);
    }
    if (g.id().equals(GateIds.BLOCKERS)) {
      return Diagnosis.of("Sessions were in the way of the locks the change takes: " + describe(g) + ".",
          "Wait for them or end them (the Blockers section names each, with what to do); nothing was changed.",
          "Re-run with --lock-wait DURATION to wait until they are gone.",
          "End each session named (select pg_terminate_backend(pid)) once its owner agrees, then re-run.",
          "If transactions count that should not, set apply.max_blocker_age in a new package.");
    }
    if (id.contains("lock")) {
      return lockHeld(g);
    }
    if (id.contains("preflight") || id.startsWith("p1")) {
      return preflight(r, g);
    }
    if (id.contains("backup") || id.startsWith("p2")) {
      return BackupDiagnoses.diagnose(g);
    }
    if (id.equals("apply") && g.expected() != null && g.expected().startsWith("current_user")) {
      String role = applyRole(r) == null ? "the apply role" : applyRole(r);
      if ("refused: PRIVILEGED_LOGIN".equals(g.actual())) {
        return Diagnosis.of(
            "The login role holds more than apply_role " + role + ", so a statement could act beyond it: "
                + describe(g) + ".",
            "Let cutter log in as " + role + " itself; nothing was changed.",
            "Give " + role + " LOGIN and a password file entry, so that cutter logs in as it.",
            "Run cutter with --target logging in as a role that is a member of " + role + " and holds nothing more.",
            "Accept the risk in the trust policy (allow_privileged_login: true); the report will say so.");
      }
      return Diagnosis.of(
          "cutter could not act as apply_role " + role + ": " + describe(g) + ".",
          "Decide with the administrator how the login role may act as " + role + "; nothing was changed.",
          "Make the login role a member of " + role + " (so that SET ROLE works), as a separate approved change.",
          "Provide a password for " + role + " in the password file, so that cutter can log in as it.",
          "Run cutter with --target logging in as " + role + " itself.");
    }
    if (id.contains("verif")) {
      return Diagnosis.of("Verification failed: " + failedChecks(g.checks()) + ".",
          "Find out why the verify checks do not hold; correct the package or the target.",
          "If the change is missing, re-run the package after finding why it did not land.",
          "If a verify check is wrong, correct it and re-issue the package.");
    }
    if (sqlstate != null) {
      return SqlErrorDiagnoses.diagnose(new SqlError("the " + g.id() + " gate", sqlstate, g.message(), null,
          applyRole(r)));
    }
    return Diagnosis.of("The " + g.id() + " gate refused: " + describe(g) + ".",
        "Read the " + g.id() + " section below; correct the cause and re-run.",
        "Correct what the gate names and re-run the same package.",
        "If the package is wrong, re-issue it with a new authorization.");
  }

  private static Diagnosis signature(GateResult g) {
    return Diagnosis.of(
        "The signatures on package.yaml do not meet the trust policy: " + describe(g) + ".",
        "Run cutter package verify PKG to see each signature's status, then obtain the missing approvals;"
            + " nothing was changed.",
        "Collect the missing approvals: each approver signs the exact package.yaml (cutter package sign).",
        "If an approver's key is missing, expired or revoked on this host, update the trust keyring through its"
            + " own change.",
        "If package.yaml changed after it was signed, restore the signed version, or have the new one signed again.");
  }

  private static Diagnosis artifactHash(GateResult g) {
    return Diagnosis.of(
        "An artifact does not match the sha256 the package pins: " + describe(g) + ". The file changed after the"
            + " package was approved.",
        "Find out who changed the artifact and why before anything runs; nothing was changed.",
        "Restore the approved artifact (the one whose sha256 package.yaml pins) and re-run.",
        "If the new content is intended, re-hash it (cutter package hash), have it reviewed and signed again.");
  }

  private static Diagnosis expired(RunReport r, GateResult g) {
    String ref = r.pkg() == null || r.pkg().authorizationRef() == null ? "The authorization"
        : "Authorization " + r.pkg().authorizationRef();
    String at = r.pkg() != null && r.pkg().expiresAt() != null ? " expired at " + ReportTree.timestamp(r.pkg().expiresAt())
        : " is no longer valid";
    return Diagnosis.of(
        ref + at + " (" + describe(g) + "): cutter applies nothing after its authorization expires.",
        "Ask the approver for a new authorization window; nothing was changed.",
        "Obtain a fresh authorization (a new expires_at), have the package signed again, and re-run.");
  }

  private static Diagnosis alreadyApplied(RunReport r, GateResult g) {
    String sha = r.pkg() == null || r.pkg().sha256() == null ? "" : " (sha256 " + r.pkg().sha256() + ")";
    boolean unfinished = String.valueOf(g.actual()).contains("COMMITTED") || mentions(g, "never finished");
    if (unfinished) {
      return Diagnosis.of(
          "An earlier run committed this package" + sha + " and never finished: its verification and report may be"
              + " missing (" + describe(g) + ").",
          "Run cutter verify PKG and read the earlier run's report before anything else; nothing was changed now.",
          "If cutter verify holds, the change is in place: record that and do not re-apply.",
          "If it does not hold, treat the target as ESCALATE: a person inspects it before any further change.");
    }
    return Diagnosis.of(
        "This package" + sha + " is already in this target's journal, and an authorization is consumed once ("
            + describe(g) + ").",
        "Run cutter verify PKG to confirm the earlier change is in place; nothing was changed.",
        "If the earlier run is the intended change, nothing is left to do: confirm it with cutter verify PKG.",
        "To apply the change again, issue a new package with a new authorization.");
  }

  private static Diagnosis lockHeld(GateResult g) {
    return Diagnosis.of(
        "Another cutter run holds the advisory lock on this target (" + describe(g) + "): two runs never overlap.",
        "Wait for the other run to end (its report, or pg_locks for the advisory lock), then re-run; nothing was"
            + " changed.",
        "Re-run after the other run has ended.",
        "Re-run with --lock-wait so that the run queues behind the other one.");
  }

  private Diagnosis preflight(RunReport r, GateResult g) {
    List<CheckResult> failed = g.checks().stream().filter(c -> c.status() != null && c.status().blocks()).toList();
    if (failed.isEmpty()) {
      return Diagnosis.of("Preflight refused: " + describe(g) + ".",
          "Read the P1 section below; correct the cause and re-run.",
          "Correct what the preflight names and re-run the same package.");
    }
    CheckResult identity = failed.stream().filter(c -> checkType(c).equals("identity")).findFirst().orElse(null);
    CheckResult first = identity != null ? identity : failed.get(0);
    String more = failed.size() == 1 ? ""
        : " (" + (failed.size() - 1) + " more failed: " + failed.stream().filter(c -> c != first).map(CheckResult::id)
            .collect(Collectors.joining(", ")) + ")";
    Diagnosis d = preflightCheck(r, first);
    return new Diagnosis(d.rootCause() + more, d.remediation(), d.nextAction());
  }

  private Diagnosis preflightCheck(RunReport r, CheckResult c) {
    String type = checkType(c);
    String found = describe(c);
    String sqlstate = sqlstateIn(c.message());
    if (sqlstate != null) {
      return SqlErrorDiagnoses.diagnose(new SqlError("preflight check " + c.id(), sqlstate, c.message(), null,
          applyRole(r))).withCausePrefix("Preflight check " + c.id() + ": ");
    }
    switch (type) {
      case "identity", "server_version" -> {
        return Diagnosis.of(
            "The target is not the database the package was written for: " + found + ".",
            "Confirm which database is meant before anything else; nothing was changed.",
            "Point --target (or the PG* environment) at the database the package names and re-run.",
            "If the package pins the wrong identity or version, re-issue it with the right one and a new"
                + " authorization.");
      }
      case "privilege", "apply_role_privileges", "backup_role_privileges" -> {
        return PrivilegeDiagnoses.diagnose(c, applyRole(r));
      }
      case "objects_absent" -> {
        return Diagnosis.of(
            "Objects the package creates already exist on the target: " + found + ". The target drifted since the"
                + " package was written, or the change was already made.",
            "Inspect those objects and decide whether the package or the target is out of date; nothing was changed.",
            "If they are the intended change, do not re-apply: confirm with cutter verify PKG.",
            "If they are unrelated, re-issue the package with other names.",
            "Remove the conflicting objects in a separate approved change, then re-run.");
      }
      case "objects_present", "schema_exists" -> {
        return Diagnosis.of(
            "Objects the change depends on are missing on the target: " + found + ".",
            "Find out why they are missing before anything runs; nothing was changed.",
            "Create them first in their own approved change, then re-run this package.",
            "If the package expects the wrong objects, correct it and re-issue it.");
      }
      case "baseline" -> {
        return Diagnosis.of(
            "The catalog baseline differs from the one the package was written against: " + found + ". The schema"
                + " drifted since the package was approved.",
            "Find the change that made the difference (who, when, why) before anything runs; nothing was changed.",
            "If the drift is expected, re-issue the package with the new baseline (cutter baseline) after review.",
            "If the drift is not expected, investigate and undo it through its own approved change.");
      }
      case "journal" -> {
        return Diagnosis.of(
            "apply_role cannot write cutter's journal: " + found + ".",
            "Run cutter init --grant " + (applyRole(r) == null ? "ROLE" : applyRole(r)) + " as an administrator,"
                + " then re-run; nothing was changed.",
            "Run cutter init --grant with the apply role (an administrator's one-time step), then re-run.");
      }
      case dev.cutter.core.lint.LintCheck.ID -> {
        return Diagnosis.of(
            "The change would take locks that stall a busy table, or destroy data, and the lint policy denies it: "
                + found + ".",
            "Rewrite the denied statements the safe way (docs/lock-safety.md) and re-issue the package; nothing was"
                + " changed.",
            "Rewrite each denied statement the safe way: concurrent index builds and constraint validation go in"
                + " the package's online step, after the transaction commits.",
            "If the hazard is accepted (a small or idle table), list the rule under lint.allow in the package and have"
                + " it signed again; a rule in the trust policy's lint.floor cannot be allowed.");
      }
      case "rehearse" -> {
        return Diagnosis.of(
            "The rehearsal of the artifact as apply_role failed (and was rolled back): " + found + ".",
            "Read the rehearsal's error; correct the package or the target, then re-run; nothing was changed.",
            "Correct the artifact and re-issue the package.",
            "Correct the target's state in a separate approved change, then re-run.");
      }
      default -> {
        return Diagnosis.of(
            "Preflight check " + c.id() + " does not hold: " + found + ".",
            "Bring the target into the state the check requires, or correct the check; nothing was changed.",
            "Bring the target into the state the check requires through its own approved change, then re-run.",
            "If the check's expectation is stale, re-issue the package with the corrected check.");
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static SqlError sqlError(FailedStatement f, String role) {
    return new SqlError(statementLabel(f), f.sqlstate(), f.message(), f.detail(), role);
  }

  static String statementLabel(FailedStatement f) {
    if (f.index() < 0) {
      return SqlErrorDiagnoses.JOURNAL_ROW;
    }
    if (f.index() == 0) {
      return "COMMIT";
    }
    return "statement " + f.index() + (f.line() > 0 ? " (line " + f.line() + ")" : "");
  }

  private static boolean isConnectionFailure(GateResult g) {
    return g.id().toLowerCase(Locale.ROOT).contains("connect")
        || (g.expected() != null && g.expected().startsWith("connection to"));
  }

  private static boolean verificationPassed(RunReport r) {
    return r.verification() != null && "PASS".equals(r.verification().status());
  }

  private static String capitalized(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static boolean isGate(GateResult g, String id) {
    return g.id().equalsIgnoreCase(id);
  }

  private static String applyRole(RunReport r) {
    return r.target() == null ? null : r.target().applyRole();
  }

  static String checkType(CheckResult c) {
    String id = c.id() == null ? "" : c.id();
    int end = id.length();
    for (char sep : new char[] {'#', ':', '[', ' ', '('}) {
      int i = id.indexOf(sep);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    String type = id.substring(0, end).toLowerCase(Locale.ROOT);
    return switch (type) {
      case "system_identifier", "database" -> "identity";
      case "journal_writable" -> "journal";
      default -> type;
    };
  }

  private static String sqlstateIn(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = SQLSTATE_IN_TEXT.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private static boolean mentions(GateResult g, String... words) {
    String text = (g.message() + " " + g.actual()).toLowerCase(Locale.ROOT);
    return Arrays.stream(words).anyMatch(text::contains);
  }

  /** "expected E, found A: message" from whatever of the three is known. */
  static String describe(GateResult g) {
    return describe(g.expected(), g.actual(), g.message(), g.status() == null ? "FAIL" : g.status().name());
  }

  static String describe(CheckResult c) {
    String text = describe(c.expected(), c.actual(), c.message(), c.status() == null ? "FAIL" : c.status().name());
    return c.id() + ": " + text;
  }

  private static String describe(String expected, String actual, String message, String status) {
    List<String> parts = new ArrayList<>();
    if (expected != null || actual != null) {
      parts.add("expected " + (expected == null ? "(unspecified)" : expected) + ", found "
          + (actual == null ? "(nothing)" : actual));
    }
    if (message != null) {
      parts.add(message);
    }
    return parts.isEmpty() ? status : String.join("; ", parts);
  }

  private static List<CheckResult> verifyChecks(RunReport r) {
    VerificationInfo v = r.verification();
    if (v != null && v.checks() != null && !v.checks().isEmpty()) {
      return v.checks();
    }
    return r.gates().stream().filter(g -> g.id().toLowerCase(Locale.ROOT).startsWith("verif"))
        .flatMap(g -> g.checks().stream()).toList();
  }

  private static String failedChecks(List<CheckResult> checks) {
    List<String> failed = checks.stream().filter(c -> c.status() != null && c.status().blocks())
        .map(FailureClassifier::describe).toList();
    return failed.isEmpty() ? "no individual check recorded the failure" : String.join("; ", failed);
  }

  private static String reason(RollbackInfo rollback) {
    return rollback.reason() == null ? "" : " (" + rollback.reason() + ")";
  }

  private static String baselineDifference(VerificationInfo v) {
    if (v == null || v.baselineBefore() == null || v.baselineAfter() == null) {
      return "the baselines are not both known";
    }
    List<String> diffs = new ArrayList<>();
    Set<String> schemas = new LinkedHashSet<>(v.baselineBefore().schemas().keySet());
    schemas.addAll(v.baselineAfter().schemas().keySet());
    for (String schema : schemas) {
      SchemaCounts before = v.baselineBefore().schemas().get(schema);
      SchemaCounts after = v.baselineAfter().schemas().get(schema);
      if (before == null || after == null) {
        diffs.add("schema " + schema + (before == null ? " appeared" : " disappeared"));
        continue;
      }
      diff(diffs, schema, before.constraints(), after.constraints());
      diff(diffs, schema, before.relations(), after.relations());
    }
    return diffs.isEmpty() ? "no count differs, yet the baselines were judged unequal" : String.join(", ", diffs);
  }

  private static void diff(List<String> out, String schema, Map<String, Integer> before,
      Map<String, Integer> after) {
    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String k : keys) {
      int b = before.getOrDefault(k, 0);
      int a = after.getOrDefault(k, 0);
      if (a != b) {
        out.add(schema + " " + k + ": " + b + " -> " + a);
      }
    }
  }

  private static String ranges(List<Integer> numbers) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < numbers.size()) {
      int start = numbers.get(i);
      int end = start;
      while (i + 1 < numbers.size() && numbers.get(i + 1) == end + 1) {
        end = numbers.get(++i);
      }
      out.add(start == end ? String.valueOf(start) : start + "–" + end);
      i++;
    }
    return String.join(", ", out);
  }
}
