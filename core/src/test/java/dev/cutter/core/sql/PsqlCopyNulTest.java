package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What psql 15 really does with a NUL byte in COPY … FROM STDIN data, against the server: it sends
 * the line only up to the NUL and joins the next line to it, so a {@code \.} line right after it
 * does not end the data and the SQL after that goes to the server as data, never run. cutter refuses such a file where the NUL
 * stands ({@code CopyDataSplitTest}), rather than guess at psql's buffer.
 */
@WithPostgres
class PsqlCopyNulTest {

  @BeforeAll
  static void psqlIsInstalled() {
    PsqlCapture.requirePsql15();
  }

  @Test
  void psqlSendsALineOnlyUpToItsNulAndJoinsTheNextLineToItSoCutterRefusesTheFile(TestDatabase db, @TempDir Path dir)
      throws Exception {
    // the \. right after the NUL's line is read as that line's continuation, so select 2 goes with the data
    String script = "create table cn (a text);\ncopy cn from stdin;\nxy\nab\0cd\n\\.\nselect 2;\n\\.\n"
        + "select count(*) from cn;\n";
    Path file = Files.write(dir.resolve("nul.sql"), script.getBytes(StandardCharsets.UTF_8));

    List<PsqlCapture.Sent> sent = PsqlCapture.sentBy(file, db.server(), db.name());

    assertThat(sent).extracting(PsqlCapture.Sent::query).containsExactly("create table cn (a text);",
        "copy cn from stdin;", "select count(*) from cn;");
    assertThat(new String(sent.get(1).copyData(), StandardCharsets.UTF_8))
        .as("the rest of the line after the NUL is lost; the \\. line after it is read as its continuation")
        .isEqualTo("xy\nab\\.\nselect 2;\n\\.\n");
    assertThat(db.queryValue("select string_agg(a, '|' order by a) from cn")).as("the rows the server took")
        .isEqualTo("ab|xy");

    assertThat(SqlSplitter.split("nul.sql", script).problems()).extracting(Object::toString)
        .containsExactly("nul.sql:4:3: " + SqlSplitter.NUL_IN_COPY_DATA);
  }
}
