package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.run.RunReport;
import org.junit.jupiter.api.Test;

/** An unknown outcome is explained for the apply mode it happened in, never as autocommit when it was not. */
class OutcomeUnknownDiagnosisTest {

  private static RunReport report(String mode) {
    return SampleReports.escalatedIn(mode);
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
