package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One case per rule of psql-semantics section 1, plus the places where the splitter follows the server. */
class SqlSplitterTest {

  private static List<String> texts(String sql) {
    return SqlSplitter.split("t.sql", sql).statements().stream().map(SqlStatement::text).toList();
  }

  private static List<SqlStatement> statements(String sql) {
    return SqlSplitter.split("t.sql", sql).statements();
  }

  @Test
  void endsStatementsAtSemicolonsKeepingTheSemicolon() {
    assertThat(texts("select 1; select 2;\nselect 3 ;")).containsExactly("select 1;", "select 2;", "select 3 ;");
  }

  @Test
  void sendsTheLastStatementWithoutSemicolonAtEndOfFile() {
    assertThat(texts("select 1;\nselect 2\n")).containsExactly("select 1;", "select 2");
    assertThat(texts("select 1;\nselect 2")).containsExactly("select 1;", "select 2");
  }

  @Test
  void dropsUtf8ByteOrderMark() {
    assertThat(texts("\uFEFFselect 1;")).containsExactly("select 1;");
  }

  @Test
  void dropsLeadingWhitespaceAndLineCommentsButKeepsThemInside() {
    assertThat(texts("  -- header ; x\n\t-- more\n  select -- inside ;\n 1; -- after ;\n"))
        .containsExactly("select -- inside ;\n 1;");
  }

  @Test
  void keepsBlockCommentsIncludingLeadingOnes() {
    assertThat(texts("/* head ; */ select 1 /* ; */;")).containsExactly("/* head ; */ select 1 /* ; */;");
  }

  @Test
  void nestsBlockComments() {
    assertThat(texts("select /* a /* b ; */ c ; */ 1; select 2;"))
        .containsExactly("select /* a /* b ; */ c ; */ 1;", "select 2;");
  }

  @Test
  void startsCommentsInsideOperatorRuns() {
    assertThat(texts("select 1+/* ; */2; select 3*-- ;\n4;")).containsExactly("select 1+/* ; */2;", "select 3*-- ;\n4;");
  }

  @Test
  void plainStringsEscapeOnlyDoubledQuotesWhenStandardConforming() {
    assertThat(texts("select 'a\\'; select 'it''s;';")).containsExactly("select 'a\\';", "select 'it''s;';");
  }

  @Test
  void plainStringsTakeBackslashEscapesWhenNotStandardConforming() {
    assertThat(SqlSplitter.split("t.sql", "select 'a\\'; b'; select 2;", false).statements())
        .extracting(SqlStatement::text).containsExactly("select 'a\\'; b';", "select 2;");
  }

  @Test
  void escapeStringsPairBackslashWithAnyCharacter() {
    assertThat(texts("select E'a\\'; b', e'\\\\'; select 2;")).containsExactly("select E'a\\'; b', e'\\\\';", "select 2;");
    assertThat(texts("select E'x\\\ny;'; select 2;")).containsExactly("select E'x\\\ny;';", "select 2;");
  }

  @Test
  void prefixedStringsNeedThePrefixAtTokenStart() {
    assertThat(texts("select somee'\\'; select 2;")).containsExactly("select somee'\\';", "select 2;");
    assertThat(texts("select 1e'\\'; select 2;")).as("1e is one number token").containsExactly("select 1e'\\';", "select 2;");
    assertThat(texts("select 1..e'\\'; x'; select 2;")).containsExactly("select 1..e'\\'; x';", "select 2;");
  }

  @Test
  void unicodeNationalBitAndHexStrings() {
    assertThat(texts("select U&'\\'; select N'\\'; select B'1'; select X'f;'; select u&\"a;\";"))
        .containsExactly("select U&'\\';", "select N'\\';", "select B'1';", "select X'f;';", "select u&\"a;\";");
  }

  @Test
  void continuesStringsAcrossNewlines() {
    assertThat(texts("select 'a'\n'b;c';")).containsExactly("select 'a'\n'b;c';");
    assertThat(texts("select 'a' -- c\n  'b;c';")).containsExactly("select 'a' -- c\n  'b;c';");
  }

  @Test
  void continuedEscapeStringStaysAnEscapeStringAsInTheServer() {
    // psql restarts the literal as a plain string and mis-splits; see PsqlMisSplitTest
    assertThat(texts("select E'a'\n'b\\';c'; select 2;")).containsExactly("select E'a'\n'b\\';c';", "select 2;");
  }

  @Test
  void quotedIdentifiersEndAtDoubleQuoteAndDoubleItToEscape() {
    assertThat(texts("select \"a\"\"b;\" from \"x\\\"; select 2;")).containsExactly("select \"a\"\"b;\" from \"x\\\";", "select 2;");
  }

  @Test
  void dollarQuotesWithAndWithoutTags() {
    assertThat(texts("select $$a;b$$; select $t$ $$ ; $t$;")).containsExactly("select $$a;b$$;", "select $t$ $$ ; $t$;");
  }

  @Test
  void dollarQuoteSkipsANonMatchingDelimiterButRescansItsLastDollar() {
    assertThat(texts("select $a$ x $junk$a$; select 2;")).containsExactly("select $a$ x $junk$a$;", "select 2;");
  }

  @Test
  void dollarQuoteTagsAreCaseSensitive() {
    assertThat(texts("select $A$ ; $a$ ; $A$; select 2;")).containsExactly("select $A$ ; $a$ ; $A$;", "select 2;");
  }

  @Test
  void dollarInsideIdentifiersIsNotAQuote() {
    assertThat(texts("select x$$; select AS$$;")).containsExactly("select x$$;", "select AS$$;");
  }

  @Test
  void parametersAreNotQuotes() {
    assertThat(texts("select $1; select $1x$; select 2;")).containsExactly("select $1;", "select $1x$;", "select 2;");
    assertThat(texts("select $1$a$; $a$;")).as("$1 then the delimiter $a$").containsExactly("select $1$a$; $a$;");
  }

  @Test
  void parenthesesHideSemicolonsAndNeverGoBelowZero() {
    assertThat(texts("select (1; 2); select 3)); select 4;")).containsExactly("select (1; 2);", "select 3));", "select 4;");
  }

  @Test
  void bracketsAreNotCounted() {
    assertThat(texts("select a[1; select 2;")).containsExactly("select a[1;", "select 2;");
  }

  @Test
  void beginAtomicBodyKeepsItsSemicolons() {
    String fn = "create or replace function f() returns int language sql\nbegin atomic\n  select 1;\n  select 2;\nend;";
    assertThat(texts(fn + "\nselect f();")).containsExactly(fn, "select f();");
  }

  @Test
  void caseInsideBeginAtomicNestsUntilItsEnd() {
    String fn = "create procedure p() language sql begin atomic select case when true then 1 else 2 end; select 3; end;";
    assertThat(texts(fn + " select 4;")).containsExactly(fn, "select 4;");
  }

  @Test
  void beginOnlyCountsInCreateFunctionOrProcedure() {
    assertThat(texts("create table begin_t (begin int); select 1;")).containsExactly("create table begin_t (begin int);", "select 1;");
    assertThat(texts("begin; select 1; end;")).containsExactly("begin;", "select 1;", "end;");
  }

  @Test
  void routineNamedBeginFollowsTheServerNotPsql() {
    assertThat(texts("create function public.begin() returns int language sql as $$select 1$$; select 2;"))
        .containsExactly("create function public.begin() returns int language sql as $$select 1$$;", "select 2;");
  }

  @Test
  void columnNamedEndInAtomicBodyFollowsTheServerNotPsql() {
    String fn = "create function f() returns int language sql begin atomic select t.end as end from t; end;";
    assertThat(texts(fn + " select 2;")).containsExactly(fn, "select 2;");
  }

  @Test
  void beginAtomicMaySpanComments() {
    String fn = "create function f() returns int language sql begin /* c */ atomic -- ;\n select 1; end;";
    assertThat(texts(fn)).containsExactly(fn);
  }

  @Test
  void setStandardConformingStringsTakesEffectFromTheNextLine() {
    assertThat(texts("set standard_conforming_strings = off; select 'a\\'; select 2;\nselect 'b\\'; c';\nselect 3;"))
        .containsExactly("set standard_conforming_strings = off;", "select 'a\\';", "select 2;", "select 'b\\'; c';", "select 3;");
    assertThat(texts("set standard_conforming_strings = off;\nreset standard_conforming_strings;\nselect 'a\\'; select 2;"))
        .containsExactly("set standard_conforming_strings = off;", "reset standard_conforming_strings;", "select 'a\\';", "select 2;");
  }

  @Test
  void backslashSemicolonIsALiteralSemicolon() {
    assertThat(texts("select 1 \\; select 2;")).containsExactly("select 1 ; select 2;");
  }

  @Test
  void otherBackslashesAreMetaCommandsWithTheirLine() {
    List<SqlStatement> s = statements("select 1;\n\\set x 1\nselect 2;\n\\echo a \\\\ select 3;");
    assertThat(s).extracting(SqlStatement::kind).containsExactly(
        StatementKind.SQL, StatementKind.META_COMMAND, StatementKind.SQL, StatementKind.META_COMMAND, StatementKind.SQL);
    assertThat(s.get(1).text()).isEqualTo("\\set x 1");
    assertThat(s.get(1).startLine()).isEqualTo(2);
    assertThat(s.get(3).text()).isEqualTo("\\echo a");
    assertThat(s.get(4).text()).isEqualTo("select 3;");
  }

  @Test
  void statementInterruptedByMetaCommandGoesOnAsInPsql() {
    List<SqlStatement> s = statements("select 1\n\\echo hi\n+ 1;\nselect 2 \\echo x\n;");
    assertThat(s).extracting(SqlStatement::kind).containsExactly(
        StatementKind.META_COMMAND, StatementKind.SQL, StatementKind.META_COMMAND, StatementKind.SQL);
    assertThat(s).extracting(SqlStatement::text).containsExactly("\\echo hi", "select 1\n+ 1;", "\\echo x", "select 2 \n;");
  }

  @Test
  void sendingMetaCommandsSendTheBufferOrThePreviousStatement() {
    assertThat(texts("select 1\n\\g\n\\g\nselect (2\n\\r\nselect 3;"))
        .containsExactly("select 1", "\\g", "select 1", "\\g", "\\r", "select 3;");
  }

  @Test
  void copyFromStdinDataIsSkipped() {
    List<SqlStatement> s = statements("copy t from stdin;\n1\t;x\n\\.\nselect 2;\n");
    assertThat(s).extracting(SqlStatement::kind).containsExactly(StatementKind.COPY_FROM_STDIN, StatementKind.SQL);
    assertThat(s.get(1).text()).isEqualTo("select 2;");
    assertThat(s.get(1).startLine()).isEqualTo(4);
  }

  @Test
  void dropsEmptyLinesOutsideQuotesOnly() {
    assertThat(texts("select\n\n1;\nselect '\n\n';\nselect\n  \n2;"))
        .containsExactly("select\n1;", "select '\n\n';", "select\n  \n2;");
  }

  @Test
  void keepsCarriageReturns() {
    assertThat(texts("select 1\r\n;\r\n")).containsExactly("select 1\r\n;");
  }

  @Test
  void psqlVariablesAreLeftAsTheyAreButDelimitTokens() {
    assertThat(texts("select :v, :'v', :\"v\", 1::int, a[1:2];")).containsExactly("select :v, :'v', :\"v\", 1::int, a[1:2];");
    assertThat(texts("select :b$$; $$;")).as(":b is a variable, so $$ starts a quote").containsExactly("select :b$$; $$;");
  }

  @Test
  void reportsVariablesPsqlWouldSubstitute() {
    assertThat(SqlSplitter.split("t.sql", "select 1;\nselect :DBNAME, :'USER', :v, a[1:2], 'x:PORT';\nselect :{?v};")
        .problems()).extracting(Diagnostic::toString).containsExactly(
            "t.sql:2: psql substitutes its variable :DBNAME here; cutter sends SQL as written: write the value",
            "t.sql:2: psql substitutes its variable :'USER' here; cutter sends SQL as written: write the value",
            "t.sql:3: psql replaces :{?v} with TRUE or FALSE; cutter sends SQL as written: write the value");
  }

  @Test
  void emptyStatementsAreSentAndMarked() {
    List<SqlStatement> s = statements("select 1;;\n/* only */");
    assertThat(s).extracting(SqlStatement::text).containsExactly("select 1;", ";", "/* only */");
    assertThat(s).extracting(SqlStatement::kind).containsExactly(StatementKind.SQL, StatementKind.EMPTY, StatementKind.EMPTY);
  }

  @Test
  void countsLinesFromFirstTokenToTerminatingSemicolon() {
    List<SqlStatement> s = statements("-- c\n\nselect\n  'a\nb'\n;\nselect 2 -- x\n\n\n");
    assertThat(s).extracting(SqlStatement::index).containsExactly(1, 2);
    assertThat(s).extracting(SqlStatement::startLine).containsExactly(3, 7);
    assertThat(s).extracting(SqlStatement::endLine).containsExactly(6, 7);
    assertThat(s.get(1).text()).isEqualTo("select 2 -- x");
  }

  @Test
  void reportsUnterminatedQuotesAndCommentsWithTheirStartLine() {
    assertThat(SqlSplitter.split("t.sql", "select 1;\nselect 'x;\n").problems()).extracting(Diagnostic::toString)
        .containsExactly("t.sql:2: unterminated quoted string at end of file");
    assertThat(SqlSplitter.split("t.sql", "select $f$ x").problems()).extracting(Diagnostic::toString)
        .containsExactly("t.sql:1: unterminated dollar-quoted string $f$ at end of file");
    assertThat(SqlSplitter.split("t.sql", "\n/* /* */").problems()).extracting(Diagnostic::toString)
        .containsExactly("t.sql:2: unterminated /* comment at end of file");
    assertThat(SqlSplitter.split("t.sql", "create function f() begin atomic select 1;").problems())
        .extracting(Diagnostic::message).containsExactly("BEGIN ATOMIC body not closed by END at end of file");
  }

  @Test
  void emptyInputHasNoStatements() {
    assertThat(texts("")).isEmpty();
    assertThat(texts("\n  -- only a comment\n\n")).isEmpty();
  }
}
