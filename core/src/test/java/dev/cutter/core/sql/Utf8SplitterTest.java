package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.model.ApplySettings.Mode;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8Splitter} over the bytes and {@link SqlSplitter#split} over the decoded text agree:
 * the same statements at the same lines and columns (columns in characters), the same kinds, the
 * same text wherever the byte scan makes it, the same problems, and the same verdict of
 * {@link ScriptJudge} in both modes — for the splitter's corpora, multi-byte text everywhere a
 * token can hold it, and the fuzz soup.
 */
class Utf8SplitterTest {

  static final List<String> SCRIPTS = List.of(
      "create table a (i int);\ncreate index concurrently i on a (i);\n",
      "select 1;\n\\g\n\\gx\n",
      "select 1\n\\g\nselect 2 \\r\nselect 3;\n",
      "\\set x 1\nselect 1 \\\\ select 2;\n",
      "copy t from stdin;\n1\n\\.\nselect 1;\n",
      "copy t from stdin;\nrow é 😀\n\\.\r\ninsert into t values (1);\n",
      "create function f() returns int begin atomic select 1; end;\nselect 2;\n",
      "select 'open\n",
      "\uFEFF/* c */ select 1;\n\n\nselect 2",
      "\uFEFFinsert into t values ('😀');  insert into t values (2);\n",
      "set standard_conforming_strings = off;\nselect 'a\\'b';\ninsert into t values ('c\\'; vacuum;');\n",
      "set standard_conforming_strings = off; select 'x\\'; vacuum t;';\ninsert into t values ('\\'');\nreset all;\nselect 'y\\';\nvacuum;\n",
      "select :DBNAME, :{?x};\n",
      "select 1 \\; select 2;\n",
      "beg\\echo x\\\\in;\nselect 1;\n",
      "ins\\echo x\\\\ert into t values (1);\ncommit;\n",
      "insert\n\ninto t values (1);\nupdate t set a = 'é';\n",
      "insert into t\n\nvalues (1);\n\\g\ninsert into t\r\n  values ('a\n\nb');\r\n\\g\nupdate t\nset a = 1;\n\\gx\n",
      "select 'é'; select \"ñame\" from t; insert into \"tàble\" values ('日本語');\n\t  create index concurrently \"ï\" on t (a);\n",
      "select 1; \uD83D\uDE00create index concurrently i on t (a);\n   😀 ; vacuum;\n",
      "select $é$ ; vacuum; $é$, $日本$x$日本$, $😀$ $😀$;\nvacuum t;\n",
      "select E'\\é'; select E'\\😀\\'; vacuum;'; select e'a\\\nb';\n",
      "insert into t values (U&'\\00e9', U&\"é\", B'01', X'ff', N'ñ');\nrelease s;\n",
      "select é$1, 1é, 12e+é, $1é;\nend;\n",
      "select 1\n\u2003\u00a0\n",
      "select 1 \u2028\u2028",
      "select ':é';\n\\echo é ñ 😀  \u2003\nselect 2;\n",
      "begin;\ninsert into t values ('é');\ncommit;\n",
      "BEGIN;\ninsert into t values (1);\ncreate index concurrently i on t (a);\nupdate t set a = 2;\nCOMMIT;\n",
      "begin;\ninsert into t values (1);\ncommit and chain;\n",
      "insert into t values (1);\nbegin;\ninsert into t values (2);\ncommit;\n",
      "/* é */ insert into t values (1);\n-- é\nselect 1 /* 😀 */;\n",
      "select 1;\n\\gexec\ninsert into t values (1);\n\\g\n\\watch\n",
      "create or replace function é() returns int language sql begin atomic select 'é'; end;\ninsert into t values (1);\n",
      "copy t (a) from stdin with (format csv);\n\"é\",1\n\\.\ncopy t to stdout;\ncopy t from stdin;\n1\n",
      // COPY … FROM STDIN data as the char split reads it (CopyDataSplitTest), and the refusals of COPY
      "copy t from stdin;\r\n1\tone\r\n2\ttwo\r\n\\.\r\nselect 1;\r\n",
      "copy t from stdin;\n\\.\r\r\n\\.\nselect 1;\n",
      "copy t from stdin;\n\\\\.\n \\.\n\\. \n\\.x\na\\.\n\\.\nselect 1;",
      "copy t from stdin;\n1\n2\n",
      "copy t from stdin;\n1\n2",
      "copy t from stdin;\n1\n\\.",
      "copy t from stdin;",
      "copy t from stdin;\n",
      "copy t from stdin",
      "select 1;\ncopy t from stdin;\n\n\n",
      "copy a from stdin; select 1; copy b from stdin;\n1\n\\.\n2\n\\.\nselect 2;\n",
      "copy t from stdin; select 'a\n1\n\\.\nb' as x;\n",
      "copy t from stdin; select\n1\n\\.\n\n2;\n",
      "copy t from stdin; insert into t values ('a\n1\n\\.\nb');\ninsert into t values (1);\n",
      "copy t from stdin; select $x$a\n1é\n\\.\nb$x$, \"q\n\\.\n\", /* c\n\\.\n*/ E'\\\n\\.\n';\nselect 2;\n",
      "copy t from stdin; copy u from stdin; select 'x\n\\.\n\n2\n\\.\ny';\n",
      "copy t from stdin with (format csv);\n\n'x\n/* not a comment\n$$ ; $$;\n-- nor this\n\n\\.\n\nselect 3;\n",
      "copy t from stdin;\nset standard_conforming_strings = off;\n\\.\nselect 'a\\'b';\n",
      "set standard_conforming_strings = off; copy t from stdin;\n'\\.\n\\.\nselect 'a\\'b';\n",
      "create table t (a text);\ncopy t from stdin;\n4111111111111111\tpassword=hunter2\n\\.\ncommit;\n",
      "begin;\ncopy t from stdin;\n1\n\\.\ncommit;\n",
      "\\restrict AbC123\nSET client_encoding = 'UTF8';\ncopy t from stdin;\n1\n\\.\n\\unrestrict AbC123\n",
      "\\restrict k\nbegin;\ninsert into t values (1);\ncommit;\n\\unrestrict k\n",
      "\\restrict k\n\\connect other\n\\unrestrict k\n",
      "copy t from stdin;\n1\n\\.\ncopy t to stdout;\ncopy (select 1) to program 'id';\n"
          + "copy t from program 'cat /etc/passwd';\ncopy t to stdout with (format csv);\ncopy t from '/srv/x.csv';\n",
      "copy t to stdout;\n1\n\\.\n",
      "copy t from stdin with (format binary);\n\\.\n",
      "\ncopy binary t from stdin;\n",
      "copy t from stdin (format 'binary');\n",
      "copy t from stdin where b = 'binary';\n1\n\\.\n",
      "copy t from stdin \\; select 1;\n1\n\\.\n",
      "select 1 \\; copy t from stdin;\n1\n\\.\n",
      "copy t from stdin;\n1\n\\.\n\\g\n2\n\\.\n",
      "copy t from stdin \\g\n1\n\\.\n",
      "copy t from stdin;\nab\0cd\nef\u0000\n\\.\ncopy t from stdin;\n\0\n\\.\n",
      "copy t from stdin;\n1\n\\.\n\\gx\n2\n\\.\n\\gdesc\n3\n",
      "copy t from stdin \\gset\n1\n\\.\n",
      "select 1;\0 drop table t;\n-- note \0\0\ncopy t from stdin;\na\0b\n\\.\nselect $$é\0$$;\n\0");

  @Test
  void agreesOnTheScriptsAndTheCorpora() throws Exception {
    List<String> scripts = new ArrayList<>(SCRIPTS);
    scripts.addAll(dev.cutter.core.run.PackageSqlCheckTest.CORPUS);
    scripts.addAll(files("corpus"));
    scripts.addAll(files("golden"));
    scripts.add(String.join("", scripts));
    int plain = 0;
    for (String script : scripts) {
      plain += assertAgreement(script, script);
    }
    assertThat(plain).as("statements handed over without their text").isGreaterThan(20);
  }

  @Test
  void agreesOnTheFuzzSoup() throws Exception {
    Random random = new Random(SqlSplitterFuzzTest.SEED);
    List<String> tokens = new ArrayList<>(SqlSplitterFuzzTest.TOKENS);
    tokens.addAll(List.of("insert into t values (", "update", "INSERT", "set standard_conforming_strings = off;\n",
        "reset all;\n", "'é\\'", "$é$", "ñ", "日本", "\u2003", "\\echo é\n", "\\gx\n", "end", "create index concurrently i on t",
        // COPY data among everything else (CopyDataSplitTest's fragments) and the COPY forms refused
        "copy t from stdin;", "copy t from stdin;\n", "copy t from stdin", "\\.\n", "\\.\r\n", "\\.\r\r\n", "\\.",
        "1\t\\N\n", "é\t😀\n", "copy t to stdout;", "copy t from program 'x';", "copy binary t from stdin;\n",
        "copy t from stdin (format binary);", "copy t from stdin \\; select 1;\n", "\\restrict k\n", "\\unrestrict k\n"));
    for (int i = 0; i < SqlSplitterFuzzTest.ITERATIONS * 2; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = random.nextInt(160); n > 0; n--) {
        b.append(tokens.get(random.nextInt(tokens.size())));
        if (random.nextInt(3) == 0) {
          b.append('\n');
        }
      }
      assertAgreement(b.toString(), "case " + i);
    }
  }

  @Test
  void agreesOnRandomScriptsMixingCopyDataWithQuotesCommentsAndMetaCommands() throws Exception {
    // CopyDataSplitTest's mix, with multi-byte data and the COPY forms that are refused
    String[] fragments = {"copy t from stdin;", "copy t from stdin", "\n", "\n\n", "\\.\n", "\\.\r\n", "\\.\r", "1\t\\N\n",
        "é😀\n", "'", "$$", "$é$", "/*", "*/", "--", ";", "select ", "insert into t values (1);\n", "E'\\", "\r\n", "(", ")",
        "\\;", "\\echo x\n", "\\g\n", "\\gdesc\n", "\0", "\"", "begin atomic ", "create function f() returns int language sql ", "end;",
        "copy t to stdout;", "copy t from program 'x';", "copy binary t from stdin;", "\\restrict k\n", "begin;\n",
        "commit;\n", "set standard_conforming_strings = off;\n"};
    Random r = new Random(SqlSplitterFuzzTest.SEED + 2);
    for (int round = 0; round < SqlSplitterFuzzTest.ITERATIONS * 4; round++) {
      StringBuilder b = new StringBuilder();
      for (int k = 3 + r.nextInt(30); k > 0; k--) {
        b.append(fragments[r.nextInt(fragments.length)]);
      }
      assertAgreement(b.toString(), "copy case " + round + ": " + b);
    }
  }

  @Test
  void agreesOnLinesThatAreOrAlmostAreOnePlainStatement() throws Exception {
    Random random = new Random(SqlSplitterFuzzTest.SEED + 1);
    List<String> firstWords = List.of("insert", "INSERT", "update", "select", "delete", "with", "e", "n", "u", "x", "b",
        "create", "set", "reset", "end", "begin", "copy", "vacuum", "abcdefghij", "abcdefghi", "inserté", "_x", "x$y", "9", "$1");
    List<String> fragments = List.of(" into t values (", "1", "-2", " --c", "/*c*/", "'a'", "'a''b'", "'é😀'", "'x\\'",
        "'x\\'';'", "\"q\"", "\"q\"\"r\"", "\"é\"", "e'x'", "u&'x'", "U&\"x\"", "b'1'", "n'x'", "$1", "$$x$$", ":v", "::int",
        "(", ")", ")", ",", ";", " ", "\t", "\r", "é", "\\", "\\;", "'", "\"", "x1'y'", "1'y'", "a.b", "1.5e3", "\n", "'\n'", "[1]", "\n  values (", "\r\n", "\n\n",
        "\u0000", "\f");
    for (int i = 0; i < SqlSplitterFuzzTest.ITERATIONS * 4; i++) {
      StringBuilder b = new StringBuilder(random.nextInt(8) == 0 ? "\uFEFF" : "");
      for (int lines = 1 + random.nextInt(12); lines > 0; lines--) {
        int shape = random.nextInt(10);
        if (shape == 0) {
          b.append(random.nextBoolean() ? "set standard_conforming_strings = off;\n" : "reset all;\n");
        } else if (shape == 1) {
          b.append(SqlSplitterFuzzTest.TOKENS.get(random.nextInt(SqlSplitterFuzzTest.TOKENS.size())));
        }
        b.append(firstWords.get(random.nextInt(firstWords.size())));
        for (int f = random.nextInt(8); f > 0; f--) {
          b.append(fragments.get(random.nextInt(fragments.size())));
        }
        b.append(random.nextInt(6) == 0 ? fragments.get(random.nextInt(fragments.size())) : ";");
        b.append(random.nextInt(8) == 0 ? "" : random.nextInt(8) == 0 ? "\n\n" : random.nextInt(4) == 0 ? "\r\n" : "\n");
      }
      assertAgreement(b.toString(), "lines case " + i + ": " + b);
    }
  }

  @Test
  void handsOverPlainStatementsWithoutTheirText() throws Exception {
    List<Object> seen = new ArrayList<>();
    Utf8Splitter.Sink sink = new Utf8Splitter.Sink() {
      @Override
      public void statement(SqlStatement s) {
        seen.add(s);
      }

      @Override
      public void plainSql(int index, int startLine, int endLine, int startColumn) {
        seen.add(index + ":" + startLine + "-" + endLine + ":" + startColumn);
      }
    };
    byte[] bytes = "insert into t values ('é');\n  Update t set a = 1; create table u (i int);\nselect 'x'\n;\n"
        .getBytes(StandardCharsets.UTF_8);
    Utf8Splitter.scan("f.sql", bytes, bytes.length, sink);
    assertThat(seen).containsExactly("1:1-1:1", "2:2-2:3",
        new SqlStatement(3, 2, 2, StatementKind.SQL, "create table u (i int);", 23), "4:3-4:1");
  }

  @Test
  void refusesWhatTheStrictDecoderRefusesAndNothingElse() throws Exception {
    List<byte[]> cases = new ArrayList<>();
    for (int[] bad : new int[][] {{0xff}, {0x80}, {0xc0, 0xaf}, {0xc1, 0xbf}, {0xe0, 0x80, 0xaf}, {0xed, 0xa0, 0x80},
        {0xf0, 0x80, 0x80, 0xaf}, {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80}, {0xc3}, {0xe6, 0x97}, {0xf0, 0x9f, 0x98},
        {0xc3, 0x41}, {0xef, 0xbf, 0xbf}, {0xf4, 0x8f, 0xbf, 0xbf}, {0xee, 0x80, 0x80}, {0xc2, 0x80}}) {
      for (String around : List.of("", "select 'abcdefgh", "0123456789abcdef")) {
        byte[] b = new byte[around.length() + bad.length + 2];
        System.arraycopy(around.getBytes(StandardCharsets.US_ASCII), 0, b, 0, around.length());
        for (int i = 0; i < bad.length; i++) {
          b[around.length() + i] = (byte) bad[i];
        }
        b[b.length - 2] = ';';
        b[b.length - 1] = '\n';
        cases.add(b);
        cases.add(java.util.Arrays.copyOf(b, around.length() + bad.length));
      }
    }
    Random random = new Random(SqlSplitterFuzzTest.SEED);
    byte[] alphabet = {'a', ';', '\n', '\'', (byte) 0xc3, (byte) 0xa9, (byte) 0xe6, (byte) 0x97, (byte) 0xa5, (byte) 0xf0,
        (byte) 0x9f, (byte) 0x98, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0xbf, (byte) 0xff, (byte) 0xc0};
    for (int i = 0; i < 3000; i++) {
      byte[] b = new byte[random.nextInt(24)];
      for (int j = 0; j < b.length; j++) {
        b[j] = alphabet[random.nextInt(alphabet.length)];
      }
      cases.add(b);
    }
    int refused = 0;
    for (byte[] b : cases) {
      boolean valid = decodes(b);
      if (valid) {
        assertAgreement(new String(b, StandardCharsets.UTF_8), java.util.HexFormat.of().formatHex(b));
      } else {
        refused++;
        assertThatThrownBy(() -> Utf8Splitter.scan("f.sql", b, b.length, new ScriptJudge("f.sql", Mode.TRANSACTION)))
            .as(java.util.HexFormat.of().formatHex(b)).isInstanceOf(MalformedInputException.class);
      }
    }
    assertThat(refused).isGreaterThan(100);
  }

  /** Asserts that both splits and both verdicts agree; returns how many statements went over without text. */
  private static int assertAgreement(String script, String what) throws Exception {
    SplitResult kept = SqlSplitter.split("f.sql", script);
    byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
    List<SqlStatement> statements = kept.statements();
    int[] at = {0};
    int[] plain = {0};
    List<Integer> copies = new ArrayList<>();
    List<Diagnostic> problems = Utf8Splitter.scan("f.sql", bytes, bytes.length, new Utf8Splitter.Sink() {
      @Override
      public void statement(SqlStatement s) {
        assertThat(at[0]).as(what).isLessThan(statements.size());
        assertThat(s.copyData()).as(what).isNull();
        assertThat(s).as(what).isEqualTo(statements.get(at[0]++).withCopyData(null));
      }

      @Override
      public void copyData(int index, int startLine, int endLine, boolean endMarker, int from, int to) {
        assertThat(index).as(what).isBetween(1, at[0]);
        CopyData d = statements.get(index - 1).copyData();
        assertThat(d).as(what + " statement " + index + " has data").isNotNull();
        assertThat(new CopyData(startLine, endLine, endMarker, d.text())).as(what).isEqualTo(d);
        assertThat(java.util.Arrays.copyOfRange(bytes, from, to)).as(what).isEqualTo(d.bytes());
        copies.add(index);
      }

      @Override
      public void plainSql(int index, int startLine, int endLine, int startColumn) {
        assertThat(at[0]).as(what).isLessThan(statements.size());
        SqlStatement s = statements.get(at[0]++);
        // a plain statement's sink gets no text, nor the setting it was lexed with (the judge needs neither)
        assertThat(new SqlStatement(index, startLine, endLine, StatementKind.SQL, s.text(), startColumn, null,
            s.standardConformingStrings())).as(what).isEqualTo(s);
        plain[0]++;
      }
    });
    assertThat(at[0]).as(what).isEqualTo(statements.size());
    assertThat(copies).as(what + ": the COPY statements whose data was read, in order").isEqualTo(
        statements.stream().filter(s -> s.copyData() != null).map(SqlStatement::index).toList());
    assertThat(problems).as(what).isEqualTo(kept.problems());
    for (Mode mode : Mode.values()) {
      ArtifactScript applyPath = ArtifactScript.of(kept, mode);
      ScriptJudge judge = new ScriptJudge("f.sql", mode);
      ScriptJudge.Verdict verdict = judge.finish(Utf8Splitter.scan("f.sql", bytes, bytes.length, judge));
      assertThat(verdict.rejections()).as(mode + " " + what).isEqualTo(applyPath.rejections());
      assertThat(verdict.rejections()).extracting(Diagnostic::toString).as(mode + " " + what)
          .isEqualTo(applyPath.rejections().stream().map(Diagnostic::toString).toList());
      assertThat(verdict.absorbedWrapper()).as(mode + " " + what).isEqualTo(applyPath.absorbedWrapper());
    }
    return plain[0];
  }

  private static boolean decodes(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static List<String> files(String dir) throws Exception {
    Path d = dir(dir);
    try (Stream<Path> files = Files.list(d)) {
      List<String> out = new ArrayList<>();
      for (Path p : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
        out.add(Files.readString(p, StandardCharsets.UTF_8));
      }
      assertThat(out).as(dir).hasSizeGreaterThanOrEqualTo(4);
      return out;
    }
  }

  private static Path dir(String name) throws URISyntaxException {
    return Path.of(Utf8SplitterTest.class.getResource(name).toURI());
  }
}
