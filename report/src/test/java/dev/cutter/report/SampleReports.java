package dev.cutter.report;

import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.run.GateId;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.PackageInfo;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Run reports of the five verdicts, made by hand for unit tests of the rendering. The golden
 * reports are not these: they come from real runs (the cli module's GoldenReportsTest).
 */
final class SampleReports {

  static final String RUN_ID = "20260518T054609Z-3f2a";
  static final String HOME = "/home/operator";
  static final Instant STARTED = Instant.parse("2026-05-18T05:46:09Z");
  static final Instant FINISHED = Instant.parse("2026-05-18T05:47:31.250Z");

  static final String PACKAGE_SHA = "5b0e3c1d9a7f4e2b8c6d0a1f3e5b7c9d2a4f6e8b0c1d3e5f7a9b2c4d6e8f0a1b";
  static final String ARTIFACT_SHA = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b";
  static final String SIGNER_1 = "3A1F9C2E7B4D6058A1B2C3D4E5F60718293A4B5C";
  static final String SIGNER_2 = "7E6D5C4B3A29180F7E6D5C4B3A29180F7E6D5C4B";
  static final String BACKUP_KEY = "C0FFEE00C0FFEE00C0FFEE00C0FFEE00C0FFEE00";

  private SampleReports() {}

  static SecretScanner scanner() {
    return SecretScanner.forEnvironment(Map.of(), HOME);
  }

  static Map<String, RunReport> all() {
    return Map.of("pass", pass(), "blocked-p1-missing-create", blockedAtPreflight(), "failed-statement-7",
        failedAtStatement7(), "rolled-back", rolledBack(), "escalate", escalate());
  }

  static PackageInfo pkg() {
    return new PackageInfo("billing-invoice-lines", PACKAGE_SHA, "Billing: invoice lines and totals view",
        List.of(SIGNER_1, SIGNER_2), "CHG-2291-billing-invoice-lines", Instant.parse("2026-05-19T06:00:00Z"), "high",
        List.of("design review PASS", "owner approval"));
  }

  /** An ESCALATE apply run in apply mode {@code mode} (transaction, autocommit) with no gate: for one cause's diagnosis. */
  static RunReport escalatedIn(String mode) {
    return new RunReport(RUN_ID, RunMode.APPLY, pkg(), target("billing_owner"), Verdict.ESCALATE, 6, true, List.of(), null,
        null, null, null, "apply failed", List.of(), null, null, null)
        .withApplySettings(new RunReport.ApplySettingsInfo(mode, "5s", "5min", null));
  }

  static TargetInfo target(String applyRole) {
    return new TargetInfo("ledger", "7300411111111111111", "15.7", "deploy_login", applyRole);
  }

  static List<GateResult> integrityGates() {
    return List.of(
        new GateResult("signature", GateStatus.PASS, "2 distinct valid signers (trust policy)",
            "2: " + SIGNER_1 + ", " + SIGNER_2, null, List.of()),
        new GateResult("P3_artifact_integrity", GateStatus.PASS, ARTIFACT_SHA, ARTIFACT_SHA,
            "ddl/invoice-lines.sql", List.of()),
        new GateResult("authorization", GateStatus.PASS, "expires after 2026-05-18T05:46:09Z",
            "expires 2026-05-19T06:00:00Z", null, List.of()),
        new GateResult("lock", GateStatus.PASS, null, null,
            "advisory lock taken; the journal has no PASS entry for this package", List.of()));
  }

  static List<CheckResult> preflightChecks(boolean createGranted) {
    String role = createGranted ? "billing_owner" : "app_deployer";
    String needs = "USAGE on schema billing (statements 1, 2, first at line 3); CREATE on schema billing"
        + " (statements 1, 2, first at line 3)";
    List<CheckResult> checks = new ArrayList<>(List.of(
        CheckResult.pass("identity", "system_identifier 7300411111111111111, database ledger, server 15",
            "system_identifier 7300411111111111111, database ledger, server 15.7", null),
        CheckResult.pass("journal_writable", "apply_role " + role + " may INSERT and SELECT cutter.journal", "yes", null),
        CheckResult.pass("schema_exists#1", "schema billing exists", "exists", null),
        CheckResult.pass("objects_absent#2", "absent: billing.invoice_line, billing.invoice_totals", "none present",
            null),
        CheckResult.pass("baseline#3", "billing: p=4 f=3 u=1; r=4 v=2 i=6 S=4", "billing: p=4 f=3 u=1; r=4 v=2 i=6 S=4",
            null)));
    if (createGranted) {
      checks.add(CheckResult.pass("rehearse#4", "artifact runs as billing_owner", "9 statements ran; rolled back",
          null));
      checks.add(CheckResult.pass("apply_role_privileges", "apply_role billing_owner: " + needs, "all held",
          "unqualified names resolve through search_path billing, public"));
    } else {
      checks.add(CheckResult.skipped("rehearse#4", "not run: apply_role_privileges does not hold"));
      checks.add(CheckResult.fail("apply_role_privileges", CREATE_ON_BILLING, "apply_role app_deployer: " + needs,
          "missing: CREATE on schema billing (statements 1, 2, first at line 3)",
          "apply_role app_deployer lacks CREATE on schema billing (statements 1, 2, first at line 3). Unqualified"
              + " names resolve through search_path billing, public"));
    }
    checks.add(CheckResult.pass("backup_role_privileges", "backup_role cutter_backup: USAGE on every schema and"
        + " SELECT on every table and sequence of the whole database", "all held", null));
    return checks;
  }

  static Baseline baselineBefore() {
    return new Baseline(Map.of("billing", new SchemaCounts("billing", Map.of("p", 4, "f", 3, "u", 1),
        Map.of("r", 4, "v", 2, "i", 6, "S", 4))));
  }

  static Baseline baselineAfterApply() {
    return new Baseline(Map.of("billing", new SchemaCounts("billing", Map.of("p", 5, "f", 5, "u", 2),
        Map.of("r", 5, "v", 3, "i", 8, "S", 5))));
  }

  static BackupInfo backup() {
    return new BackupInfo("PASS", HOME + "/cutter/backups/ledger-20260518T054609Z.dump.gpg", "custom", "1.14-0",
        52_428_117L, "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233", List.of(BACKUP_KEY), 412, 97, "15.18",
        Instant.parse("2026-05-18T05:46:12Z"), Instant.parse("2026-05-18T05:47:02Z"), null);
  }

  private static List<GateResult> gates(List<GateResult> tail) {
    List<GateResult> gates = new ArrayList<>(integrityGates());
    gates.addAll(tail);
    return gates;
  }

  static RunReport pass() {
    List<CheckResult> verify = List.of(
        CheckResult.pass("objects_present#1", "billing.invoice_line, billing.invoice_totals", "both present", null),
        CheckResult.pass("baseline#2", "billing: r=5 v=3", "billing: r=5 v=3", null));
    return new RunReport(RUN_ID, RunMode.APPLY, pkg(), target("billing_owner"), Verdict.PASS, 0, true,
        gates(List.of(
            new GateResult("P1_preflight", GateStatus.PASS, null, null, null, preflightChecks(true)),
            new GateResult("P2_backup", GateStatus.PASS, null, null, null, List.of()),
            new GateResult("apply", GateStatus.PASS, null, null, "9 of 9 statements; committed", List.of()),
            new GateResult("verify", GateStatus.PASS, null, null, null, verify),
            GateResult.notRun("rollback"))),
        backup(), new ApplyInfo("PASS", 9, 9, "committed", true, List.of(), null),
        new VerificationInfo("PASS", verify, baselineBefore(), baselineAfterApply(), null),
        new RollbackInfo("NOT_RUN", "verification passed"), null, List.of(), null, STARTED, FINISHED);
  }

  /** What the sample preflight finds missing. */
  static final Cause CREATE_ON_BILLING = new Cause.MissingPrivilege(Cause.RoleKind.APPLY_ROLE, "app_deployer",
      List.of(new Cause.Grant("CREATE", "schema", "billing")));

  static RunReport blockedAtPreflight() {
    return new RunReport(RUN_ID, RunMode.APPLY, pkg(), target("app_deployer"), Verdict.BLOCKED, 3, false,
        gates(List.of(
            new GateResult(GateId.PREFLIGHT, GateStatus.FAIL, null, null, "apply_role_privileges: apply_role app_deployer lacks CREATE on schema billing", preflightChecks(false), CREATE_ON_BILLING),
            GateResult.notRun("P2_backup"),
            GateResult.notRun("apply"),
            GateResult.notRun("verify"),
            GateResult.notRun("rollback"))),
        null, null, null, null, null, List.of(), null, STARTED, Instant.parse("2026-05-18T05:46:11Z"));
  }

  static RunReport failedAtStatement7() {
    FailedStatement failed = new FailedStatement(7, 31, "23505",
        "could not create unique index \"invoice_line_number_key\"",
        "Key (invoice_id, line_no)=(1042, 3) is duplicated.", null, null);
    return new RunReport(RUN_ID, RunMode.APPLY, pkg(), target("billing_owner"), Verdict.FAILED, 4, false,
        gates(List.of(
            new GateResult("P1_preflight", GateStatus.PASS, null, null, null, preflightChecks(true)),
            new GateResult("P2_backup", GateStatus.PASS, null, null, null, List.of()),
            new GateResult(GateId.APPLY, GateStatus.FAIL, null, null,
                "statement 7 (line 31) failed with SQLSTATE 23505; transaction rolled back", List.of(),
                new Cause.SqlError("23505", Cause.ErrorSite.STATEMENT, 7, 31, "billing", "invoice_line", null,
                    "invoice_line_number_key", null, "billing_owner")),
            GateResult.notRun("verify"),
            GateResult.notRun("rollback"))),
        backup(), new ApplyInfo("FAILED", 9, 7, "rolled_back", true, List.of(), failed),
        new VerificationInfo("UNCHANGED", List.of(), baselineBefore(), baselineBefore(),
            "target unchanged, verified: the baseline after the rollback equals the one before"),
        new RollbackInfo("NOT_RUN", "the transaction was rolled back; the rollback artifact is not needed"),
        null, List.of(), null, STARTED, FINISHED);
  }

  static List<CheckResult> failedVerify() {
    return List.of(
        CheckResult.pass("objects_present#1", "billing.invoice_line", "present", null),
        new CheckResult("objects_present#2", CheckStatus.FAIL, "view billing.invoice_totals", "missing",
            "the artifact created no view billing.invoice_totals",
            new Cause.ObjectsAbsent(List.of("view billing.invoice_totals"))));
  }

  static RunReport rolledBack() {
    List<CheckResult> verify = failedVerify();
    return new RunReport(RUN_ID, RunMode.APPLY, pkg(), target("billing_owner"), Verdict.ROLLED_BACK, 5, true,
        gates(List.of(
            new GateResult("P1_preflight", GateStatus.PASS, null, null, null, preflightChecks(true)),
            new GateResult("P2_backup", GateStatus.PASS, null, null, null, List.of()),
            new GateResult("apply", GateStatus.PASS, null, null, "9 of 9 statements; committed", List.of()),
            new GateResult(GateId.VERIFY, GateStatus.FAIL, null, null, "1 of 2 checks failed", verify,
                new Cause.VerificationFailed(List.of("objects_present#2"))),
            new GateResult("rollback", GateStatus.PASS, "baseline before the apply", "baseline restored",
                "ddl/rollback.sql: 4 of 4 statements; committed", List.of()))),
        backup(), new ApplyInfo("PASS", 9, 9, "committed", true, List.of(), null),
        new VerificationInfo("FAIL", verify, baselineBefore(), baselineBefore(),
            "baseline after the rollback equals the one before the apply"),
        new RollbackInfo("EXECUTED", "precondition held: billing.invoice_line is empty"), null, List.of(), null,
        STARTED, FINISHED);
  }

  static RunReport escalate() {
    List<CheckResult> verify = failedVerify();
    return new RunReport(RUN_ID, RunMode.APPLY, pkg(), target("billing_owner"), Verdict.ESCALATE, 6, true,
        gates(List.of(
            new GateResult("P1_preflight", GateStatus.PASS, null, null, null, preflightChecks(true)),
            new GateResult("P2_backup", GateStatus.PASS, null, null, null, List.of()),
            new GateResult("apply", GateStatus.PASS, null, null, "9 of 9 statements; committed", List.of()),
            new GateResult(GateId.VERIFY, GateStatus.FAIL, null, null, "1 of 2 checks failed", verify,
                new Cause.VerificationFailed(List.of("objects_present#2"))),
            new GateResult(GateId.ROLLBACK, GateStatus.FAIL, "precondition holds", null,
                "precondition failed: sql#1: billing.invoice_line has 3 rows, the precondition expects 0", List.of(
                    CheckResult.fail("sql#1", new Cause.CheckQueryDiffers("sql#1", "0", "3"), "0", "3",
                        "select count(*) from billing.invoice_line")),
                new Cause.RollbackRefused(Cause.RollbackRefusal.PRECONDITION_FAILED)))),
        backup(), new ApplyInfo("PASS", 9, 9, "committed", true, List.of(), null),
        new VerificationInfo("FAIL", verify, baselineBefore(), baselineAfterApply(), null),
        new RollbackInfo("NOT_APPLICABLE", "precondition failed: sql#1: billing.invoice_line has 3 rows, the"
            + " precondition expects 0"),
        null, List.of(), null, STARTED, FINISHED);
  }
}
