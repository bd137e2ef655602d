package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A preflight that rehearsed wrote to the target (and rolled back): its report's header says so. */
class PreflightHeaderTest {

  private static String markdown(boolean rehearsed) {
    List<GateResult> gates = new ArrayList<>(SampleReports.integrityGates());
    gates.add(new GateResult("P1_preflight", rehearsed ? GateStatus.PASS : GateStatus.FAIL, null, null, null,
        SampleReports.preflightChecks(rehearsed)));
    Verdict v = rehearsed ? Verdict.PASS : Verdict.BLOCKED;
    RunReport r = new RunReport(SampleReports.RUN_ID, RunMode.PREFLIGHT, SampleReports.pkg(),
        SampleReports.target("billing_owner"), v, v.exitCode(), false, gates, null, null, null, null, null, List.of(),
        null, SampleReports.STARTED, SampleReports.FINISHED);
    return ReportRenderer.markdown(ScannedReport.scan(r, SecretScanner.patternsOnly()));
  }

  @Test
  void theHeaderOfAPreflightThatRehearsedSaysTheChangeRanInARolledBackTransaction() {
    String md = markdown(true);
    String header = md.substring(0, md.indexOf("| run |") > 0 ? md.indexOf("| run |") : md.length());

    assertThat(header).contains("**Rehearsal:**").contains("inside a transaction that was rolled back")
        .contains("lock_timeout");
  }

  @Test
  void aPreflightWhoseRehearsalWasSkippedSaysNothingOfIt() {
    assertThat(markdown(false)).doesNotContain("**Rehearsal:**");
  }
}
