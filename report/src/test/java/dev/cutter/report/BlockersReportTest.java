package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.blockers.Blocker;
import dev.cutter.core.blockers.BlockersInfo;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blockers section: written in YAML and Markdown, read back, secret-scanned, diagnosed. */
class BlockersReportTest {

  @TempDir Path tmp;

  static final Blocker IDLE = new Blocker(4242, "reporting", "billing-worker", "10.0.0.7", "idle in transaction", 93_000L,
      Blocker.Reason.HOLDS_CONFLICTING_LOCK, "AccessShareLock on public.invoice",
      "select * from invoice where token = '****'", null, "ask its owner to COMMIT or ROLLBACK");
  static final Blocker EARLIER = new Blocker(777, "deployer", "cutter apply 20260518T054609Z-3f2a", "local", "active",
      12_000L, Blocker.Reason.BLOCKED_THE_APPLY, "AccessExclusiveLock on public.invoice",
      "update invoice set note = 'postgresql://u:Tr0ub4dor&3xyz@db/x'", "20260518T054609Z-3f2a", "wait for it");

  static RunReport blocked() {
    RunReport r = SampleReports.blockedAtPreflight();
    BlockersInfo info = new BlockersInfo("BLOCKED", List.of("public.invoice: AccessExclusiveLock"), "any", 5_000,
        List.of(IDLE), List.of(new BlockersInfo.Attempt(1, "lock_timeout", "55P03", 0, List.of(EARLIER)),
            new BlockersInfo.Attempt(2, "blocked", null, 2_100, List.of(IDLE))));
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), Verdict.BLOCKED, 3, false,
        List.of(GateResult.fail(dev.cutter.core.run.GateId.BLOCKERS,
            new dev.cutter.core.cause.Cause.SessionsInTheWay(List.of(4242), List.of("public.invoice (AccessExclusiveLock)"), false), "no session in the way of public.invoice",
            "1 session(s) in the way", "still in the way after waiting 5000ms: pid 4242", List.of())),
        null, null, null, null, null, List.of(), null, r.started(), r.finished(), null).withBlockers(info);
  }

  @Test
  void theSectionIsWrittenReadBackAndRendered() throws Exception {
    ScannedReport scanned = ScannedReport.scan(blocked(), SecretScanner.patternsOnly());
    String yaml = ReportCodec.yaml(scanned);
    assertThat(yaml).contains("blockers:\n  status: BLOCKED\n  relations:\n    - \"public.invoice: AccessExclusiveLock\"\n"
        + "  max_blocker_age: any\n  waited_ms: 5000\n  sessions:\n    - pid: 4242\n      user: reporting\n"
        + "      application_name: billing-worker\n      client_address: 10.0.0.7\n      state: idle in transaction\n"
        + "      transaction_age_ms: 93000\n      reason: holds_conflicting_lock\n",
        "cutter_run: 20260518T054609Z-3f2a", "outcome: lock_timeout", "sqlstate: 55P03", "waited_before_ms: 2100",
        "query: update invoice set note = 'postgresql://u:****@db/x'");
    assertThat(yaml).as("the secret scanner covers other sessions' queries too").doesNotContain("Tr0ub4dor&3xyz");

    Path file = Files.writeString(tmp.resolve("r.yaml"), yaml);
    BlockersInfo back = ReportCodec.read(file, SecretScanner.patternsOnly()).report().blockers();
    assertThat(back.blockers()).containsExactly(IDLE);
    assertThat(back.attempts()).hasSize(2);
    assertThat(back.attempts().get(0).blockers().get(0).cutterRun()).isEqualTo("20260518T054609Z-3f2a");
    assertThat(back).isEqualTo(scanned.report().blockers());

    String md = ReportRenderer.markdown(scanned);
    assertThat(md).contains("## Blockers")
        .contains("| 4242 | `reporting` | `billing-worker` | 10.0.0.7 | idle in transaction | 93000ms |"
            + " holds conflicting lock | AccessShareLock on public.invoice |")
        .contains("| 1 | lock_timeout | 55P03 | 0ms | pid 777 (AccessExclusiveLock on public.invoice) |")
        .contains("**pid 4242:** ask its owner to COMMIT or ROLLBACK");
    String html = ReportRenderer.html(scanned);
    assertThat(html).contains("<h2>Blockers</h2>").contains("billing-worker").doesNotContain("Tr0ub4dor&amp;3xyz");
  }

  @Test
  void maskingTheFailedStatementsRowValuesKeepsTheBlockersAndTheApplySettings() {
    RunReport b = blocked();
    RunReport failed = new RunReport(b.runId(), b.mode(), b.pkg(), b.target(), Verdict.FAILED, 4, false, b.gates(), null,
        new RunReport.ApplyInfo("FAIL", 1, 0, "rolled_back", false, List.of(),
            new RunReport.FailedStatement(1, 1, "55P03", "canceling statement due to lock timeout", null, null, null)),
        null, null, null, List.of(), null, b.started(), b.finished(),
        new RunReport.ApplySettingsInfo("transaction", "500ms", "60000ms", 1)).withBlockers(b.blockers());

    RunReport masked = RowValues.mask(failed);

    assertThat(masked.blockers()).isEqualTo(failed.blockers());
    assertThat(masked.applySettings()).isEqualTo(failed.applySettings());
  }

  @Test
  void aBlockersRefusalIsDiagnosedAsSessionsInTheWayNotAsAnotherRunsLock() {
    RunReport d = new FailureClassifier().diagnose(blocked());
    assertThat(d.rootCause()).isEqualTo("Sessions were in the way of the locks the change takes (pid 4242) on"
        + " public.invoice (AccessExclusiveLock): beginning would have queued every query on those tables behind them.");
    assertThat(d.remediation()).extracting(RunReport.Remediation::action)
        .contains("Re-run with --lock-wait DURATION to wait until they are gone.");
  }
}
