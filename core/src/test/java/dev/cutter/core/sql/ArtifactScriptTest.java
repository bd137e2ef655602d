package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.model.ApplySettings.Mode;
import org.junit.jupiter.api.Test;

class ArtifactScriptTest {

  private static ArtifactScript judge(String sql, Mode mode) {
    return ArtifactScript.of(SqlSplitter.split("ddl/change.sql", sql), mode);
  }

  @Test
  void absorbsABeginCommitPairWrappingTheWholeFile() {
    ArtifactScript a = judge("-- change\nBEGIN;\ncreate table a (id int);\ncreate table b (id int);\nCOMMIT;\n", Mode.TRANSACTION);
    assertThat(a.runnable()).isTrue();
    assertThat(a.absorbedWrapper()).contains(new ArtifactScript.Wrapper(2, 5));
    assertThat(a.statements()).extracting(SqlStatement::text).containsExactly("create table a (id int);", "create table b (id int);");
  }

  @Test
  void rejectsOtherTransactionControlWithItsLine() {
    ArtifactScript a = judge("create table a (id int);\ncommit;\nbegin;\nsavepoint s;\n", Mode.TRANSACTION);
    assertThat(a.absorbedWrapper()).isEmpty();
    assertThat(a.rejections()).extracting(Diagnostic::line).containsExactly(2, 3, 4);
    assertThat(a.rejections().get(0).toString()).isEqualTo("ddl/change.sql:2:1: `commit` is transaction control: cutter runs"
        + " the artifact in one transaction it controls; remove it (only a BEGIN … COMMIT pair wrapping the whole file is"
        + " accepted, and absorbed)");
  }

  @Test
  void rejectsABeginWithTransactionModesEvenWhenItWrapsTheFile() {
    ArtifactScript a = judge("begin isolation level serializable;\nselect 1;\ncommit;", Mode.TRANSACTION);
    assertThat(a.absorbedWrapper()).isEmpty();
    assertThat(a.rejections()).extracting(Diagnostic::line).containsExactly(1, 3);
  }

  @Test
  void rejectsMetaCommandsButRunsCopyFromStdinWithItsData() {
    ArtifactScript a = judge("select 1;\n\\set ON_ERROR_STOP on\ncopy t from stdin;\n1\n\\.\n", Mode.AUTOCOMMIT);
    assertThat(a.rejections()).extracting(Diagnostic::toString).containsExactly(
        "ddl/change.sql:2:1: psql meta-command \\set cannot run over a database connection; remove it (only plain SQL is sent)");
    for (Mode mode : Mode.values()) {
      ArtifactScript copy = judge("create table t (a int);\ncopy t from stdin;\n1\n\\.\n", mode);
      assertThat(copy.rejections()).isEmpty();
      assertThat(copy.statements()).extracting(SqlStatement::kind)
          .containsExactly(StatementKind.SQL, StatementKind.COPY_FROM_STDIN);
      assertThat(copy.statements().get(1).copyData()).isEqualTo(new CopyData(3, 4, true, "1\n\\.\n"));
    }
  }

  @Test
  void leavesOutPgDumpsRestrictLinesButRefusesOtherMetaCommandsBetweenThem() {
    String dump = "\\restrict AbC123\nSET client_encoding = 'UTF8';\ncopy t from stdin;\n1\n\\.\n\\unrestrict AbC123\n";
    ArtifactScript a = judge(dump, Mode.TRANSACTION);
    assertThat(a.rejections()).isEmpty();
    assertThat(a.statements()).extracting(SqlStatement::text)
        .containsExactly("SET client_encoding = 'UTF8';", "copy t from stdin;");
    assertThat(judge("\\restrict k\n\\connect other\n\\unrestrict k\n", Mode.TRANSACTION).rejections())
        .extracting(Diagnostic::line).containsExactly(2);
  }

  @Test
  void refusesCopyToStdoutAndCopyProgramWithTheirLines() {
    ArtifactScript a = judge("copy t from stdin;\n1\n\\.\ncopy t to stdout;\ncopy (select 1) to program 'id';\n"
        + "copy t from program 'cat /etc/passwd';\ncopy t to stdout with (format csv);\ncopy t from '/srv/x.csv';\n",
        Mode.TRANSACTION);
    assertThat(a.rejections()).extracting(Diagnostic::toString).containsExactly(
        "ddl/change.sql:4:1: `copy t to stdout`: COPY … TO STDOUT would print table rows, which cutter never shows;"
            + " a change only loads data (COPY … FROM STDIN with its data inline)",
        "ddl/change.sql:5:1: `copy ( select 1 …`: COPY … PROGRAM runs a command on the database host; a change may"
            + " not (load the rows with COPY … FROM STDIN and the data inline)",
        "ddl/change.sql:6:1: `copy t from program …`: COPY … PROGRAM runs a command on the database host; a change may"
            + " not (load the rows with COPY … FROM STDIN and the data inline)",
        "ddl/change.sql:7:1: `copy t to stdout …`: COPY … TO STDOUT would print table rows, which cutter never shows;"
            + " a change only loads data (COPY … FROM STDIN with its data inline)");
  }

  @Test
  void rejectsNonTransactionalStatementsOnlyInTransactionMode() {
    String sql = "create table t (a int);\ncreate index concurrently t_a on t (a);\nvacuum t;\n";
    assertThat(judge(sql, Mode.TRANSACTION).rejections()).extracting(Diagnostic::toString).containsExactly(
        "ddl/change.sql:2:1: `create index concurrently t_a …` cannot run inside a transaction block (SQLSTATE 25001);"
            + " put it in the online: step (an index built, dropped or rebuilt CONCURRENTLY) or in a package with mode: autocommit",
        "ddl/change.sql:3:1: `vacuum t` cannot run inside a transaction block (SQLSTATE 25001); put it in the online: step (an index built, dropped or rebuilt CONCURRENTLY) or in a package with mode: autocommit");
    assertThat(judge(sql, Mode.AUTOCOMMIT).runnable()).isTrue();
  }

  @Test
  void rejectsAWrapperInAutocommitMode() {
    ArtifactScript a = judge("begin;\ncreate table a (id int);\ncommit;\n", Mode.AUTOCOMMIT);
    assertThat(a.absorbedWrapper()).isEmpty();
    assertThat(a.rejections()).singleElement().satisfies(d -> {
      assertThat(d.line()).isEqualTo(1);
      assertThat(d.message()).contains("mode: autocommit");
    });
  }

  @Test
  void leavesOutStatementsThatAreOnlyComments() {
    ArtifactScript a = judge("select 1;;\n/* end */", Mode.TRANSACTION);
    assertThat(a.statements()).extracting(SqlStatement::text).containsExactly("select 1;");
  }

  @Test
  void reportsUnterminatedTextAsUnrunnable() {
    assertThat(judge("select 'x;\n", Mode.TRANSACTION).rejections()).extracting(Diagnostic::line).containsExactly(1);
  }

  @Test
  void refusesTransactionControlJoinedByBackslashSemicolonWhateverTheFirstWordAndEvenInTheWrapper() {
    for (Mode mode : Mode.values()) {
      ArtifactScript a = judge("create table a (id int) \\; commit;\nselect 1 \\; savepoint s \\; select 2;\n"
          + "select 3 \\; /* c */ ROLLBACK;\nselect 4 \\; prepare transaction 'x';\n", mode);
      assertThat(a.rejections()).extracting(Diagnostic::line).containsExactly(1, 2, 3, 4);
      assertThat(a.rejections().get(0).toString()).isEqualTo("ddl/change.sql:1:1: `commit` is transaction control joined"
          + " to other commands by \\; (psql sends them in one message, which the server runs whole): cutter runs the"
          + " artifact in one transaction it controls; remove it");
    }
    // a wrapper's BEGIN or COMMIT would take the commands joined to it out of the run
    ArtifactScript wrapped = judge("begin \\; create table a (id int);\ncreate table b (id int);\ncommit \\; drop table b;\n",
        Mode.TRANSACTION);
    assertThat(wrapped.rejections()).extracting(Diagnostic::line).containsExactly(1, 3);
  }

  @Test
  void refusesACommitJoinedAfterAStringThatOnlyEndsWhereBackslashesEscapeQuotes() {
    // with standard_conforming_strings off, '\'' is one string holding a quote: the server runs the
    // COMMIT after it; read with backslashes as plain characters, the COMMIT sat inside a string
    for (Mode mode : Mode.values()) {
      ArtifactScript a = judge("set standard_conforming_strings = off;\nselect '\\'' \\; commit; -- '\n", mode);
      assertThat(a.rejections()).extracting(Diagnostic::line).containsExactly(2);
      assertThat(a.rejections().get(0).message()).startsWith("`commit` is transaction control joined");
    }
  }

  @Test
  void refusesACopyThatWritesToTheClientOrRunsAProgramJoinedToOtherCommands() {
    // the COPY rule read only the first command of a statement psql sends as one message
    for (Mode mode : Mode.values()) {
      ArtifactScript a = judge("select 1 \\; copy t from program 'id';\nselect 2 \\; copy t to stdout;\n", mode);
      assertThat(a.rejections()).extracting(Diagnostic::line).containsExactly(1, 2);
      assertThat(a.rejections().get(0).message()).contains("COPY … PROGRAM runs a command on the database host");
      assertThat(a.rejections().get(1).message()).contains("COPY … TO STDOUT would print table rows");
    }
  }

  @Test
  void acceptsSemicolonsThatJoinNoTransactionControl() {
    ArtifactScript a = judge("create function f() returns int language sql begin atomic select 1; end;\n"
        + "create function g() returns void language plpgsql as $$ begin commit; end $$;\n"
        + "select 'a;commit' \\; select 2;\nselect 1; -- ; commit\n", Mode.TRANSACTION);
    assertThat(a.rejections()).isEmpty();
    assertThat(a.statements()).hasSize(4);
  }

  @Test
  void refusesBidirectionalControlsThatMakeTheScriptReadOtherwiseOutsideCopyData() {
    // "trojan source": the reviewer's editor shows the DROP inside the comment
    String sql = "select 1; /* \u202E } \u2066 done */ drop table accounts; /* \u2069 \u2066 */\n"
        + "create table t (a text);\ncopy t from stdin;\nab\u202Ecd\n\\.\ninsert into t values ('x\u2067y');\n";
    for (Mode mode : Mode.values()) {
      ArtifactScript a = judge(sql, mode);
      assertThat(a.rejections()).extracting(Diagnostic::toString).containsExactly(
          "ddl/change.sql:1:14: bidirectional control U+202E: an editor or a diff shows this line in another order than"
              + " the server reads it, so reviewers may approve other SQL than runs; remove it (data that needs it can"
              + " write U&'\\202E')",
          "ddl/change.sql:6:25: bidirectional control U+2067: an editor or a diff shows this line in another order than"
              + " the server reads it, so reviewers may approve other SQL than runs; remove it (data that needs it can"
              + " write U&'\\2067')");
    }
  }
}
