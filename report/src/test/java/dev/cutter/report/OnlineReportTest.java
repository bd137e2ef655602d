package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.online.OnlineInfo;
import dev.cutter.core.online.OnlineInfo.Cleanup;
import dev.cutter.core.online.OnlineInfo.CleanupStatus;
import dev.cutter.core.online.OnlineInfo.RunStatus;
import dev.cutter.core.online.OnlineInfo.StatementRun;
import dev.cutter.core.run.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The online step's section: in the YAML (read back unchanged) and the Markdown, row values in its error masked. */
class OnlineReportTest {

  private static RunReport withOnline(String sqlstate, String message) {
    OnlineInfo o = new OnlineInfo(OnlineInfo.Outcome.FAILED, 3, 1, "5000ms", "3600000ms", List.of(
        new StatementRun(1, 2, "create index concurrently t_plain …", RunStatus.DONE, 12L, null, null),
        new StatementRun(2, 3, "create unique index concurrently …", RunStatus.FAILED, 7L, sqlstate, message),
        new StatementRun(3, 4, "analyze t", RunStatus.NOT_RUN, null, null, null)),
        List.of(new Cleanup("\"public\".\"t_a_key\"", CleanupStatus.DROPPED, null)), null);
    return SampleReports.pass().withOnline(o);
  }

  @Test
  void theSectionIsWrittenReadBackAndRendered(@TempDir Path dir) throws IOException {
    WrittenReport w = new ReportWriter(dir, SampleReports.scanner())
        .write(withOnline("23505", "could not create unique index \"t_a_key\""));

    String yaml = Files.readString(w.yaml());
    assertThat(yaml).contains("""
        online:
          status: FAILED
          statements_total: 3
          statements_done: 1
          lock_timeout: 5000ms
          statement_timeout: 3600000ms
          statements:
            - index: 1
              line: 2
              summary: create index concurrently t_plain …
              status: DONE
              duration_ms: 12
            - index: 2
              line: 3
              summary: create unique index concurrently …
              status: FAILED
              duration_ms: 7
              sqlstate: "23505"
              message: could not create unique index "t_a_key"
            - index: 3
              line: 4
              summary: analyze t
              status: NOT_RUN
          invalid_index_cleanup:
            - index: '"public"."t_a_key"'
              status: DROPPED
        verification:
        """);
    ScannedReport reread = ReportCodec.read(w.yaml(), SampleReports.scanner());
    assertThat(reread.report().online()).isEqualTo(withOnline("23505", "could not create unique index \"t_a_key\"").online());
    assertThat(ReportCodec.yaml(reread)).as("round trip").isEqualTo(yaml);

    String md = Files.readString(w.markdown());
    assertThat(md).contains("## Online step\n")
        .contains("1 of 3 statements done, each in its own autocommit (lock_timeout 5000ms, statement_timeout 3600000ms).")
        .contains("| 2 | 3 | create unique index concurrently … | FAILED | 7 ms | could not create unique index \"t_a_key\""
            + " (SQLSTATE 23505) |")
        .contains("| \"public\".\"t_a_key\" | DROPPED | |");
  }

  @Test
  void rowValuesInTheFailedOnlineStatementAreMasked(@TempDir Path dir) throws IOException {
    WrittenReport w = new ReportWriter(dir, SampleReports.scanner())
        .write(withOnline("22P02", "invalid input syntax for type integer: \"4111-1111\""));
    assertThat(Files.readString(w.yaml())).doesNotContain("4111-1111")
        .contains("message: \"invalid input syntax for type integer: \\\"" + RowValues.MASK + "\\\"\"");
    assertThat(Files.readString(w.markdown())).doesNotContain("4111-1111");
  }

  @Test
  void aFailedOnlineStepIsDiagnosedAsSuchAndKeepsTheRunsNextAction() {
    RunReport pass = SampleReports.pass();
    List<dev.cutter.core.run.GateResult> gates = new java.util.ArrayList<>(pass.gates());
    gates.add(dev.cutter.core.run.GateResult.fail(dev.cutter.core.run.GateId.ONLINE,
        new dev.cutter.core.cause.Cause.OnlineStepFailed(1, 2, "23505", false, false), null, "1 done", "x", List.of()));
    RunReport escalated = new RunReport(pass.runId(), pass.mode(), pass.pkg(), pass.target(),
        dev.cutter.core.Verdict.ESCALATE, 6, true, gates, pass.backup(), pass.apply(), null, pass.rollback(),
        "the transactional part committed; statement 2 failed", List.of(), "issue a new package", pass.started(),
        pass.finished());
    Diagnosis d = new FailureClassifier().classify(escalated);
    assertThat(d.rootCause()).isEqualTo("The target is not in the state the package promised and was not restored: The change"
        + " committed, but its online step stopped at statement 2 of 2"
        + " (SQLSTATE 23505); 1 of 2 online statements ran.");
    assertThat(d.nextAction()).isEqualTo("issue a new package");
    assertThat(d.remediation()).hasSize(2);
  }
}
