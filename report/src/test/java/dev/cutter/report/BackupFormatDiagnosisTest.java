package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.run.RunReport.Remediation;
import org.junit.jupiter.api.Test;

/** The directory format refused through a pg_dump prefix is diagnosed from its kind, with both ways out. */
class BackupFormatDiagnosisTest {

  @Test
  void theDirectoryFormatThroughAPrefixNamesBothWaysOut() {
    Diagnosis d = CauseDiagnoses.of(new Cause.BackupRefused(Cause.BackupRefusal.FORMAT_UNSUPPORTED), SampleReports.pass());

    assertThat(d.rootCause()).isEqualTo("The package's backup format cannot be written through the pg_dump command prefix"
        + " (the P2 backup section below says what was found).");
    assertThat(d.remediation()).extracting(Remediation::action).containsExactly(
        "Run cutter without --pg-dump-via, with client tools of the server's major version on this host.",
        "Re-issue the package with backup.format: custom, which the prefix can write.");
  }
}
