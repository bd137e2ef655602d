package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlSplitCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private String write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8).toString();
  }

  @Test
  void listsStatementsWithLinesAndKinds() throws Exception {
    String file = write("change.sql", "-- header\nbegin;\ncreate table t (a int);\ncreate index concurrently i on t (a);\ncommit;\n");

    assertThat(run("sql", "split", file)).isEqualTo(0);

    assertThat(out.toString()).isEqualTo("""
        -- #1 line 2 TRANSACTION_CONTROL
        begin;

        -- #2 line 3 SQL
        create table t (a int);

        -- #3 line 4 NON_TRANSACTIONAL
        create index concurrently i on t (a);

        -- #4 line 5 TRANSACTION_CONTROL
        commit;

        """);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void printsJsonWithTheStatementsAsSent() throws Exception {
    String file = write("f.sql", "select 'a\"b' as \"x\";\nselect $$\\$$\n");

    assertThat(run("sql", "split", file, "--json")).isEqualTo(0);

    assertThat(out.toString()).isEqualTo("""
        [
          {"index": 1, "start_line": 1, "end_line": 1, "kind": "SQL", "text": "select 'a\\"b' as \\"x\\";"},
          {"index": 2, "start_line": 2, "end_line": 2, "kind": "SQL", "text": "select $$\\\\$$"}
        ]
        """);
  }

  @Test
  void outputJsonIsTheSameAsJsonFlag() throws Exception {
    String file = write("f.sql", "select 1;\n");

    assertThat(run("--output", "json", "sql", "split", file)).isEqualTo(0);
    String viaGlobal = out.toString();
    out.getBuffer().setLength(0);
    assertThat(run("sql", "split", "--json", file)).isEqualTo(0);

    assertThat(viaGlobal).startsWith("[").isEqualTo(out.toString());
  }

  @Test
  void rejectsMetaCommandsWithTheirLine() throws Exception {
    String file = write("meta.sql", "select 1;\n\\set x 1\nselect 2;\n");

    assertThat(run("sql", "split", file)).isEqualTo(2);

    assertThat(err.toString()).isEqualTo(file + ":2:1: psql meta-command \\set cannot run over a database connection;"
        + " remove it (only plain SQL is sent)\n");
    assertThat(out.toString()).as("the listing is still printed").contains("-- #2 line 2 META_COMMAND\n\\set x 1\n");
  }

  @Test
  void refusesANulByteInCopyDataWhereItStands() throws Exception {
    String file = write("nul.sql", "copy t from stdin;\n1\n22\0x\n\\.\n");

    assertThat(run("sql", "split", file)).isEqualTo(2);

    assertThat(err.toString()).isEqualTo(file + ":3:3: a NUL byte in COPY … FROM STDIN data: psql would send the line"
        + " only up to it, drop the rest and join the next line to it; remove it\n");
  }

  @Test
  void listsCopyFromStdinWithTheRangeOfItsDataNeverTheData() throws Exception {
    String file = write("copy.sql", "create table t (a int, b text);\ncopy t from stdin;\n1\tsk_live_4eC39HqLyjWDarjtT1zdp7dc\n"
        + "2\t\\N\n\\.\nselect 1;\n");

    assertThat(run("sql", "split", "--json", file)).isEqualTo(0);

    assertThat(out.toString()).isEqualTo("""
        [
          {"index": 1, "start_line": 1, "end_line": 1, "kind": "SQL", "text": "create table t (a int, b text);"},
          {"index": 2, "start_line": 2, "end_line": 2, "kind": "COPY_FROM_STDIN", "text": "copy t from stdin;", \
        "copy_in": {"start_line": 3, "end_line": 5, "lines": 3, "bytes": 43, "end_marker": true}},
          {"index": 3, "start_line": 6, "end_line": 6, "kind": "SQL", "text": "select 1;"}
        ]
        """);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void refusesBinaryCopyDataWithItsLine() throws Exception {
    String file = write("copy.sql", "create table t (a int);\ncopy t from stdin (format binary);\n\\.\n");

    assertThat(run("sql", "split", file)).isEqualTo(2);

    assertThat(err.toString()).isEqualTo(file + ":2:1: COPY … FROM STDIN in binary format: psql would read the rest of"
        + " the file as its data; use text or CSV data ended by a \\. line\n");
  }

  @Test
  void missingFileIsOneLineAndExitsTwo() {
    String missing = dir.resolve("nope.sql").toString();

    assertThat(run("sql", "split", missing)).isEqualTo(2);

    assertThat(err.toString()).isEqualTo(missing + ": no such file\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void invalidUtf8IsRejected() throws Exception {
    Path file = dir.resolve("latin1.sql");
    Files.write(file, new byte[] {'s', 'e', 'l', 'e', 'c', 't', ' ', '\'', (byte) 0xe9, '\'', ';'});

    assertThat(run("sql", "split", file.toString())).isEqualTo(2);

    assertThat(err.toString()).isEqualTo(file + ": not valid UTF-8; save the file as UTF-8\n");
  }
}
