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
  void keepsNoLiteralNoDollarQuoteBodyAndNoComment() {
    assertThat(StatementTimings.firstLine("alter role app with login password '" + "s3cr3t-".repeat(30) + "'"))
        .isEqualTo("alter role app with login password '…'");
    assertThat(StatementTimings.firstLine("DO $$ BEGIN EXECUTE 'ALTER ROLE r PASSWORD ''Pw-5521'''; END $$;"))
        .as("a password in a DO body's doubled quotes").isEqualTo("DO $$…$$;");
    assertThat(StatementTimings.firstLine("insert into cards values ('4111 1111 1111 1111', E'it''s', $q$x$q$, 7)"))
        .isEqualTo("insert into cards values ('…', E'…', $q$…$q$, 7)");
    assertThat(StatementTimings.firstLine("update t set \"it's\" = $1, a$b = 2 /* 'why' */ where x = 'y' -- 'note'"))
        .as("quoted names, parameters and $ in names stay").isEqualTo("update t set \"it's\" = $1, a$b = 2   where x = '…'");
    assertThat(StatementTimings.firstLine("create function f() returns int as $body$\n select 1;\n$body$ language sql"))
        .as("a body the line does not close").isEqualTo("create function f() returns int as $body$…$body$");
    assertThat(StatementTimings.firstLine("select 'unterminated")).isEqualTo("select '…'");
  }

  @Test
  void cutsALongLineOutsideQuotes() {
    String kept = StatementTimings.firstLine("select 'short', " + "col, ".repeat(50) + "1");
    assertThat(kept).hasSize(StatementTimings.TEXT_LIMIT + 2).startsWith("select '…', col,").endsWith(" …");
    String quoted = StatementTimings.firstLine("select " + "x".repeat(105) + ", \"" + "n".repeat(30) + "\"");
    assertThat(quoted).as("not inside a quoted name").isEqualTo("select " + "x".repeat(105) + ", …");
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
    List<String> texts = new java.util.ArrayList<>();
    for (int i = 1; i <= 999; i++) {
      ran.add(new StatementTiming(i, i, null, i % 10 == 0 ? 50 : 1));
      texts.add("-- statement " + i + "\nselect " + i);
    }
    List<StatementTiming> kept = StatementTimings.withTexts(ran, texts);
    assertThat(kept).hasSize(999).extracting(StatementTiming::durationMs)
        .containsExactlyElementsOf(ran.stream().map(StatementTiming::durationMs).toList());
    assertThat(kept.stream().filter(s -> s.text() != null).map(StatementTiming::index).toList())
        .as("the 99 slow ones, the first 101 of the rest, and the last")
        .hasSize(StatementTimings.TEXTS_KEPT + 1).contains(10, 990, 999, 1, 112).doesNotContain(113, 998);
    assertThat(kept).filteredOn(s -> s.index() == 990).extracting(StatementTiming::text).containsExactly("select 990");
    assertThat(StatementTimings.withTexts(ran.subList(0, 200), texts.subList(0, 200))).allMatch(s -> s.text() != null);
  }

  /**
   * The first line is found by a scan that stops there, not by splitting the whole text at every
   * {@code \\R}: the same line for every kind of line break, CRLF, blank and comment lines before it,
   * and texts of no break at all (the split's result is the oracle).
   */
  @Test
  void theFirstLineIsTheOneASplitAtEveryLineBreakFinds() {
    String[] breaks = {"\n", "\r\n", "\r", "\u000B", "\f", "\u0085", "\u2028", "\u2029", "\n\n", "\r\r\n"};
    String[] lines = {"", "   ", "-- a comment", "  -- indented comment ; x", "create table t (a text default 'x')",
        "select $$a;b$$, 'it''s'", "E'\\'' || x", "\t update t set a = 1 -- tail", "--", "x"};
    java.util.Random r = new java.util.Random(13);
    for (int round = 0; round < 5000; round++) {
      StringBuilder sql = new StringBuilder();
      int n = r.nextInt(5);
      for (int k = 0; k < n; k++) {
        sql.append(lines[r.nextInt(lines.length)]).append(breaks[r.nextInt(breaks.length)]);
      }
      sql.append(lines[r.nextInt(lines.length)]);
      String text = sql.toString();
      String expected = "";
      for (String l : text.split("\\R")) {
        String t = l.strip();
        if (!t.isEmpty() && !t.startsWith("--")) {
          expected = StatementTimings.withoutLiterals(t).strip();
          break;
        }
      }
      if (expected.length() > StatementTimings.TEXT_LIMIT) {
        continue; // the cut is the same code either way
      }
      assertThat(StatementTimings.firstLine(text)).as(text).isEqualTo(expected);
    }
  }

  /**
   * A quote after a backslash ends no literal in an escape string (E'O, backslash, quote, Brien'), nor in a
   * plain one while standard_conforming_strings is off; read as the end, the rest of the literal
   * (a card number, a password) was written into the report as statement text. Which reading holds
   * is not known here, so the line is given up from that literal on.
   */
  @Test
  void aQuoteEscapedByABackslashDoesNotEndTheLiteralAndLeaveItsRestInTheText() {
    assertThat(StatementTimings.firstLine("insert into cards values (E'O\\'Brien 4111111111111111', 7)"))
        .isEqualTo("insert into cards values (E'…' …");
    assertThat(StatementTimings.firstLine("alter role app password E'Tr0ub\\'4dor-horse'"))
        .isEqualTo("alter role app password E'…' …");
    assertThat(StatementTimings.firstLine("insert into t values ('C:\\', 'Pw-8812')"))
        .isEqualTo("insert into t values ('…' …");
    assertThat(StatementTimings.firstLine("insert into t values ('a\\\\', 1)")).as("a doubled backslash escapes no quote")
        .isEqualTo("insert into t values ('…', 1)");
  }

  /** Block comments nest: what stands after the first {@code *}{@code /} of a nested one is still comment. */
  @Test
  void aNestedBlockCommentIsDroppedWhole() {
    assertThat(StatementTimings.firstLine("select 1 /* a /* b */ pw: Hunter-2207 */ + 2"))
        .isEqualTo("select 1   + 2");
  }
}
