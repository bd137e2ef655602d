package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatementTimingsTest {

  @Test
  void keepsTheFirstLineThatIsNotACommentOrBlank() {
    assertThat(StatementTimings.firstLine("\n  -- add the column\n  alter table t\n    add column c int"))
        .isEqualTo("alter table t");
  }

  @Test
  void cutsALongLineBeforeAQuoteItWouldSplit() {
    String sql = "alter role app with login password '" + "s3cr3t-".repeat(30) + "'";
    String kept = StatementTimings.firstLine(sql);
    assertThat(kept).as("no part of the literal").isEqualTo("alter role app with login password …");
  }

  @Test
  void cutsBeforeAnEscapeStringAndADollarQuote() {
    assertThat(StatementTimings.firstLine("select " + "x, ".repeat(20) + "E'" + "a".repeat(200) + "'"))
        .isEqualTo("select " + "x, ".repeat(20).stripTrailing() + " …");
    assertThat(StatementTimings.firstLine("do $body$ begin " + "perform 1; ".repeat(30) + "end $body$"))
        .isEqualTo("do …");
  }

  @Test
  void cutsAtTheLimitOutsideQuotes() {
    String kept = StatementTimings.firstLine("select 'short', " + "col, ".repeat(50) + "1");
    assertThat(kept).hasSize(StatementTimings.TEXT_LIMIT + 2).startsWith("select 'short', col,").endsWith(" …");
  }

  @Test
  void slowestFirstTiesInStatementOrder() {
    StatementTimings t = new StatementTimings(List.of(new StatementTiming(1, 1, "a", 5), new StatementTiming(2, 2, "b", 9),
        new StatementTiming(3, 3, "c", 5)), 20L);
    assertThat(t.slowest(2)).extracting(StatementTiming::index).containsExactly(2, 1);
  }

  @Test
  void aLongChangeKeepsTheTextOfItsSlowestAndLastStatementsOnly() {
    List<StatementTiming> ran = new java.util.ArrayList<>();
    for (int i = 1; i <= 999; i++) {
      ran.add(new StatementTiming(i, i, "select " + i, i % 10 == 0 ? 50 : 1));
    }
    List<StatementTiming> kept = StatementTimings.keepTexts(ran);
    assertThat(kept).hasSize(999).extracting(StatementTiming::durationMs)
        .containsExactlyElementsOf(ran.stream().map(StatementTiming::durationMs).toList());
    assertThat(kept.stream().filter(s -> s.text() != null).map(StatementTiming::index).toList())
        .as("the 99 slow ones, the first 101 of the rest, and the last")
        .hasSize(StatementTimings.TEXTS_KEPT + 1).contains(10, 990, 999, 1, 112).doesNotContain(113, 998);
    assertThat(StatementTimings.keepTexts(ran.subList(0, 200))).allMatch(s -> s.text() != null);
  }
}
