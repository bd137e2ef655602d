package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.sql.SqlSplitter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whether a statement may be pipelined is decided with standard_conforming_strings on and off
 * (issue 14); a text without a backslash is split once, as the setting changes only how a
 * backslash in a '…' string is read.
 */
class PipelinableTest {

  private static final List<String> PIECES = List.of("select ", "create table t (a text)", "'", "''", "E'", "e'",
      "U&'", "B'", "X'", "$$", "$a$", "\"", "--", "/*", "*/", "\n", " ", ";", "begin", "commit", "rollback", "copy t from stdin",
      "\\", "\\'", "\\\\", "set standard_conforming_strings = off;", "set standard_conforming_strings = on;", "\\g", "x",
      "(", ")", "vacuum", "create index concurrently i on t (a)", "abort", "start transaction", "end");

  private static String random(Random r, boolean backslashes) {
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(10);
    while (b.length() == 0 || n-- > 0) {
      String p = PIECES.get(r.nextInt(PIECES.size()));
      if (backslashes || p.indexOf('\\') < 0) {
        b.append(p);
      }
    }
    return b.toString();
  }

  @Test
  void withoutABackslashTheSplitIsTheSameWithTheSettingOnAndOff() {
    Random r = new Random(14);
    for (int i = 0; i < 20_000; i++) {
      String text = random(r, false);
      assertThat(read(SqlSplitter.split("s", text, true))).as(text).isEqualTo(read(SqlSplitter.split("s", text, false)));
    }
  }

  /** The split as read, without the setting each statement records it was lexed with. */
  private static dev.cutter.core.sql.SplitResult read(dev.cutter.core.sql.SplitResult r) {
    return new dev.cutter.core.sql.SplitResult(r.sourceName(), r.statements().stream()
        .map(x -> new dev.cutter.core.sql.SqlStatement(x.index(), x.startLine(), x.endLine(), x.kind(), x.text(),
            x.startColumn(), x.copyData()))
        .toList(), r.problems());
  }

  @Test
  void theDecisionIsTheOneOfSplittingTwice() {
    Random r = new Random(1414);
    int pipelinable = 0;
    int withBackslash = 0;
    for (int i = 0; i < 20_000; i++) {
      String text = random(r, true);
      boolean once = PipelinedSender.pipelinable(text);
      assertThat(once).as(text).isEqualTo(PipelinedSender.pipelinableSplittingTwice(text));
      pipelinable += once ? 1 : 0;
      withBackslash += text.indexOf('\\') >= 0 ? 1 : 0;
    }
    assertThat(pipelinable).isGreaterThan(1_000);
    assertThat(withBackslash).isGreaterThan(1_000);
    // a backslash that the setting decides about: one command with it on, an unterminated string with it off
    assertThat(PipelinedSender.pipelinable("select 'a\\'; select 1")).isFalse();
    assertThat(PipelinedSender.pipelinable("select E'a\\'b'")).isTrue();
  }
}
