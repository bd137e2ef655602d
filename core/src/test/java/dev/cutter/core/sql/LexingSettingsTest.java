package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LexingSettingsTest {

  @Test
  void aBackslashInAPlainStringOrAQuoteEscapedInAnEStringOrUAmpersandDepends() {
    for (String t : new String[] {"select 'a\\b';", "select '\\';", "select N'a\\b';", "select x'1\\';",
        "select 1 as thee'a\\b';", "select E'it\\'s';", "select E'a\\\\', 'b\\';", "select U&'d\\0061t';",
        "select U&'data';", "select u&'x';", "select E'a' /* c */, text 'b\\c';", "select 'a''\\';"}) {
      assertThat(LexingSettings.matter(t, Boolean.TRUE)).as(t).isTrue();
      assertThat(StatementClassifier.readsOtherwiseUnderOtherSettings(t)).as(t).isTrue();
    }
  }

  @Test
  void backslashesThatReadTheSameUnderEverySettingDoNot() {
    for (String t : new String[] {"select E'a\\nb';", "select E'a\\\\', 'b';", "select e'\\\\\\\\';",
        "select E'it''s \\\\ quoted';", "select 1 /* a \\' b /* nested \\ */ still */;", "select 1; -- \\'",
        "select $$a\\'b$$;", "select $t$ 'a\\b' $t$;", "select 1 as \"a\\b\";", "select 1 as U&\"d\\0061t\";",
        "select 1 & 3;", "select 'plain';", "select E'x\\t' || E'y\\\\';"}) {
      assertThat(LexingSettings.matter(t, Boolean.TRUE)).as(t).isFalse();
      assertThat(StatementClassifier.readsOtherwiseUnderOtherSettings(t)).as(t).isFalse();
    }
  }

  @Test
  void aBackslashAfterACharacterBeyondAsciiDependsOnTheClientEncoding() {
    // SJIS reads the last byte of Á (C3 81) and the backslash as one character: the string goes on
    assertThat(LexingSettings.matter("select E'\u00c1\\\\', '; drop table t; --';", Boolean.TRUE)).isTrue();
    assertThat(LexingSettings.matter("select $$\u00e9\\$$;", Boolean.TRUE)).isTrue();
    assertThat(LexingSettings.matter("select '\u00e9', E'a\\\\';", Boolean.TRUE)).isTrue();
    assertThat(LexingSettings.matter("select E'a\\\\', '\u00e9';", Boolean.TRUE)).as("ASCII up to the backslash").isFalse();
    assertThat(LexingSettings.matter("select E'a\\\\';", Boolean.TRUE)).as("ASCII only").isFalse();
    assertThat(LexingSettings.matter("select '\u00e9';", Boolean.TRUE)).as("no backslash").isFalse();
  }

  @Test
  void splitWithTheSettingOffOrBothWaysAnyBackslashDepends() {
    assertThat(LexingSettings.matter("select E'a\\nb';", Boolean.FALSE)).isTrue();
    assertThat(LexingSettings.matter("select $$a\\b$$;", null)).isTrue();
    assertThat(LexingSettings.matter("select 'ab';", Boolean.FALSE)).isFalse();
    assertThat(LexingSettings.matter("select U&'ab';", Boolean.FALSE)).isTrue();
  }

  @Test
  void theSplitterRecordsTheSettingItLexedEachStatementWith() {
    String script = "select 'a\\b';\n"
        + "set standard_conforming_strings = off;\n"
        + "select 'c\\'d';\n"
        + "select 1; reset standard_conforming_strings; select 'e\n"
        + "f';\n"
        + "select 'g\\h';\n";
    List<SqlStatement> s = SqlSplitter.split("s.sql", script).statements();
    assertThat(s).extracting(SqlStatement::standardConformingStrings)
        .containsExactly(true, true, false, false, false, null, true);
    assertThat(s).extracting(SqlStatement::readingDependsOnSettings)
        .containsExactly(true, false, true, false, false, false, true);
    assertThat(s.get(2).text()).isEqualTo("select 'c\\'d';");
  }
}
