package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.run.GateId;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gates verify and rollback run besides the integrity gates get their own diagnosis. */
class VerbGateDiagnosisTest {

  private static RunReport blocked(RunMode mode, GateResult gate) {
    List<GateResult> gates = new ArrayList<>(SampleReports.integrityGates());
    gates.add(gate);
    return new RunReport(SampleReports.RUN_ID, mode, SampleReports.pkg(), SampleReports.target("billing_owner"),
        Verdict.BLOCKED, 3, false, gates, null, null, null, null, null, List.of(), null, SampleReports.STARTED,
        SampleReports.FINISHED);
  }

  @Test
  void anotherDatabaseIsDiagnosedAsTheWrongTarget() {
    Cause cause = new Cause.IdentityMismatch(Cause.IdentityField.DATABASE, "shop", "shop_other");
    CheckResult identity = CheckResult.fail("identity", cause, "system_identifier 1, database shop",
        "system_identifier 1, database shop_other", "connected to database shop_other, not shop");
    RunReport r = blocked(RunMode.ROLLBACK, GateResult.fail(GateId.IDENTITY, cause, identity.expected(),
        identity.actual(), identity.message(), List.of(identity)));

    assertThat(new FailureClassifier().classify(r).rootCause())
        .startsWith("The target is not the database the package was written for");
  }

  @Test
  void aRollbackWithoutTheApplyInTheJournalIsNotDiagnosedAsAlreadyApplied() {
    // the message speaks of the journal and of "already": only the cause decides
    RunReport r = blocked(RunMode.ROLLBACK, GateResult.fail(GateId.JOURNAL,
        new Cause.RollbackRefused(Cause.RollbackRefusal.NOT_APPLIED), "a journal row already consumed",
        "no row", "this package was never applied on this target (no journal row for its sha256)", List.of()));

    assertThat(new FailureClassifier().classify(r).rootCause()).startsWith("cutter rollback refused")
        .doesNotContain("already in this target's journal");
  }
}
