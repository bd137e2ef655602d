package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.cause.Cause.ErrorSite;
import dev.cutter.core.cause.Cause.Grant;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.run.GateId;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The diagnosis is decided by the typed cause alone: the unit cases here feed causes (as the
 * gates make them) with messages that speak of other things; the cause table test in cli drives
 * every cause through a real run.
 */
class FailureClassifierTest {

  private final FailureClassifier classifier = new FailureClassifier();

  private static final String MISLEADING = "package already in journal; run lock held; backup expired; signature";

  private static RunReport blocked(GateId gate, Cause cause, List<CheckResult> checks) {
    List<GateResult> gates = new ArrayList<>(SampleReports.integrityGates());
    gates.add(new GateResult(gate, GateStatus.FAIL, MISLEADING, MISLEADING, MISLEADING, checks, cause));
    return new RunReport(SampleReports.RUN_ID, RunMode.APPLY, SampleReports.pkg(), SampleReports.target("app_deployer"),
        Verdict.BLOCKED, 3, false, gates, null, null, null, null, null, List.of(), null, SampleReports.STARTED,
        SampleReports.FINISHED);
  }

  private Diagnosis diagnosed(GateId gate, Cause cause) {
    return classifier.classify(blocked(gate, cause, List.of()));
  }

  @Test
  void theIssuesCaseBackupRoleLackingSelectOnTheJournalSequenceIsAGrantNotAReplay() {
    Cause c = new Cause.MissingPrivilege(Cause.RoleKind.BACKUP_ROLE, "cutter_backup",
        List.of(new Grant("SELECT", "sequence", "cutter.journal_id_seq")));
    CheckResult check = CheckResult.fail("backup_role_privileges", c, MISLEADING, MISLEADING, MISLEADING);

    Diagnosis d = classifier.classify(blocked(GateId.PREFLIGHT, c, List.of(check)));

    assertThat(d.rootCause()).isEqualTo("backup_role cutter_backup lacks SELECT on sequence cutter.journal_id_seq:"
        + " pg_dump would stop there, and a backup without those objects is no backup.");
    assertThat(d.remediation().get(0).action())
        .isEqualTo("Grant it: GRANT SELECT ON SEQUENCE cutter.journal_id_seq TO cutter_backup;");
  }

  @Test
  void theSameMessageWithAnotherCauseGetsThatCausesDiagnosis() {
    assertThat(diagnosed(GateId.LOCK, new Cause.RunLockHeld("pid 42", false)).rootCause())
        .startsWith("Another cutter run holds the advisory lock on this target (pid 42)");
    assertThat(diagnosed(GateId.LOCK, new Cause.PackageAlreadyConsumed(7, "run-1", "PASS", false)).rootCause())
        .contains("is already in this target's journal (row 7, run run-1, verdict PASS)");
    assertThat(diagnosed(GateId.LOCK, new Cause.CannotConnect("db.example:5432/shop", "08001")).rootCause())
        .isEqualTo("cutter could not connect to db.example:5432/shop (SQLSTATE 08001).");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "42501|apply_role app_deployer lacks a privilege on table billing.invoice.",
      "42P07|table billing.invoice already exists on the target",
      "42P01|table billing.invoice does not exist on the target",
      "55P03|Other sessions held a conflicting lock on table billing.invoice for longer than lock_timeout.",
      "57014|The statement was canceled: it ran longer than statement_timeout",
      "25001|The statement cannot run inside a transaction block",
      "23505|The data on the target violates constraint invoice_pkey.",
      "40P01|The server rolled the transaction back because of a deadlock with another session.",
      "57P01|The connection to the server was lost; the server rolls back the open transaction",
      "42601|The server rejected the statement as invalid SQL",
      "P0001|A guard in the artifact raised an exception",
      "XX000|Statement 3 (line 9) failed with SQLSTATE XX000 (internal error), table billing.invoice"})
  void sqlErrorsAreDiagnosedBySqlstateAndTheServersFields(String sqlstate, String start) {
    Cause c = new Cause.SqlError(sqlstate, ErrorSite.STATEMENT, 3, 9, "billing", "invoice", null,
        sqlstate.startsWith("23") ? "invoice_pkey" : null, null, "app_deployer");

    Diagnosis d = diagnosed(GateId.APPLY, c);

    assertThat(d.rootCause()).startsWith(start).contains("Statement 3 (line 9) failed with SQLSTATE " + sqlstate);
  }

  @Test
  void anErrorOfOneOfTheStatementsOfAJoinedMessageNamesThemAllAndNoneAsTheFailingOne() {
    Diagnosis d = diagnosed(GateId.APPLY, new Cause.StatementAmongFailed("53200", 201, 205, 410, 418, "app_deployer"));

    assertThat(d.rootCause()).isEqualTo("One of statements 201 to 205 (lines 410 to 418) failed with SQLSTATE 53200"
        + " before any of them ran, and the server did not say which: they were sent as one message and the error has"
        + " no position. None of them ran; the change was rolled back.");
    assertThat(d.remediation().get(0).action()).isEqualTo("Run statements 201 to 205 one by one against a copy of the"
        + " target to find the failing one, fix it and re-issue the package.");
  }

  @Test
  void aFailedJournalInsertAsksForCutterInit() {
    Diagnosis d = diagnosed(GateId.APPLY, Cause.SqlError.of("42501", ErrorSite.JOURNAL_ROW, "app_deployer"));

    assertThat(d.rootCause()).startsWith("apply_role app_deployer cannot write cutter's journal")
        .contains("Writing cutter's journal row failed with SQLSTATE 42501");
    assertThat(d.nextAction()).contains("cutter init --grant app_deployer");
  }

  @Test
  void missingCreateOnASchemaOffersOwnerGrantOrAnotherRole() {
    Diagnosis d = classifier.classify(SampleReports.blockedAtPreflight());

    assertThat(d.rootCause()).startsWith("apply_role app_deployer lacks CREATE on schema billing");
    assertThat(d.remediation()).extracting(RunReport.Remediation::option).containsExactly("A", "B", "C");
  }

  @Test
  void otherFailedChecksOfTheGateAreNamedAfterTheFirst() {
    Cause id = new Cause.IdentityMismatch(Cause.IdentityField.DATABASE, "shop", "shop_other");
    Diagnosis d = classifier.classify(blocked(GateId.PREFLIGHT, id, List.of(
        CheckResult.fail("identity", id, "a", "b", MISLEADING),
        CheckResult.fail("baseline#2", new Cause.BaselineDiffers(List.of("r 4 != 5")), "a", "b", MISLEADING))));

    assertThat(d.rootCause()).isEqualTo("The target is not the database the package was written for: its database"
        + " is shop_other, the package names shop. (1 more failed: baseline#2)");
  }

  @Test
  void passHasNoRootCauseAndNoOptions() {
    Diagnosis d = classifier.classify(SampleReports.pass());

    assertThat(d.rootCause()).isNull();
    assertThat(d.remediation()).isEmpty();
  }

  @Test
  void failedApplyIsDiagnosedFromTheStatementsCause() {
    Diagnosis d = classifier.classify(SampleReports.failedAtStatement7());

    assertThat(d.rootCause()).startsWith("The data on the target violates constraint invoice_line_number_key.")
        .contains("Statement 7 (line 31) failed with SQLSTATE 23505");
  }

  @Test
  void rolledBackNamesTheFailedVerifyCheck() {
    assertThat(classifier.classify(SampleReports.rolledBack()).rootCause())
        .contains("check objects_present#2 did not hold", "rollback artifact ran");
  }

  @Test
  void escalateWithoutApplicableRollbackPointsAtTheBackup() {
    Diagnosis d = classifier.classify(SampleReports.escalate());

    assertThat(d.rootCause()).contains("No rollback ran");
    assertThat(d.remediation()).extracting(RunReport.Remediation::action)
        .anyMatch(a -> a.contains("/cutter/backups/ledger-20260518T054609Z.dump.gpg"));
    assertThat(d.nextAction()).contains("A person must inspect the target");
  }

  @Test
  void escalateAfterAPartialAutocommitListsTheCommittedStatements() {
    Cause c = new Cause.SqlError("55P03", ErrorSite.STATEMENT, 4, 20, null, null, null, null, null, "billing_owner");
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, true,
        List.of(GateResult.fail(GateId.APPLY, c, null, null, null, List.of())), SampleReports.backup(),
        new ApplyInfo("FAILED", 6, 4, "none", false, List.of(1, 2, 3),
            new FailedStatement(4, 20, "55P03", "canceling statement due to lock timeout", null, null, null)),
        null, null, null, List.of(), null, null, null);

    assertThat(classifier.classify(r).rootCause()).contains("statements 1–3 committed", "lock_timeout");
  }

  @Test
  void escalateWhenTheBaselineMovedDuringAFailedApply() {
    Cause c = new Cause.SqlError("42P07", ErrorSite.STATEMENT, 3, 9, null, null, null, null, null, "billing_owner");
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, true,
        List.of(GateResult.fail(GateId.APPLY, c, null, null, null, List.of())), null,
        new ApplyInfo("FAILED", 9, 3, "rolled_back", false, List.of(), null),
        new VerificationInfo("CHANGED", List.of(), SampleReports.baselineBefore(), SampleReports.baselineAfterApply(),
            null), new RollbackInfo("NOT_RUN", null), null, List.of(), null, null, null);

    assertThat(classifier.classify(r).rootCause()).contains("billing r: 4 -> 5", "Something else changed the target");
  }

  @Test
  void anEscalationOnlyTheRunUnderstoodKeepsItsRootCause() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, false, List.of(), null, null, null, null,
        "database error while holding the run lock", List.of(), null, null, null);

    assertThat(classifier.classify(r).rootCause()).contains("database error while holding the run lock");
  }

  @Test
  void aCheckThatFailedWithoutACauseIsNeverGuessedFromItsWords() {
    RunReport r = blocked(GateId.PREFLIGHT, null, List.of(new CheckResult("sql#1", CheckStatus.FAIL, MISLEADING,
        MISLEADING, MISLEADING)));

    assertThat(classifier.classify(r).rootCause())
        .isEqualTo("The run ended BLOCKED but no gate reports a failure with its cause; the report is incomplete.");
  }

  @Test
  void diagnoseFillsTheReport() {
    RunReport diagnosed = classifier.diagnose(SampleReports.blockedAtPreflight());

    assertThat(diagnosed.rootCause()).isNotBlank();
    assertThat(diagnosed.remediation()).hasSize(3);
    assertThat(diagnosed.gates()).isEqualTo(SampleReports.blockedAtPreflight().gates());
  }
}
