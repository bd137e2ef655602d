package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SqlSplitter#scan} hands over exactly the statements and problems {@link SqlSplitter#split} keeps. */
class StreamedSplitTest {

  static final List<String> SCRIPTS = List.of(
      "create table a (i int);\ncreate index concurrently i on a (i);\n",
      "select 1;\n\\g\n\\gx\n",
      "select 1\n\\g\nselect 2 \\r\nselect 3;\n",
      "\\set x 1\nselect 1 \\\\ select 2;\n",
      "copy t from stdin;\n1\n\\.\nselect 1;\n",
      "create function f() returns int begin atomic select 1; end;\nselect 2;\n",
      "select 'open\n",
      "\uFEFF/* c */ select 1;\n\n\nselect 2",
      "set standard_conforming_strings = off;\nselect 'a\\'b';\n",
      "select :DBNAME, :{?x};\n",
      "select 1 \\; select 2;\n");

  @Test
  void theSinkSeesWhatTheListHolds() {
    for (String script : SCRIPTS) {
      SplitResult kept = SqlSplitter.split("f.sql", script);
      List<SqlStatement> handed = new ArrayList<>();
      List<Diagnostic> problems = SqlSplitter.scan("f.sql", script.toCharArray(), handed::add);
      assertThat(handed).as(script).isEqualTo(kept.statements());
      assertThat(problems).as(script).isEqualTo(kept.problems());
    }
  }

  @Test
  void chunksOfAnySizeSeeWhatTheWholeTextHolds() throws Exception {
    List<String> scripts = new ArrayList<>(SCRIPTS);
    scripts.addAll(dev.cutter.core.run.PackageSqlCheckTest.CORPUS);
    scripts.add(String.join("", SCRIPTS) + String.join("", dev.cutter.core.run.PackageSqlCheckTest.CORPUS));
    scripts.add("copy t from stdin;\n1\n2\n3\n4\n5\n\\.\nselect 1;\n\n\nselect 'é\n\nx';\r\nselect $f$\n;\n$f$;\n");
    scripts.add("select 1;\n\uFEFFselect 2;\nselect /* a\n */ 3;\ncopy t from stdin;\n1\n");
    for (String script : scripts) {
      SplitResult kept = SqlSplitter.split("f.sql", script);
      for (int chunk = 1; chunk <= 24; chunk++) {
        List<SqlStatement> handed = new ArrayList<>();
        List<Diagnostic> problems = SqlSplitter.scan("f.sql",
            java.nio.ByteBuffer.wrap(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)), chunk, handed::add);
        assertThat(handed).as(chunk + ": " + script).isEqualTo(kept.statements());
        assertThat(problems).as(chunk + ": " + script).isEqualTo(kept.problems());
      }
    }
  }

  @Test
  void randomScriptsInRandomChunksSplitAsTheWholeText() throws Exception {
    java.util.Random random = new java.util.Random(SqlSplitterFuzzTest.SEED);
    for (int i = 0; i < SqlSplitterFuzzTest.ITERATIONS; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = random.nextInt(160); n > 0; n--) {
        b.append(SqlSplitterFuzzTest.TOKENS.get(random.nextInt(SqlSplitterFuzzTest.TOKENS.size())));
        if (random.nextInt(3) == 0) {
          b.append('\n');
        }
      }
      String script = b.toString();
      int chunk = 1 + random.nextInt(48);
      SplitResult kept = SqlSplitter.split("fuzz.sql", script);
      List<SqlStatement> handed = new ArrayList<>();
      List<Diagnostic> problems = SqlSplitter.scan("fuzz.sql",
          java.nio.ByteBuffer.wrap(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)), chunk, handed::add);
      assertThat(handed).as("case %d, chunk %d: %s", i, chunk, script).isEqualTo(kept.statements());
      assertThat(problems).as("case %d, chunk %d: %s", i, chunk, script).isEqualTo(kept.problems());
    }
  }
}
