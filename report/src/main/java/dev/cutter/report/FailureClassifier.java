package dev.cutter.report;

import dev.cutter.core.ExitCodes;
import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateId;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunStatus;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Derives a run's root cause, remediation options and next action from what the run found: the
 * {@link Cause} of the first gate that failed (see {@link CauseDiagnoses}), the verdict, and what
 * happened after a failure (rollback, baseline). Pure: no database, no clock, and no message text
 * read: messages are for people.
 */
public final class FailureClassifier {

  /** The report with its diagnosis filled in. */
  public RunReport diagnose(RunReport report) {
    Diagnosis d = classify(report);
    return report.withDiagnosis(d.rootCause(), d.remediation(), d.nextAction());
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
      return CauseDiagnoses.of(firstFailed(r).map(GateResult::cause)
          .orElse(new Cause.InternalError("no gate recorded the failure")), r);
    }
    if (r.verdict() == Verdict.ESCALATE) {
      return escalate(r);
    }
    if (r.verdict() == Verdict.ROLLED_BACK) {
      return rolledBack(r);
    }
    return firstFailed(r).map(g -> withOthers(CauseDiagnoses.of(g.cause(), r), g)).orElseGet(() -> Diagnosis.of(
        "The run ended " + r.verdict() + " but no gate reports a failure with its cause; the report is incomplete.",
        "Read the gates below and the log of this run; report the missing detail as a bug.",
        "Re-run cutter preflight to see which check does not hold."));
  }

  private static String passNextAction(RunMode mode) {
    if (mode == null) {
      return "None.";
    }
    return switch (mode) {
      case DRY_RUN -> "None for the sandbox: the package is ready for cutter apply on the target.";
      case PREFLIGHT -> "None: every preflight check holds; the package can be applied (cutter apply).";
      case UNSIGNED_PREFLIGHT -> "Sign the package, then run cutter preflight: this unsigned look is not an authorization.";
      case VERIFY -> "None: the change is in place as promised.";
      case BACKUP -> "None: the backup is in place and verified.";
      case ROLLBACK -> "None: the rollback ran and the target is back at its baseline.";
      case APPLY -> "None: the change is in place and verified.";
    };
  }

  private static java.util.Optional<GateResult> firstFailed(RunReport r) {
    return r.gates().stream().filter(g -> g.status() == GateStatus.FAIL && g.cause() != null).findFirst();
  }

  /** {@code d}, its root cause followed by the other checks of {@code g} that did not hold, by id. */
  private static Diagnosis withOthers(Diagnosis d, GateResult g) {
    List<String> failed = blocking(g.checks());
    if (failed.size() < 2) {
      return d;
    }
    return d.withRootCause(d.rootCause() + " (" + (failed.size() - 1) + " more failed: "
        + String.join(", ", failed.subList(1, failed.size())) + ")");
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
    ApplyInfo apply = r.apply();
    RollbackInfo rollback = r.rollback();
    Cause applyCause = r.gates().stream().filter(g -> g.gate() == GateId.APPLY && g.status() == GateStatus.FAIL)
        .map(GateResult::cause).filter(Objects::nonNull).findFirst().orElse(null);
    if (applyCause instanceof Cause.OutcomeUnknown) {
      return CauseDiagnoses.of(applyCause, r);
    }
    if (apply != null && apply.committedStatements() != null && !apply.committedStatements().isEmpty()
        && applyCause != null) {
      return Diagnosis.of(
          "In autocommit mode, statements " + ranges(apply.committedStatements()) + " committed before a later"
              + " statement failed: the target holds part of the change. " + CauseDiagnoses.of(applyCause, r).rootCause(),
          next,
          "Finish the change: issue a package with the remaining statements once the cause is fixed.",
          "Undo the committed part with a rollback written for this partial state, as its own approved package.",
          restore);
    }
    if (apply != null && applyCause != null && apply.transaction() == RunStatus.Transaction.ROLLED_BACK) {
      return Diagnosis.of(
          CauseDiagnoses.of(applyCause, r).rootCause() + " The transaction was rolled back, yet the catalog baseline"
              + " read afterwards differs from the one before: " + baselineDifference(r.verification())
              + ". Something else changed the target during the run.",
          next,
          "Compare baseline_before and baseline_after below and find the session that made the difference"
              + " (pg_stat_activity, server log).",
          "If the difference is harmful, undo it through its own approved change.",
          restore);
    }
    if (r.mode() == RunMode.DRY_RUN && verificationPassed(r) && rollback != null) {
      return Diagnosis.of(
          "In the sandbox the change applied and verified, but the rollback rehearsal failed: the package's way back"
              + " is broken.",
          "Fix the rollback (its precondition or its artifact), re-issue the package and dry-run it again.",
          "Fix the rollback precondition: it must hold right after this change is applied.",
          "Fix the rollback artifact so that it brings back the pre-apply baseline.");
    }
    if (rollback != null && rollback.status() == RunStatus.Rollback.NOT_APPLICABLE) {
      return Diagnosis.of(
          "The change committed but verification failed: " + failedChecks(verifyChecks(r)) + ". No rollback ran:"
              + " the target holds the committed, unverified change.",
          next,
          "Inspect the change; if it may stay, record that decision and correct the verify checks in a new package.",
          "Adapt the rollback to the target's actual state and run it as its own approved package.",
          restore);
    }
    if (rollback != null && rollback.status() == RunStatus.Rollback.FAILED) {
      return Diagnosis.of(
          "The change committed but verification failed (" + failedChecks(verifyChecks(r)) + "), and the rollback"
              + " failed: the target holds the change, possibly in part.",
          next,
          "Find why the rollback failed, adapt it to the target's state and run it as its own approved package.",
          "Inspect the change; if it may stay, record that decision.",
          restore);
    }
    if (rollback != null && rollback.status() == RunStatus.Rollback.EXECUTED) {
      return Diagnosis.of(
          "The change committed but verification failed (" + failedChecks(verifyChecks(r)) + "); the rollback ran,"
              + " but the catalog baseline is not the one before the apply: " + baselineDifference(r.verification())
              + ".",
          next,
          "Compare baseline_before and baseline_after below and remove what the rollback left behind, as its own"
              + " approved change.",
          restore);
    }
    String known = firstFailed(r).map(GateResult::cause).map(c -> CauseDiagnoses.of(c, r).rootCause()).orElse(r.rootCause());
    return Diagnosis.of(
        "The target is not in the state the package promised and was not restored" + (known == null ? "." : ": "
            + known),
        next,
        "Compare the target with the report's baselines and checks and decide, with the approver, what it should be.",
        restore);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static boolean verificationPassed(RunReport r) {
    return r.verification() != null && r.verification().status() == RunStatus.Verification.PASS;
  }

  private static List<CheckResult> verifyChecks(RunReport r) {
    VerificationInfo v = r.verification();
    if (v != null && v.checks() != null && !v.checks().isEmpty()) {
      return v.checks();
    }
    return r.gates().stream().filter(g -> g.gate() == GateId.VERIFY).flatMap(g -> g.checks().stream()).toList();
  }

  private static String failedChecks(List<CheckResult> checks) {
    List<String> failed = blocking(checks);
    return failed.isEmpty() ? "no individual check recorded the failure" : "check " + String.join(", ", failed)
        + " did not hold";
  }

  /** The ids of the checks that did not hold. */
  private static List<String> blocking(List<CheckResult> checks) {
    return checks.stream().filter(c -> c.status() != null && c.status().blocks()).map(CheckResult::id).toList();
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
    for (String k : ReportDocument.keys(before, after)) {
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
