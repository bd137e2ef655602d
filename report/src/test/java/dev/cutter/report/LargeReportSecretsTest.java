package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report of 10,000 statements (issue 14's workload) with secrets in statement texts deep inside
 * it: the scan still finds every one, in the YAML and in the Markdown, and the rendered text is
 * what scanning every position of it gives.
 */
class LargeReportSecretsTest {

  @Test
  void secretsInTheStatementsOfATenThousandStatementReportAreMasked(@TempDir Path dir) throws Exception {
    RunReport base = TimingsReportTest.timed();
    List<StatementTiming> ran = new ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      String text = switch (i) {
        case 7_777 -> "create role audit login password 'Tr0ub4dor&3-horse'";
        case 9_001 -> "comment on table t9001 is 'api_key: Zq8-unlisted-key'";
        case 3_333 -> "select 'postgresql://deploy:conn-Pw-3333@db/x'";
        default -> "create table bench.t" + i + " (id bigint primary key)";
      };
      ran.add(new StatementTiming(i, i, text, i == 7_777 ? 900 : i == 9_001 ? 800 : i == 3_333 ? 700 : i % 7));
    }
    RunReport big = base.withStatements(new StatementTimings(ran, 1234L));
    SecretScanner scanner = SampleReports.scanner().withSecret("the run's password", "env-Secret-Value-42");

    WrittenReport w = new ReportWriter(dir, scanner).write(big);

    String yaml = Files.readString(w.yaml());
    String md = Files.readString(w.markdown());
    for (String out : List.of(yaml, md)) {
      assertThat(out).doesNotContain("Tr0ub4dor").doesNotContain("Zq8-unlisted-key").doesNotContain("conn-Pw-3333");
    }
    assertThat(yaml).contains("text: create role audit login password '****'")
        .contains("api_key: ****").contains("postgresql://deploy:****@db/x")
        .contains("text: create table bench.t9999 (id bigint primary key)");
    assertThat(md).contains("create role audit login password '****'");
    assertThat(w.scanned().secretsRecorded()).isEqualTo("masked: 3 (connection password, SQL password, API key)");
    SecretFindings again = new SecretFindings();
    assertThat(scanner.scanEveryPosition(yaml, again)).isEqualTo(yaml);
    assertThat(again.isEmpty()).isTrue();
  }
}
