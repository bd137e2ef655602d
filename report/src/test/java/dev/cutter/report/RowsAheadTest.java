package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statement rows made ready ahead ({@link RowsAhead}) give the report the same bytes as the
 * report's own scan and layout: the YAML, its sha256, the Markdown, the JSON, the summary, the
 * read-back report and {@code secrets_recorded} (the same {@code masked: N (…)}, in the same
 * order); and rows made for anything else than the report's own (other rows, a scanner that
 * masks otherwise, other {@code show_values}) are not taken.
 */
class RowsAheadTest {

  private static final String KNOWN = "env-Secret-Value-42";

  private final SecretScanner scanner = SampleReports.scanner().withSecret("the run's password", KNOWN);

  @Test
  void tenThousandRowsOfAwkwardTextsAreTheSameBytesAhead(@TempDir Path dir) {
    List<String> texts = List.of("create table bench.t (id bigint primary key)", "plain_identifier",
        "comment on table t is 'it''s \"quoted\" here'", "select \"Ünïcödé\", '日本語', '😀'",
        "select 1 -- \u202eevil\u202c and zero\u200bwidth", "x".repeat(5_000), "key: value # not a comment",
        "- item", "* alias? & anchor! {flow} [seq] | > % @ `", "null", "Yes", "12345", "", "  padded  ",
        "tab\there \\ and \\n", "\u0007bell and \u007fdelete", "'quoted'", "ends with a colon:", "#hash", "~");
    RunReport big = withRows(i -> i % 3 == 0 ? null : texts.get(i % texts.size()));
    ReportWriter.Rendered ahead = assertSameAhead(big, scanner, false, dir);
    assertThat(ahead.scanned().rows().block()).isNotNull();
    assertThat(ahead.scanned().rows().committedBlock()).isNotNull();
  }

  @Test
  void aSecretInAStatementsTextIsMaskedTheSameAhead(@TempDir Path dir) {
    SecretScanner withNumbers = scanner.withSecret("a numeric secret", "73519");
    RunReport big = withRows(i -> switch (i) {
      case 17 -> KNOWN;
      case 4_001 -> "alter role app password 'Tr0ub4dor&3-horse'";
      case 4_002 -> "select 'postgresql://deploy:conn-Pw-4002@db/x', \"" + KNOWN.toUpperCase() + "\"";
      case 4_003 -> "comment on table t is 'api_key: Zq8-unlisted-key'";
      case 9_999 -> "create table bench.t73519 ()";
      default -> "create table bench.t" + i + " (id bigint)";
    });
    ReportWriter.Rendered r = assertSameAhead(big, withNumbers, false, dir);
    assertThat(r.scanned().rows().block()).isNotNull();
    assertThat(r.scanned().secretsRecorded())
        .isEqualTo("masked: 6 (the run's password, SQL password, connection password, API key, a numeric secret)");
    for (String secret : List.of(KNOWN, KNOWN.toUpperCase(), "Tr0ub4dor", "conn-Pw-4002", "Zq8-unlisted-key", "73519")) {
      assertThat(r.yamlText()).doesNotContain(secret);
      assertThat(r.markdownText()).doesNotContain(secret);
      assertThat(ReportCodec.json(r.scanned())).doesNotContain(secret);
    }
    assertThat(r.yamlText()).contains("    - index: 17\n      line: 34\n      text: '****'\n");
  }

  @Test
  void rowValuesInATextAreMaskedTheSameAheadAndKeptWithShowValues(@TempDir Path dir) {
    RunReport big = withRows(i -> i == 10 ? "Key (card)=(4111111111111111) already exists." : "select " + i);
    for (boolean show : List.of(false, true)) {
      assertThat(assertSameAhead(big, scanner, show, dir).scanned().rows().block()).isNotNull();
    }
  }

  @Test
  void rowsWithLineBreaksAreLeftToTheMapperAhead(@TempDir Path dir) {
    RunReport big = withRows(i -> i % 2 == 0 ? "first line\nsecond line" : "select " + i);
    assertThat(RowsAhead.rows(big.statements().ran(), null, scanner, false).block()).isNull();
    assertSameAhead(big, scanner, false, dir);
  }

  @Test
  void rowsMadeForOtherRowsAScannerThatMasksOtherwiseOrOtherShowValuesAreNotTaken(@TempDir Path dir) {
    RunReport big = withRows(i -> i == 20 ? "select '" + KNOWN + "'" : "select " + i);
    StatementTimings st = big.statements();
    List<Integer> committed = big.apply().committedStatements();
    // the rows of the whole package, where the apply failed at 6,000: only the rows that ran are reported
    List<StatementTiming> failedAt = st.ran().subList(0, 6_000);
    RunReport failed = big.withStatements(new StatementTimings(failedAt, st.locksHeldMs()))
        .withApply(StatementRows.withCommitted(big.apply(), List.of()));
    RowsAhead whole = RowsAhead.start(st, committed, () -> scanner, false);
    assertThat(whole.rowsFor(failedAt, scanner, false)).isNull();
    assertThat(render(failed, scanner, false, whole, dir)).isEqualTo(render(failed, scanner, false, null, dir));
    // a scanner that does not know the run's password: not taken, the secret masked by the report's own scan
    RowsAhead unknowing = RowsAhead.start(st, committed, SampleReports::scanner, false);
    assertThat(unknowing.rowsFor(st.ran(), scanner, false)).isNull();
    ReportWriter.Rendered r = new ReportWriter(dir, scanner).render(big, unknowing);
    assertThat(r.yamlText()).doesNotContain(KNOWN).contains("text: select '****'");
    assertThat(r.scanned().rows().block()).isNull();
    assertThat(render(big, scanner, false, unknowing, dir)).isEqualTo(render(big, scanner, false, null, dir));
    // other show_values
    assertThat(RowsAhead.start(st, committed, () -> scanner, true).rowsFor(st.ran(), scanner, false)).isNull();
    // other committed statements: the rows taken, the numbers written by the report
    RowsAhead otherCommitted = RowsAhead.start(st, committed.subList(0, 10), () -> scanner, false);
    ReportWriter.Rendered oc = new ReportWriter(dir, scanner).render(big, otherCommitted);
    assertThat(oc.scanned().rows().block()).isNotNull();
    assertThat(oc.scanned().rows().committedBlock()).isNull();
    assertThat(render(big, scanner, false, otherCommitted, dir)).isEqualTo(render(big, scanner, false, null, dir));
  }

  @Test
  void aFailedWorkIsDoneAgainByTheReport(@TempDir Path dir) {
    RunReport big = withRows(i -> "select " + i);
    RowsAhead failing = RowsAhead.start(big.statements(), big.apply().committedStatements(), () -> {
      throw new IllegalStateException("made to fail");
    }, false);
    assertThat(failing.rowsFor(big.statements().ran(), scanner, false)).isNull();
    assertThat(render(big, scanner, false, failing, dir)).isEqualTo(render(big, scanner, false, null, dir));
  }

  @Test
  void rowsAreTheSameOnlyWhenEveryFieldIs() {
    List<StatementTiming> rows = List.of(new StatementTiming(1, 2, "x", 3), new StatementTiming(2, 4, null, 5));
    assertThat(RowsAhead.same(rows, new ArrayList<>(rows))).isTrue();
    for (StatementTiming other : List.of(new StatementTiming(9, 4, null, 5), new StatementTiming(2, 9, null, 5),
        new StatementTiming(2, 4, "y", 5), new StatementTiming(2, 4, null, 9))) {
      assertThat(RowsAhead.same(rows, List.of(rows.get(0), other))).isFalse();
    }
    assertThat(RowsAhead.same(rows, rows.subList(0, 1))).isFalse();
  }

  /** {@code big} rendered with rows made ahead for it, and without: every output the same; the one with rows ahead. */
  private static ReportWriter.Rendered assertSameAhead(RunReport big, SecretScanner scanner, boolean show, Path dir) {
    RowsAhead ahead = RowsAhead.start(big.statements(), big.apply().committedStatements(), () -> scanner, show);
    assertThat(ahead.rowsFor(big.statements().ran(), scanner, show)).isNotNull();
    assertThat(render(big, scanner, show, ahead, dir)).isEqualTo(render(big, scanner, show, null, dir));
    return new ReportWriter(dir, scanner, show).render(big, ahead);
  }

  /** Everything a report gives from its rendering: YAML, sha256, Markdown, JSON, summary, the scan's record, the report. */
  private static List<Object> render(RunReport big, SecretScanner scanner, boolean show, RowsAhead ahead, Path dir) {
    ReportWriter.Rendered r = new ReportWriter(dir, scanner, show).render(big, ahead);
    ScannedReport s = r.scanned();
    return List.of(r.yamlText(), r.yamlSha256(), r.markdownText(), ReportCodec.json(s),
        ReportCodec.summaryJson(new WrittenReport(null, null, r.yamlSha256(), s), scanner), s.secretsRecorded(),
        s.report(), ReportCodec.parseYaml(r.yamlText()));
  }

  /** A timed report of 10,000 rows, row {@code i}'s text {@code text.apply(i)} (null: not kept), all committed. */
  private static RunReport withRows(IntFunction<String> text) {
    List<StatementTiming> ran = new ArrayList<>();
    List<Integer> committed = new ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      ran.add(new StatementTiming(i, 2 * i, text.apply(i), (i * 31L) % 97));
      committed.add(i);
    }
    RunReport timed = TimingsReportTest.timed();
    return timed.withApply(StatementRows.withCommitted(timed.apply(), committed))
        .withStatements(new StatementTimings(ran, 4321L));
  }
}
