package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.Remediation;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassifierTest {

  private final FailureClassifier classifier = new FailureClassifier();

  private Diagnosis sql(String sqlstate, String message) {
    return sql(sqlstate, message, null);
  }

  private Diagnosis sql(String sqlstate, String message, String detail) {
    return classifier.classifySqlError(new FailedStatement(7, 31, sqlstate, message, detail, null, null), "app_deployer");
  }

  private static List<String> options(Diagnosis d) {
    return d.remediation().stream().map(Remediation::option).toList();
  }

  private static String actions(Diagnosis d) {
    return String.join("\n", d.remediation().stream().map(Remediation::action).toList());
  }

  // ---- SQLSTATEs -----------------------------------------------------------------------------

  @Test
  void permissionDeniedOnASchemaOffersOwnerGrantOrAnotherRole() {
    Diagnosis d = sql("42501", "permission denied for schema billing");

    assertThat(d.rootCause()).startsWith("apply_role app_deployer lacks CREATE on schema billing")
        .contains("Statement 7 (line 31) failed with SQLSTATE 42501");
    assertThat(options(d)).containsExactly("A", "B", "C");
    assertThat(d.remediation().get(0).action()).contains("owner of schema billing");
    assertThat(d.remediation().get(1).action()).contains("Grant CREATE on schema billing to app_deployer", "separate");
    assertThat(d.remediation().get(2).action()).contains("another apply role");
    assertThat(d.nextAction()).contains("nothing was changed");
  }

  @Test
  void mustBeOwnerNamesTheObjectAndOwnership() {
    Diagnosis d = sql("42501", "must be owner of table invoice");

    assertThat(d.rootCause()).contains("does not own table invoice", "ownership");
    assertThat(options(d)).containsExactly("A", "B", "C");
  }

  @Test
  void permissionDeniedOnATableNamesIt() {
    Diagnosis d = sql("42501", "permission denied for table invoice");

    assertThat(d.rootCause()).contains("lacks a privilege on table invoice");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "42P07|relation \"invoice_line\" already exists|relation \"invoice_line\"",
      "42710|constraint \"fk_line\" for relation \"invoice_line\" already exists|constraint \"fk_line\""})
  void alreadyExistsIsDrift(String sqlstate, String message, String object) {
    Diagnosis d = sql(sqlstate, message);

    assertThat(d.rootCause()).startsWith(object + " already exists on the target").contains("drifted");
    assertThat(actions(d)).contains("objects_absent");
  }

  @Test
  void missingRelationIsNamed() {
    Diagnosis d = sql("42P01", "relation \"billing.invoice\" does not exist");

    assertThat(d.rootCause()).startsWith("relation \"billing.invoice\" does not exist on the target");
    assertThat(actions(d)).contains("objects_present");
  }

  @Test
  void lockTimeoutSuggestsAQuieterWindowAndShowsLockHolders() {
    Diagnosis d = sql("55P03", "canceling statement due to lock timeout",
        "lock held by pid 4242 (role report_reader, since 05:40:01)");

    assertThat(d.rootCause()).contains("lock_timeout", "pid 4242");
    assertThat(d.remediation().get(0).action()).contains("quieter window");
    assertThat(actions(d)).contains("pg_locks");
  }

  @Test
  void statementTimeoutOffersALargerTimeoutOrASplit() {
    Diagnosis d = sql("57014", "canceling statement due to statement timeout");

    assertThat(d.rootCause()).contains("statement_timeout");
    assertThat(actions(d)).contains("larger statement_timeout", "autocommit");
  }

  @Test
  void aCancelByHandIsNotCalledATimeout() {
    Diagnosis d = sql("57014", "canceling statement due to user request");

    assertThat(d.rootCause()).contains("canceled by an operator").doesNotContain("statement_timeout");
  }

  @Test
  void nonTransactionalStatementPointsToAutocommit() {
    Diagnosis d = sql("25001", "CREATE INDEX CONCURRENTLY cannot run inside a transaction block");

    assertThat(d.rootCause()).contains("cannot run inside a transaction block");
    assertThat(d.remediation().get(0).action()).contains("autocommit");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "23505|duplicate key value violates unique constraint \"invoice_pkey\"|constraint \"invoice_pkey\"",
      "23503|insert or update on table \"line\" violates foreign key constraint \"line_inv_fk\"|constraint \"line_inv_fk\"",
      "23502|column \"amount\" of relation \"line\" contains null values|a constraint",
      "23514|check constraint \"amount_positive\" of relation \"line\" is violated by some row|constraint \"amount_positive\""})
  void constraintViolationsBlameTheData(String sqlstate, String message, String constraint) {
    Diagnosis d = sql(sqlstate, message);

    assertThat(d.rootCause()).startsWith("The data on the target violates " + constraint);
    assertThat(actions(d)).contains("NOT VALID", "sql preflight check");
  }

  @ParameterizedTest
  @CsvSource({"40001,serialization conflict", "40P01,deadlock"})
  void conflictsAreRetried(String sqlstate, String kind) {
    Diagnosis d = sql(sqlstate, "could not serialize access / deadlock detected");

    assertThat(d.rootCause()).contains(kind);
    assertThat(d.nextAction()).startsWith("Retry the same package");
  }

  @ParameterizedTest
  @CsvSource({"08006", "08003", "57P01", "57P02", "57P03"})
  void connectionLossIsRecognised(String sqlstate) {
    Diagnosis d = sql(sqlstate, "terminating connection due to administrator command");

    assertThat(d.rootCause()).startsWith("The connection to the server was lost").contains(sqlstate);
  }

  @Test
  void connectionLostAtCommitSaysTheOutcomeIsUnknown() {
    Diagnosis d = classifier.classifySqlError(new FailedStatement(0, 0, "08006", "connection reset", null, null, null),
        "app_deployer");

    assertThat(d.rootCause()).contains("during COMMIT", "not known");
    assertThat(d.nextAction()).contains("journal", "cutter verify");
  }

  @Test
  void unknownSqlstateIsNamedHonestly() {
    Diagnosis d = sql("XX001", "could not read block 12 in file \"base/1/2\"");

    assertThat(d.rootCause()).contains("SQLSTATE XX001", "could not read block 12", "internal error",
        "no specific diagnosis");
    assertThat(d.remediation()).isNotEmpty();
  }

  @Test
  void aGuardRaisedByTheArtifactIsExplained() {
    Diagnosis d = sql("P0001", "billing.invoice must be empty before this change");

    assertThat(d.rootCause()).contains("guard", "billing.invoice must be empty");
  }

  // ---- gates ---------------------------------------------------------------------------------

  private static RunReport blocked(GateResult failed) {
    return new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(), SampleReports.target("app_deployer"),
        Verdict.BLOCKED, 3, false, List.of(failed, GateResult.notRun("apply")), null, null, null, null, null,
        List.of(), null, null, null);
  }

  @Test
  void signatureQuorumNotMet() {
    Diagnosis d = classifier.classify(blocked(new GateResult("signature", GateStatus.FAIL, "2 distinct valid signers",
        "1 valid signer", "signer 7E6D… key expired", List.of())));

    assertThat(d.rootCause()).contains("trust policy", "expected 2 distinct valid signers, found 1 valid signer");
    assertThat(actions(d)).contains("cutter package sign");
  }

  @Test
  void artifactHashMismatch() {
    Diagnosis d = classifier.classify(blocked(new GateResult("P3_artifact_integrity", GateStatus.FAIL, "9c8b…",
        "0000…", "ddl/invoice-lines.sql", List.of())));

    assertThat(d.rootCause()).contains("sha256", "changed after the package was approved");
    assertThat(actions(d)).contains("cutter package hash");
  }

  @Test
  void expiredAuthorizationNamesRefAndTime() {
    Diagnosis d = classifier.classify(blocked(new GateResult("authorization", GateStatus.FAIL,
        "expires after 2026-05-20T00:00:00Z", "expired 2026-05-19T06:00:00Z", null, List.of())));

    assertThat(d.rootCause()).startsWith("Authorization CHG-2291-billing-invoice-lines expired at 2026-05-19T06:00:00Z");
  }

  @Test
  void aConnectionFailureAtTheLockGateIsNotALockHeld() {
    Diagnosis d = classifier.classify(blocked(new GateResult("lock", GateStatus.FAIL,
        "connection to deploy_login@db.internal:5432/ledger", null,
        "FATAL: password authentication failed for user \"deploy_login\" (SQLSTATE 28P01)", List.of())));

    assertThat(d.rootCause()).startsWith("The server refused the login").doesNotContain("advisory lock");
  }

  @Test
  void aConnectionRefusedWithoutSqlstate() {
    Diagnosis d = classifier.classify(blocked(new GateResult("lock", GateStatus.FAIL,
        "connection to deploy_login@db.internal:5432/ledger", null, "Connection refused", List.of())));

    assertThat(d.rootCause()).startsWith("cutter could not connect to the target").contains("Connection refused");
  }

  @Test
  void anUnfinishedEarlierCommitIsNotJustAlreadyApplied() {
    Diagnosis d = classifier.classify(blocked(new GateResult("lock", GateStatus.FAIL,
        "package sha256 not yet applied on this target", "journal row 12: COMMITTED",
        "authorization already consumed: run 20260501T000000Z-0001 committed this package and never finished",
        List.of())));

    assertThat(d.rootCause()).contains("committed this package", "never finished");
    assertThat(d.nextAction()).contains("cutter verify", "earlier run's report");
  }

  @Test
  void applyRoleThatCannotBeAssumed() {
    Diagnosis d = classifier.classify(blocked(new GateResult("apply", GateStatus.FAIL, "current_user = app_deployer",
        null, "deploy_login is not a member of app_deployer; connecting as app_deployer also failed: no password",
        List.of())));

    assertThat(d.rootCause()).startsWith("cutter could not act as apply_role app_deployer");
    assertThat(actions(d)).contains("member of app_deployer", "password file");
  }

  @Test
  void privilegedLoginRefusedNamesTheWaysOut() {
    Diagnosis d = classifier.classify(blocked(new GateResult("apply", GateStatus.FAIL, "current_user = app_deployer",
        "refused: PRIVILEGED_LOGIN", "login role postgres holds what app_deployer lacks (superuser), so a statement could"
            + " RESET ROLE and act as postgres", List.of())));

    assertThat(d.rootCause()).startsWith("The login role holds more than apply_role app_deployer");
    assertThat(actions(d)).contains("password file entry", "holds nothing more", "allow_privileged_login");
  }

  @Test
  void lockHeldByAnotherRun() {
    Diagnosis d = classifier.classify(blocked(new GateResult("lock", GateStatus.FAIL, null, null,
        "another run holds the advisory lock (pid 812)", List.of())));

    assertThat(d.rootCause()).contains("Another cutter run holds the advisory lock", "pid 812");
    assertThat(actions(d)).contains("--lock-wait");
  }

  @Test
  void alreadyAppliedIsNotALock() {
    Diagnosis d = classifier.classify(blocked(new GateResult("lock", GateStatus.FAIL, null, null,
        "already applied: the journal has a PASS entry from run 20260501T000000Z-0001", List.of())));

    assertThat(d.rootCause()).contains("already in this target's journal", "consumed once", SampleReports.PACKAGE_SHA);
    assertThat(d.nextAction()).contains("cutter verify");
  }

  @Test
  void missingCreateFoundByPreflightGetsTheSameOptionsAsAtApply() {
    Diagnosis atPreflight = classifier.classify(SampleReports.blockedAtPreflight());
    Diagnosis atApply = sql("42501", "permission denied for schema billing");

    assertThat(atPreflight.rootCause()).startsWith("apply_role app_deployer lacks CREATE on schema billing")
        .contains("Preflight check apply_role_privileges found it missing: CREATE on schema billing (statements 1, 2,"
            + " first at line 3).");
    assertThat(atPreflight.remediation()).isEqualTo(atApply.remediation());
  }

  private Diagnosis preflightFails(CheckResult check) {
    return classifier.classify(blocked(new GateResult("P1_preflight", GateStatus.FAIL, null, null, null,
        List.of(check))));
  }

  @Test
  void packagePrivilegeCheckLackingCreateNamesTheSchema() {
    Diagnosis d = preflightFails(CheckResult.fail("privilege#4", "role app_deployer has USAGE, CREATE on schema billing",
        "lacks CREATE", "role app_deployer lacks CREATE on schema billing"));

    assertThat(d.rootCause()).startsWith("apply_role app_deployer lacks CREATE on schema billing")
        .contains("privilege#4 found it missing: CREATE on schema billing.");
    assertThat(options(d)).containsExactly("A", "B", "C");
  }

  @Test
  void quotedSchemaNamesAreRead() {
    Diagnosis d = preflightFails(CheckResult.fail("apply_role_privileges", "apply_role deployer: CREATE on schema \"Billing\"",
        "missing: CREATE on schema \"Billing\" (statement 1, line 1)",
        "apply_role deployer lacks CREATE on schema \"Billing\" (statement 1, line 1)."));

    assertThat(d.rootCause()).startsWith("apply_role deployer lacks CREATE on schema Billing:");
  }

  @Test
  void missingOwnershipFoundByPreflight() {
    Diagnosis d = preflightFails(CheckResult.fail("apply_role_privileges", "apply_role app_deployer: ownership of"
        + " table billing.invoice (statement 3, line 12)", "missing: ownership of table billing.invoice (statement 3,"
        + " line 12)", "apply_role app_deployer lacks ownership of table billing.invoice (statement 3, line 12)."));

    assertThat(d.rootCause()).startsWith("apply_role app_deployer does not own table billing.invoice");
    assertThat(d.remediation().get(0).action()).contains("owner of table billing.invoice");
  }

  @Test
  void backupRoleThatCannotReadTheScope() {
    Diagnosis d = preflightFails(CheckResult.fail("backup_role_privileges", "backup_role cutter_backup: USAGE on every"
        + " schema", "missing: USAGE on schema audit", "backup_role cutter_backup lacks USAGE on schema audit: pg_dump"
        + " would fail"));

    assertThat(d.rootCause()).startsWith("backup_role cannot read everything in the backup scope")
        .contains("USAGE on schema audit");
    assertThat(actions(d)).contains("Grant the backup role USAGE");
  }

  @Test
  void journalNotWritableAsksForCutterInit() {
    Diagnosis d = preflightFails(CheckResult.fail("journal_writable", "apply_role app_deployer may INSERT cutter.journal",
        "no INSERT", null));

    assertThat(d.nextAction()).contains("cutter init --grant app_deployer");
  }

  @Test
  void wrongDatabaseComesBeforeOtherFailedChecks() {
    Diagnosis d = classifier.classify(blocked(new GateResult("P1_preflight", GateStatus.FAIL, null, null, null, List.of(
        CheckResult.fail("baseline#3", "r=4", "r=9", null),
        CheckResult.fail("identity", "system_identifier 7300411111111111111", "system_identifier 7111111111111111111",
            null)))));

    assertThat(d.rootCause()).startsWith("The target is not the database the package was written for")
        .contains("(1 more failed: baseline#3)");
  }

  @Test
  void baselineMismatchIsDrift() {
    Diagnosis d = classifier.classify(blocked(new GateResult("P1_preflight", GateStatus.FAIL, null, null, null,
        List.of(CheckResult.fail("baseline#3", "billing: r=4", "billing: r=5", null)))));

    assertThat(d.rootCause()).contains("drifted", "expected billing: r=4, found billing: r=5");
  }

  @Test
  void aRehearsalErrorIsDiagnosedFromItsSqlstate() {
    Diagnosis d = classifier.classify(blocked(new GateResult("P1_preflight", GateStatus.FAIL, null, null, null,
        List.of(CheckResult.fail("rehearse#5", null, null,
            "statement 2 failed: SQLSTATE 42P07 relation \"invoice_line\" already exists")))));

    assertThat(d.rootCause()).startsWith("Preflight check rehearse#5: relation \"invoice_line\" already exists");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "pg_dump: error: query failed: ERROR:  permission denied for schema audit|backup_role cannot read",
      "the dump is 20 bytes, smaller than min_bytes 1048576|smaller than min_bytes",
      "pg_dump 15.18 is older than the server (16.4): server version mismatch|pg_dump is older",
      "no public key for encrypt_to C0FFEE00|could not be encrypted"})
  void backupFailuresSeenInPractice(String message, String cause) {
    Diagnosis d = classifier.classify(blocked(new GateResult("P2_backup", GateStatus.FAIL, null, null, message,
        List.of())));

    assertThat(d.rootCause()).contains(cause);
    assertThat(d.nextAction()).contains("cutter backup --selftest");
  }

  // ---- verdicts ------------------------------------------------------------------------------

  @Test
  void passHasNoRootCauseAndNoOptions() {
    Diagnosis d = classifier.classify(SampleReports.pass());

    assertThat(d.rootCause()).isNull();
    assertThat(d.remediation()).isEmpty();
    assertThat(d.nextAction()).startsWith("None");
  }

  @Test
  void failedApplyIsDiagnosedFromTheStatement() {
    Diagnosis d = classifier.classify(SampleReports.failedAtStatement7());

    assertThat(d.rootCause()).contains("unique index \"invoice_line_number_key\"", "Statement 7 (line 31)",
        "(1042, 3) is duplicated");
  }

  @Test
  void rolledBackNamesTheFailedVerifyCheck() {
    Diagnosis d = classifier.classify(SampleReports.rolledBack());

    assertThat(d.rootCause()).contains("objects_present#2", "rollback artifact ran");
  }

  @Test
  void escalateWithoutApplicableRollbackPointsAtTheBackup() {
    Diagnosis d = classifier.classify(SampleReports.escalate());

    assertThat(d.rootCause()).contains("No rollback ran (precondition failed: sql#1: billing.invoice_line has 3 rows");
    assertThat(actions(d)).contains("/cutter/backups/ledger-20260518T054609Z.dump.gpg");
    assertThat(d.nextAction()).contains("A person must inspect the target");
  }

  @Test
  void escalateAfterAPartialAutocommitListsTheCommittedStatements() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, true,
        List.of(new GateResult("apply", GateStatus.FAIL, null, null, null, List.of())), SampleReports.backup(),
        new ApplyInfo("FAILED", 6, 4, "none", false, List.of(1, 2, 3),
            new FailedStatement(4, 20, "55P03", "canceling statement due to lock timeout", null, null, null)),
        null, null, null, List.of(), null, null, null);

    Diagnosis d = classifier.classify(r);

    assertThat(d.rootCause()).contains("statements 1–3 committed before statement 4 (line 20) failed", "lock_timeout");
  }

  @Test
  void escalateWhenTheBaselineMovedDuringAFailedApply() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, true,
        List.of(new GateResult("apply", GateStatus.FAIL, null, null, null, List.of())), null,
        new ApplyInfo("FAILED", 9, 3, "rolled_back", false, List.of(),
            new FailedStatement(3, 9, "42P07", "relation \"x\" already exists", null, null, null)),
        new VerificationInfo("CHANGED", List.of(), SampleReports.baselineBefore(), SampleReports.baselineAfterApply(),
            null), new RollbackInfo("NOT_RUN", null), null, List.of(), null, null, null);

    Diagnosis d = classifier.classify(r);

    assertThat(d.rootCause()).contains("billing r: 4 -> 5", "Something else changed the target");
  }

  @Test
  void aFailedJournalInsertAsksForCutterInit() {
    Diagnosis d = classifier.classifySqlError(new FailedStatement(-1, 0, "42501",
        "permission denied for table journal", null, null, null), "app_deployer");

    assertThat(d.rootCause()).startsWith("apply_role app_deployer cannot write cutter's journal")
        .contains("Writing cutter's journal row failed with SQLSTATE 42501");
    assertThat(d.nextAction()).contains("cutter init --grant app_deployer");
  }

  @Test
  void aDryRunWhoseRollbackRehearsalFailed() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.DRY_RUN, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, true,
        List.of(new GateResult("verify", GateStatus.PASS, null, null, null, List.of()),
            new GateResult("rollback", GateStatus.FAIL, "precondition holds after the apply", null, "x", List.of())),
        null, new ApplyInfo("PASS", 9, 9, "committed", false, List.of(), null),
        new VerificationInfo("PASS", List.of(), null, null, null),
        new RollbackInfo("NOT_APPLICABLE", "rehearsal: precondition failed right after the apply: sql#1: 3 rows"),
        "rollback rehearsal: precondition failed", List.of(),
        "fix the rollback precondition: it must hold right after this change is applied", null, null);

    Diagnosis d = classifier.classify(r);

    assertThat(d.rootCause()).contains("rollback rehearsal failed", "sql#1: 3 rows");
    assertThat(d.nextAction()).as("the run's own next action is kept")
        .isEqualTo("fix the rollback precondition: it must hold right after this change is applied");
  }

  @Test
  void anEscalationOnlyTheRunUnderstoodKeepsItsRootCause() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, false, List.of(), null, null, null, null,
        "database error while holding the run lock: terminating connection (SQLSTATE 57P01)", List.of(), null, null,
        null);

    Diagnosis d = classifier.classify(r);

    assertThat(d.rootCause()).contains("database error while holding the run lock");
  }

  @Test
  void internalErrorSaysItIsABug() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, null, null, null, 1, false,
        List.of(new GateResult("P2_backup", GateStatus.FAIL, null, null, "NullPointerException in envelope", List.of())),
        new BackupInfo("FAILED", null, null, null, null, null, null, null, null, null, null, Instant.EPOCH, null, null),
        null, null, null, null, List.of(), null, null, null);

    Diagnosis d = classifier.classify(r);

    assertThat(d.rootCause()).startsWith("cutter stopped on an internal error (a bug)").contains("NullPointerException");
    assertThat(d.nextAction()).contains("not changed");
  }

  @Test
  void diagnoseFillsTheReport() {
    RunReport diagnosed = classifier.diagnose(SampleReports.blockedAtPreflight());

    assertThat(diagnosed.rootCause()).isNotBlank();
    assertThat(diagnosed.remediation()).hasSize(3);
    assertThat(diagnosed.nextAction()).isNotBlank();
    assertThat(diagnosed.gates()).isEqualTo(SampleReports.blockedAtPreflight().gates());
  }
}
