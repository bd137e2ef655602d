package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statement rows kept out of the report's tree ({@link StatementRows}) give the text, the
 * tree, the read-back report and the scan's record the tree with the rows in it gives
 * ({@link ScannedReport#scanWithRowsInTree}, the path every report took before), on large reports
 * of awkward statement texts; and a secret in any field of a row is masked as before.
 */
class StatementRowsTest {

  /** Texts the YAML writer quotes, escapes or keeps plain, one of them for each row in turn. */
  private static final List<String> AWKWARD = List.of(
      "create table bench.t (id bigint primary key)",
      "plain_identifier",
      "comment on table t is 'it''s \"quoted\" here'",
      "select \"Ünïcödé\", 'Straße', '日本語', '😀'",
      "select 1 -- \u202eevil\u202c and \u2066isolated\u2069 and zero\u200bwidth and \ufeffbom",
      "x".repeat(5_000) + " the end",
      "key: value # not a comment",
      "- starts like an item",
      "* alias? & anchor! {flow} [seq] | > % @ `",
      "null",
      "true",
      "Yes",
      "12345",
      "0x1F",
      "1.5e3",
      "",
      "  leading and trailing  ",
      "tab\there and a backslash \\ and \\n",
      "…",
      "select E'\\x00' from t where a = $1",
      "\u0007bell and \u001bescape and \u007fdelete",
      "'single-quoted at both ends'",
      "\"double-quoted at both ends\"",
      "ends with a colon:",
      "#starts with a hash",
      "?question",
      "~",
      "@at",
      "%percent",
      "!tag",
      "&anchor",
      "a\u00a0non-breaking space");

  private final SecretScanner scanner = SampleReports.scanner().withSecret("the run's password", "env-Secret-Value-42");

  @Test
  void tenThousandRowsOfAwkwardTextsAreTheSameTextByTheFastPathAndByTheTree(@TempDir Path dir) {
    RunReport big = withRows(i -> i % 3 == 0 ? null : AWKWARD.get(i % AWKWARD.size()));
    assertThat(ScannedReport.scan(big, scanner, false).rows().committedAt()).isNotNull();
    assertSameByBothPaths(big, dir, true);
  }

  @Test
  void rowsWithLineBreaksAreLeftToTheMapperAndStillTheSameText(@TempDir Path dir) {
    RunReport big = withRows(i -> switch (i % 5) {
      case 0 -> "first line\nsecond line";
      case 1 -> "carriage\rreturn";
      case 2 -> "line\u2028separator and paragraph\u2029separator and \u0085next line";
      case 3 -> AWKWARD.get(i % AWKWARD.size());
      default -> null;
    });
    assertSameByBothPaths(big, dir, false);
  }

  @Test
  void aSecretPlantedInEachFieldOfARowIsMaskedAsBefore(@TempDir Path dir) {
    // the configured secret as a row's text, inside its text, and as its index, line and duration
    SecretScanner withNumbers = scanner.withSecret("a numeric secret", "73519");
    RunReport big = withRows(i -> switch (i) {
      case 4_000 -> "env-Secret-Value-42";
      case 4_001 -> "alter role app password 'Tr0ub4dor&3-horse'";
      case 4_002 -> "select 'postgresql://deploy:conn-Pw-4002@db/x', \"env-Secret-Value-42\"";
      case 4_003 -> "comment on table t is 'api_key: Zq8-unlisted-key'";
      default -> "create table bench.t" + i + " (id bigint)";
    });
    List<StatementTiming> ran = new ArrayList<>(big.statements().ran());
    ran.set(9_000, new StatementTiming(73_519, 73_519, "create table bench.t73519 ()", 73_519));
    big = big.withStatements(new StatementTimings(ran, 73_519L));
    // secrets before the statements (a gate's message) and after (the next action), of other kinds
    List<GateResult> gates = new ArrayList<>(big.gates());
    GateResult g = gates.get(0);
    gates.set(0, new GateResult(g.gate(), g.status(), g.expected(), g.actual(),
        "reached as postgresql://admin:gate-Pw-9@db/x", g.checks(), g.cause(), g.durationMs()));
    big = new RunReport(big.runId(), big.mode(), big.pkg(), big.target(), big.verdict(), big.exitCode(),
        big.productionChanged(), gates, big.backup(), big.apply(), big.verification(), big.rollback(),
        big.rootCause(), big.remediation(), big.nextAction(), big.started(), big.finished(), big.applySettings())
        .withStatements(big.statements())
        .withDiagnosis(big.rootCause(), big.remediation(), "rotate the token ghp_" + "a".repeat(36));

    ReportWriter.Rendered fast = new ReportWriter(dir, withNumbers).render(big);
    ScannedReport tree = ScannedReport.scanWithRowsInTree(big, withNumbers, false);
    assertThat(fast.scanned().rows()).isNotNull();
    assertThat(tree.rows()).isNull();
    assertThat(fast.yamlText()).isEqualTo(withNumbers.mask(ReportCodec.yaml(tree)));
    assertThat(fast.markdownText()).isEqualTo(withNumbers.mask(ReportRenderer.markdown(tree)));
    assertThat(fast.scanned().secretsRecorded()).isEqualTo(tree.secretsRecorded())
        .isEqualTo("masked: 8 (connection password, the run's password, SQL password, API key, a numeric secret, access token)");
    for (String secret : List.of("env-Secret-Value-42", "Tr0ub4dor", "conn-Pw-4002", "Zq8-unlisted-key", "gate-Pw-9",
        "73519", "ghp_aaaa")) {
      assertThat(fast.yamlText()).doesNotContain(secret);
      assertThat(fast.markdownText()).doesNotContain(secret);
      assertThat(withNumbers.mask(ReportCodec.json(fast.scanned()))).doesNotContain(secret);
    }
    assertThat(fast.yamlText()).contains("    - index: 4000\n      line: 8000\n      text: '****'\n")
        .contains("    - index: ****\n      line: ****\n      text: create table bench.t**** ()\n      duration_ms: ****\n");
    assertThat(fast.scanned().report().statements().ran().get(3_999).text()).isEqualTo("****");
    assertThat(ReportCodec.json(fast.scanned())).isEqualTo(ReportCodec.json(tree));
  }

  @Test
  void aSecretThatIsARowsKeyTakesTheTreesPathAndIsMaskedTheSame(@TempDir Path dir) {
    SecretScanner keyed = scanner.withSecret("a secret spelt as a key", "duration_ms");
    RunReport big = withRows(i -> AWKWARD.get(i % AWKWARD.size()));
    ScannedReport scanned = ScannedReport.scan(big, keyed, false);
    assertThat(scanned.rows()).isNull();
    ReportWriter.Rendered r = new ReportWriter(dir, keyed).render(big);
    assertThat(r.yamlText()).doesNotContain("duration_ms").contains("      line: 20000\n      text: ").contains("      '****': 6\n");
    assertThat(r.scanned().secretsRecorded()).endsWith("(a secret spelt as a key)");
    assertSameByBothPaths(big, keyed, dir, false);
  }

  @Test
  void rowValuesQuotedInAStatementTextAreMaskedOnBothPathsAndKeptWithShowValues(@TempDir Path dir) {
    RunReport big = withRows(i -> i == 10 ? "Key (card)=(4111111111111111) already exists." : "select " + i);
    for (boolean show : List.of(false, true)) {
      ScannedReport fast = ScannedReport.scan(big, scanner, show);
      ScannedReport tree = ScannedReport.scanWithRowsInTree(big, scanner, show);
      assertThat(fast.rows()).isNotNull();
      assertThat(ReportCodec.yaml(fast)).isEqualTo(ReportCodec.yaml(tree));
      assertThat(fast.report()).isEqualTo(tree.report());
      assertThat(fast.report().statements().ran().get(9).text())
          .isEqualTo(tree.report().statements().ran().get(9).text());
    }
  }

  /** The two paths give the same YAML, Markdown, JSON, tree, read-back report and scan record. */
  private void assertSameByBothPaths(RunReport big, Path dir, boolean fastLayout) {
    assertSameByBothPaths(big, scanner, dir, fastLayout);
  }

  private static void assertSameByBothPaths(RunReport big, SecretScanner scanner, Path dir, boolean fastLayout) {
    ScannedReport fast = ScannedReport.scan(big, scanner, false);
    ScannedReport tree = ScannedReport.scanWithRowsInTree(big, scanner, false);
    assertThat(tree.rows()).isNull();
    if (fast.rows() != null) {
      if (fast.rows().committedAt() != null) {
        assertThat(fast.rows().committed()).isEqualTo(big.apply().committedStatements()).hasSize(10_000);
        assertThat(fast.layoutTree().at("/apply/committed_statements").isEmpty()).isTrue();
      }
      assertThat(fast.layoutTree()).isNotEqualTo(fast.treeToRead());
      assertThat(BlockYaml.write(fast.layoutTree(), ReportCodec.mapper(), fast.rows()) != null).isEqualTo(fastLayout);
    }
    String yaml = ReportCodec.yaml(tree);
    assertThat(ReportCodec.yaml(fast)).isEqualTo(yaml).isEqualTo(ReportCodec.yamlByMapper(tree.treeToRead()));
    assertThat(fast.treeToRead()).isEqualTo(tree.treeToRead());
    assertThat(fast.tree()).isEqualTo(tree.tree());
    assertThat(ReportCodec.json(fast)).isEqualTo(ReportCodec.json(tree));
    assertThat(ReportCodec.summaryJson(new WrittenReport(null, null, "sha", fast), scanner))
        .isEqualTo(ReportCodec.summaryJson(new WrittenReport(null, null, "sha", tree), scanner));
    assertThat(fast.report()).isEqualTo(tree.report());
    assertThat(fast.secretsRecorded()).isEqualTo(tree.secretsRecorded());
    assertThat(ReportRenderer.markdown(fast)).isEqualTo(ReportRenderer.markdown(tree));
    ReportWriter.Rendered r = new ReportWriter(dir, scanner).render(big);
    assertThat(r.yamlText()).isEqualTo(scanner.mask(yaml));
    // and the file reads back to the same report, by either path
    assertThat(ReportCodec.parseYaml(r.yamlText())).isEqualTo(ReportCodec.parseYaml(scanner.mask(yaml)));
  }

  @Test
  void committedStatementsWithANullOrNoneStayInTheTreeAndAreTheSameText(@TempDir Path dir) {
    RunReport big = withRows(i -> "select " + i);
    List<Integer> withNull = new ArrayList<>(big.apply().committedStatements());
    withNull.set(5, null);
    for (List<Integer> committed : java.util.Arrays.asList(withNull, List.<Integer>of(), null)) {
      RunReport r = big.withApply(StatementRows.withCommitted(big.apply(), committed));
      ScannedReport fast = ScannedReport.scan(r, scanner, false);
      assertThat(fast.rows()).isNotNull();
      assertThat(fast.rows().committedAt()).isNull();
      assertSameByBothPaths(r, dir, true);
    }
    assertThat(ReportCodec.yaml(ScannedReport.scan(big.withApply(StatementRows.withCommitted(big.apply(), withNull)),
        scanner, false))).contains("\n    - 5\n    - null\n    - 7\n");
  }

  /** A timed report of 10,000 rows, row {@code i}'s text {@code text.apply(i)} (null: not kept), and as many committed. */
  private static RunReport withRows(IntFunction<String> text) {
    List<StatementTiming> ran = new ArrayList<>();
    List<Integer> committed = new ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      ran.add(new StatementTiming(i, 2 * i, text.apply(i), i % 7));
      committed.add(i);
    }
    RunReport timed = TimingsReportTest.timed();
    return timed.withApply(StatementRows.withCommitted(timed.apply(), committed))
        .withStatements(new StatementTimings(ran, 1234L));
  }
}
