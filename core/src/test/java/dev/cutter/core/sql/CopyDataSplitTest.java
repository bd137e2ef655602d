package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inline data of {@code COPY … FROM STDIN} (psql-semantics rule 16): the lines after the
 * statement's line up to and including one that is exactly {@code \.}, every byte kept as psql 15
 * sends it; never part of a statement's text.
 */
class CopyDataSplitTest {

  private static List<SqlStatement> split(String sql) {
    SplitResult r = SqlSplitter.split("t.sql", sql);
    assertThat(r.problems()).isEmpty();
    return r.statements();
  }

  private static CopyData data(String sql) {
    List<SqlStatement> s = split(sql);
    assertThat(s.get(0).kind()).isEqualTo(StatementKind.COPY_FROM_STDIN);
    return s.get(0).copyData();
  }

  @Test
  void keepsTabsBackslashesAndNullMarkersByteForByte() {
    String rows = "1\t\\N\t\\\\N\ta\\tb\\\\c\n2\t\t\\x41\\101\\n\n\\.\n";
    List<SqlStatement> s = split("copy t (a, b, c, d) from stdin;\n" + rows + "select 2;\n");
    assertThat(s).extracting(SqlStatement::kind).containsExactly(StatementKind.COPY_FROM_STDIN, StatementKind.SQL);
    assertThat(s.get(0).text()).isEqualTo("copy t (a, b, c, d) from stdin;");
    assertThat(s.get(0).copyData()).isEqualTo(new CopyData(2, 4, true, rows));
    assertThat(s.get(1).text()).isEqualTo("select 2;");
    assertThat(s.get(1).startLine()).isEqualTo(5);
    assertThat(s.get(1).copyData()).isNull();
  }

  @Test
  void onlyALineThatIsExactlyBackslashDotEndsTheData() {
    // \\. is an escaped backslash then a dot; " \." and "\. " and "\.x" are data too
    String rows = "\\\\.\n \\.\n\\. \n\\.x\na\\.\n";
    CopyData d = data("copy t from stdin;\n" + rows + "\\.\nselect 1;");
    assertThat(d.text()).isEqualTo(rows + "\\.\n");
    assertThat(d.startLine()).isEqualTo(2);
    assertThat(d.endLine()).isEqualTo(7);
    assertThat(d.endMarker()).isTrue();
  }

  @Test
  void emptyLinesAndSemicolonsAndQuotesInsideTheDataAreData() {
    String rows = "\n'x\n/* not a comment\n$$ ; $$;\n-- nor this\n\n\\.\n";
    List<SqlStatement> s = split("copy t from stdin with (format csv);\n" + rows + "\nselect 3;\n");
    assertThat(s).hasSize(2);
    assertThat(s.get(0).copyData().text()).isEqualTo(rows);
    assertThat(s.get(0).copyData().lines()).isEqualTo(7);
    assertThat(s.get(1).text()).isEqualTo("select 3;");
    assertThat(s.get(1).startLine()).isEqualTo(10);
  }

  @Test
  void crlfLinesAreKeptAndBackslashDotCrlfEndsTheData() {
    String rows = "1\tone\r\n2\ttwo\r\n\\.\r\n";
    List<SqlStatement> s = split("copy t from stdin;\r\n" + rows + "select 1;\r\n");
    assertThat(s.get(0).copyData()).isEqualTo(new CopyData(2, 4, true, rows));
    assertThat(s.get(1).text()).isEqualTo("select 1;");
    // a lone carriage return before the dot, or two, is data
    assertThat(data("copy t from stdin;\n\\.\r\r\n\\.\n").text()).isEqualTo("\\.\r\r\n\\.\n");
  }

  @Test
  void dataRunsToTheEndOfTheFileWithoutBackslashDot() {
    // psql reads to the end of the file and ends the COPY there: every row is loaded
    CopyData d = data("copy t from stdin;\n1\n2\n");
    assertThat(d).isEqualTo(new CopyData(2, 3, false, "1\n2\n"));
    CopyData unterminatedLine = data("copy t from stdin;\n1\n2");
    assertThat(unterminatedLine).isEqualTo(new CopyData(2, 3, false, "1\n2"));
    // a last \. without a newline is not psql's end marker, though it sends the same bytes
    assertThat(data("copy t from stdin;\n1\n\\.")).isEqualTo(new CopyData(2, 3, false, "1\n\\."));
  }

  @Test
  void aCopyAtTheEndOfTheFileHasNoData() {
    assertThat(data("copy t from stdin;")).isEqualTo(new CopyData(2, 1, false, ""));
    assertThat(data("copy t from stdin;\n")).isEqualTo(new CopyData(2, 1, false, ""));
    assertThat(data("copy t from stdin;\n").lines()).isZero();
    assertThat(data("copy t from stdin")).isEqualTo(new CopyData(2, 1, false, ""));
  }

  @Test
  void twoCopiesOnOneLineReadTheirDataInTurn() {
    List<SqlStatement> s = split("copy a from stdin; select 1; copy b from stdin;\n1\n\\.\n2\n\\.\nselect 2;\n");
    assertThat(s).extracting(SqlStatement::text)
        .containsExactly("copy a from stdin;", "select 1;", "copy b from stdin;", "select 2;");
    assertThat(s.get(0).copyData()).isEqualTo(new CopyData(2, 3, true, "1\n\\.\n"));
    assertThat(s.get(2).copyData()).isEqualTo(new CopyData(4, 5, true, "2\n\\.\n"));
    assertThat(s.get(3).startLine()).isEqualTo(6);
  }

  @Test
  void aStatementGoingOnAfterTheCopyOnItsLineSkipsTheData() {
    // psql reads the data as soon as it sends the COPY; the rest of the line, and a string left
    // open on it, go on after the data
    List<SqlStatement> s = split("copy t from stdin; select 'a\n1\n\\.\nb' as x;\n");
    assertThat(s).extracting(SqlStatement::text).containsExactly("copy t from stdin;", "select 'a\nb' as x;");
    assertThat(s.get(0).copyData().text()).isEqualTo("1\n\\.\n");
    List<SqlStatement> open = split("copy t from stdin; select\n1\n\\.\n\n2;\n");
    assertThat(open).extracting(SqlStatement::text).containsExactly("copy t from stdin;", "select\n2;");
  }

  @Test
  void copyDataIsNotPartOfAnyStatementText() {
    String secret = "4111111111111111\tpassword=hunter2";
    List<SqlStatement> s = split("create table t (a text, b text);\ncopy t from stdin;\n" + secret + "\n\\.\ncommit;\n");
    assertThat(s).allSatisfy(x -> assertThat(x.text()).doesNotContain("4111", "hunter2"));
    assertThat(s.get(1).toString()).doesNotContain("4111", "hunter2");
    assertThat(SqlListing.text(s) + SqlListing.json(s)).doesNotContain("4111", "hunter2");
  }

  @Test
  void randomScriptsMixingCopyDataWithQuotesAndCommentsAlwaysSplit() {
    String[] fragments = {"copy t from stdin;", "copy t from stdin", "\n", "\n\n", "\\.\n", "\\.\r\n", "1\t\\N\n", "'",
        "$$", "/*", "*/", "--", ";", "select ", "E'\\", "\r\n", "(", ")", "\\;", "\\echo x\n", "\"", "begin atomic ",
        "create function f() returns int language sql ", "end;"};
    java.util.Random r = new java.util.Random(16);
    for (int round = 0; round < 20_000; round++) {
      StringBuilder b = new StringBuilder();
      for (int k = 3 + r.nextInt(30); k > 0; k--) {
        b.append(fragments[r.nextInt(fragments.length)]);
      }
      String script = b.toString();
      SplitResult split = SqlSplitter.split("r.sql", script);
      for (SqlStatement st : split.statements()) {
        assertThat(st.copyData() != null).as(script).isEqualTo(st.kind() == StatementKind.COPY_FROM_STDIN);
        if (st.copyData() != null) {
          assertThat(script).as("the data is a piece of the script").contains(st.copyData().text());
          assertThat(st.copyData().lines()).isGreaterThanOrEqualTo(0);
        }
      }
    }
  }

  @Test
  void copyToStdoutAndFromAFileHaveNoData() {
    List<SqlStatement> s = split("copy t to stdout;\n1\n\\.\n");
    assertThat(s.get(0).kind()).isEqualTo(StatementKind.SQL);
    assertThat(s.get(0).copyData()).isNull();
    // the lines after it are SQL to psql: "1", then the meta-command \. before it is sent at the end
    assertThat(s).extracting(SqlStatement::kind).containsExactly(StatementKind.SQL, StatementKind.META_COMMAND,
        StatementKind.SQL);
  }

  @Test
  void binaryCopyAndCopyJoinedByBackslashSemicolonCannotRun() {
    assertThat(SqlSplitter.split("t.sql", "copy t from stdin with (format binary);\n\\.\n").unrunnable())
        .extracting(Object::toString)
        .containsExactly("t.sql:1:1: COPY … FROM STDIN in binary format: psql would read the rest of the file as its data;"
            + " use text or CSV data ended by a \\. line");
    assertThat(SqlSplitter.split("t.sql", "\ncopy binary t from stdin;\n").unrunnable()).hasSize(1);
    assertThat(SqlSplitter.split("t.sql", "copy t from stdin (format 'binary');\n").unrunnable()).hasSize(1);
    assertThat(SqlSplitter.split("t.sql", "copy t from stdin where b = 'binary';\n1\n\\.\n").unrunnable()).isEmpty();
    assertThat(SqlSplitter.split("t.sql", "copy t from stdin (format csv);\n1\n\\.\n").unrunnable()).isEmpty();
    assertThat(SqlSplitter.split("t.sql", "copy t from stdin \\; select 1;\n1\n\\.\n").unrunnable())
        .extracting(Object::toString)
        .containsExactly("t.sql:1:1: COPY … FROM STDIN joined to other commands by \\; cannot be sent with its data;"
            + " end the COPY with ; on a line of its own");
  }

  /**
   * psql reads COPY data with fgets and strlen: the rest of a line after a NUL is lost and the next
   * line joined to it, depending on its buffer; not reproducible exactly, so refused where it stands.
   */
  @Test
  void aNulByteInCopyDataIsRefusedWithItsLineAndColumn() {
    String sql = "select 1;\ncopy t from stdin;\n1\tok\n2\tab\0cd\n3\t\0\n\\.\nselect 2;\n";
    SplitResult r = SqlSplitter.split("t.sql", sql);

    assertThat(r.problems()).containsExactly(new dev.cutter.core.Diagnostic("t.sql", 4, 5, SqlSplitter.NUL_IN_COPY_DATA));
    assertThat(r.problems().get(0).toString()).isEqualTo("t.sql:4:5: a NUL byte in COPY … FROM STDIN data: psql would"
        + " send the line only up to it, drop the rest and join the next line to it; remove it");
    assertThat(r.statements()).extracting(SqlStatement::text).containsExactly("select 1;", "copy t from stdin;", "select 2;");
    assertThat(SqlSplitter.split("t.sql", "select 'a\0b';\n").problems()).as("outside COPY data: not this rule")
        .containsExactly(new dev.cutter.core.Diagnostic("t.sql", 1, 10, SqlSplitter.NUL_IN_SCRIPT));
  }

  /**
   * Outside COPY data psql reads the script with fgets and strlen too: a line runs only up to its
   * NUL, so what would run is not the text that was signed. Refused where it stands, once a line,
   * in a literal, a comment or between statements alike; a NUL in COPY data keeps its own rule.
   */
  @Test
  void aNulByteOutsideCopyDataIsRefusedWhereItStands() {
    String sql = "select 1;\0 drop table t;\n-- note \0\0\ncopy t from stdin;\na\0b\n\\.\nselect $$x\0$$;\n";
    SplitResult r = SqlSplitter.split("t.sql", sql);

    assertThat(r.problems()).containsExactly(
        new dev.cutter.core.Diagnostic("t.sql", 1, 10, SqlSplitter.NUL_IN_SCRIPT),
        new dev.cutter.core.Diagnostic("t.sql", 2, 9, SqlSplitter.NUL_IN_SCRIPT),
        new dev.cutter.core.Diagnostic("t.sql", 4, 2, SqlSplitter.NUL_IN_COPY_DATA),
        new dev.cutter.core.Diagnostic("t.sql", 6, 11, SqlSplitter.NUL_IN_SCRIPT));
    assertThat(r.problems().get(0).toString())
        .isEqualTo("t.sql:1:10: a NUL byte: psql would read this line only up to it and drop the rest; remove it");
  }

  /**
   * psql's {@code \g} with nothing pending sends the previous statement again; a COPY … FROM STDIN
   * then reads its data from the script as after a {@code ;}: from the line after the {@code \g}.
   */
  @Test
  void aCopySentAgainByBackslashGReadsTheDataAfterIt() {
    List<SqlStatement> s = split("copy t from stdin;\n1\n\\.\n\\g\n2\n3\n\\.\n\\gx\n\\.\nselect 1;\n");

    assertThat(s).extracting(SqlStatement::kind).containsExactly(StatementKind.COPY_FROM_STDIN,
        StatementKind.COPY_FROM_STDIN, StatementKind.META_COMMAND, StatementKind.COPY_FROM_STDIN,
        StatementKind.META_COMMAND, StatementKind.SQL);
    assertThat(s.get(0).copyData()).isEqualTo(new CopyData(2, 3, true, "1\n\\.\n"));
    assertThat(s.get(1).text()).isEqualTo("copy t from stdin;");
    assertThat(s.get(1).copyData()).isEqualTo(new CopyData(5, 7, true, "2\n3\n\\.\n"));
    assertThat(s.get(3).copyData()).isEqualTo(new CopyData(9, 9, true, "\\.\n"));
    assertThat(s.get(5).startLine()).isEqualTo(10);
  }

  @Test
  void aCopySentByAMetaCommandThatDoesNotLoadItsDataIsRefused() {
    SplitResult r = SqlSplitter.split("t.sql", "copy t from stdin;\n1\n\\.\n  \\gdesc\ncopy t from stdin \\gset\n");

    assertThat(r.problems()).extracting(Object::toString).containsExactly(
        "t.sql:4:3: COPY … FROM STDIN sent by \\gdesc: psql would not load its data as after ; or \\g (\\gdesc does not"
            + " run it, \\watch refuses COPY, the others expect rows); end it with ; and its data",
        "t.sql:5:19: COPY … FROM STDIN sent by \\gset: psql would not load its data as after ; or \\g (\\gdesc does not"
            + " run it, \\watch refuses COPY, the others expect rows); end it with ; and its data");
    assertThat(r.statements().get(1).copyData()).isNull();
  }
}
