package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A report's texts are scanned once per distinct text: what a text holds is still masked and
 * counted at every place it stands, in the order the report holds them, as scanning each place did.
 */
class RepeatedTextsTest {

  @Test
  void aSecretRepeatedInStatementsIsMaskedAndCountedAtEveryRepetition() {
    List<StatementTiming> ran = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      String text = i % 100 == 0 ? "alter role audit password 'Rep3ated-Secret'"
          : i == 150 ? "select 'postgresql://u:conn-Pw-150@db/x'" : "create table t" + (i % 3) + " ()";
      ran.add(new StatementTiming(i, i, text, 1000 - i));
    }
    RunReport big = TimingsReportTest.timed().withStatements(new StatementTimings(ran, 5L));

    ScannedReport scanned = ScannedReport.scan(big, SampleReports.scanner(), false);

    assertThat(scanned.secretsRecorded()).isEqualTo("masked: 4 (SQL password, connection password)");
    List<String> texts = scanned.report().statements().ran().stream().map(StatementTiming::text).toList();
    assertThat(texts.get(99)).isEqualTo("alter role audit password '****'");
    assertThat(texts.get(299)).isEqualTo("alter role audit password '****'");
    assertThat(texts.get(149)).isEqualTo("select 'postgresql://u:****@db/x'");
    assertThat(ReportCodec.yaml(scanned)).doesNotContain("Rep3ated-Secret").doesNotContain("conn-Pw-150");
  }

  @Test
  void aKeyTheScanMasksIsCountedAtEachMappingItStandsIn() {
    Map<String, SchemaCounts> before = new LinkedHashMap<>();
    before.put("app", new SchemaCounts("app", Map.of("p", 1), Map.of("r", 1)));
    before.put("password=Key-Secret-9", new SchemaCounts("password=Key-Secret-9", Map.of(), Map.of("r", 2)));
    RunReport p = SampleReports.pass();
    RunReport.VerificationInfo v = p.verification();
    RunReport withKeys = new RunReport(p.runId(), p.mode(), p.pkg(), p.target(), p.verdict(), p.exitCode(),
        p.productionChanged(), p.gates(), p.backup(), p.apply(), new RunReport.VerificationInfo(v.status(), v.checks(),
            new Baseline(before), new Baseline(before), v.note()), p.rollback(), p.rootCause(), p.remediation(),
        p.nextAction(), p.started(), p.finished());

    ScannedReport scanned = ScannedReport.scan(withKeys, SampleReports.scanner(), false);

    assertThat(scanned.secretsRecorded()).isEqualTo("masked: 2 (password)");
    String yaml = ReportCodec.yaml(scanned);
    assertThat(yaml).doesNotContain("Key-Secret-9").contains("  baseline_before:\n    app:\n");
    assertThat(yaml.indexOf("password=****")).isGreaterThan(yaml.indexOf("    app:"));
  }
}
