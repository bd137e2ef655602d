package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An unknown outcome is explained for the apply mode it happened in, never as autocommit when it was not. */
class OutcomeUnknownDiagnosisTest {

  private static RunReport report(String mode) {
    return new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, SampleReports.pkg(),
        SampleReports.target("billing_owner"), Verdict.ESCALATE, 6, true, List.of(), null, null, null, null,
        "outcome unknown", List.of(), null, null, null)
        .withApplySettings(new RunReport.ApplySettingsInfo(mode, "5s", "5min", null));
  }

  @Test
  void aTransactionWhoseSessionRanOnIsNotCalledAutocommit() {
    Diagnosis d = CauseDiagnoses.of(new Cause.OutcomeUnknown(false), report("transaction"));

    assertThat(d.rootCause()).isEqualTo("The connection to the server was lost while a statement ran, and its"
        + " transaction had not ended on the server when cutter looked, and whether the change committed is not known"
        + " from the client side.");
  }

  @Test
  void autocommitAndCommitKeepTheirWords() {
    assertThat(CauseDiagnoses.of(new Cause.OutcomeUnknown(false), report("autocommit")).rootCause())
        .isEqualTo("The connection to the server was lost while a statement ran in autocommit mode, and whether the"
            + " change committed is not known from the client side.");
    assertThat(CauseDiagnoses.of(new Cause.OutcomeUnknown(true), report("transaction")).rootCause())
        .isEqualTo("The connection to the server was lost during COMMIT, and whether the change committed is not"
            + " known from the client side.");
  }
}
