package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.run.RunReport;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A report file that is not a report this version wrote: one message naming the member by its path. */
class ReportFormatErrorsTest {

  private static void assertRefused(RunReport report, Consumer<ObjectNode> edit, String message) {
    ObjectNode tree = ScannedReport.scan(report, SecretScanner.patternsOnly()).tree();
    edit.accept(tree);
    assertThatThrownBy(() -> ReportTree.fromTree(tree)).isInstanceOf(ReportTree.ReportFormatException.class)
        .hasMessage(message);
  }

  @Test
  void aMissingMemberIsNamedWithItsPath() {
    assertRefused(SampleReports.pass(), t -> t.remove("run_id"), "missing field run_id");
    assertRefused(SampleReports.pass(), t -> ((ObjectNode) t.at("/gates/0")).remove("id"), "missing field gates[1].id");
    assertRefused(SampleReports.failedAtStatement7(), t -> ((ObjectNode) t.at("/apply/failed_statement")).remove("line"),
        "missing field apply.failed_statement.line");
  }

  @Test
  void aValueOfTheWrongKindIsNamedWithItsPath() {
    assertRefused(SampleReports.pass(), t -> ((ObjectNode) t.at("/gates/1")).put("status", "MAYBE"),
        "gates[2].status: unknown value 'MAYBE'");
    assertRefused(SampleReports.pass(), t -> ((ObjectNode) t.get("backup")).put("bytes", "many"),
        "backup.bytes: expected an integer");
    assertRefused(SampleReports.pass(), t -> t.putArray("backup").add(1), "backup: expected a mapping");
    assertRefused(SampleReports.pass(), t -> t.put("finished_at", "yesterday"),
        "finished_at: expected an RFC 3339 UTC timestamp, found 'yesterday'");
    // the items of a list of integers, read without naming each one, are named when one is wrong
    assertRefused(SampleReports.pass(), t -> ((com.fasterxml.jackson.databind.node.ArrayNode) t.at("/apply")
        .withArray("committed_statements")).add(1).add(2).add("three").add(4),
        "apply.committed_statements[3]: expected an integer");
    assertRefused(SampleReports.pass(), t -> ((com.fasterxml.jackson.databind.node.ArrayNode) t.at("/apply")
        .withArray("committed_statements")).add(1).add(2.5),
        "apply.committed_statements[2]: expected an integer");
    assertRefused(SampleReports.pass(), t -> ((com.fasterxml.jackson.databind.node.ArrayNode) t.at("/apply")
        .withArray("committed_statements")).add(1).addNull().add(true),
        "apply.committed_statements[3]: expected an integer");
    assertRefused(SampleReports.pass().withLockPlan(List.of(LockPlanReportTest.plan())),
        t -> ((ObjectNode) t.at("/lock_plan/0/summary/0")).put("strongest", "BigLock"),
        "lock_plan[1].summary[1].strongest: unknown value 'BigLock'");
  }
}
