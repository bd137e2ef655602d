package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.model.ApplySettings;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random token soup for the splitter: quotes, E-strings, dollar quotes with and without tags,
 * nested block comments, backslashes, psql meta-commands and variables, transaction control,
 * COPY FROM STDIN, CR/LF, NUL and non-ASCII. The splitter and the artifact rules never throw,
 * never hang, and keep their invariants. Iterations: {@code -Dcutter.fuzz.iterations} (default
 * 300; nightly 20000), seed: {@code -Dcutter.fuzz.seed}.
 */
class SqlSplitterFuzzTest {

  static final int ITERATIONS = Integer.getInteger("cutter.fuzz.iterations", 300);
  static final long SEED = Long.getLong("cutter.fuzz.seed", 20261122L);

  static final List<String> TOKENS = List.of(";", ";", "\n", "\n", " ", "\t", "\r\n", "\r", "'", "''", "\"",
      "$$", "$tag$", "$TAG$", "$a1$", "$1", "$", "--", "-- c\n", "/*", "*/", "/* /* */", "\\", "\\\\", "E'", "e'\\'",
      "U&'\\0041'", "B'01'", "X'ff'", "::", ":var", ":'v'", ":\"v\"", "\\gset", "\\i x.sql", "\\set x 1", "\\c db",
      "\\\\ ", "\\;", "BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "SAVEPOINT s", "VACUUM", "CREATE INDEX "
          + "CONCURRENTLY i ON t (a)", "COPY t FROM STDIN", "\\.\n", "create table t (id int)", "select 1",
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS ", "BEGIN ATOMIC", "END", "CASE", "(", ")", "[", "]", ",",
      "é", "\u00a0", "\u2028", "\uFEFF", "\u0000", "😀", "x", "0", "1.5e3", "ident", "\"quoted id\"", "DO", "ALTER SYSTEM");

  @Test
  void randomScriptsSplitWithinBoundsAndNeverThrow() {
    Random random = new Random(SEED);
    int problems = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = random.nextInt(120); n > 0; n--) {
        b.append(TOKENS.get(random.nextInt(TOKENS.size())));
        if (random.nextInt(4) == 0) {
          b.append(' ');
        }
      }
      String script = b.toString();
      boolean scs = random.nextInt(5) != 0;
      int n = i;
      SplitResult r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SqlSplitter.split("fuzz.sql", script, scs),
          () -> "case " + n + " (seed " + SEED + ") hangs");
      int lines = (int) script.chars().filter(c -> c == '\n').count() + 1;
      int prevStart = 0;
      for (int k = 0; k < r.statements().size(); k++) {
        SqlStatement s = r.statements().get(k);
        assertThat(s.index()).as("case %d: statements numbered from 1", i).isEqualTo(k + 1);
        // A backslash command runs (and is listed) where it stands, before the statement around it
        // is sent, as in psql; only the statements themselves come in line order.
        int floor = s.kind() == StatementKind.META_COMMAND ? 1 : Math.max(1, prevStart);
        assertThat(s.startLine()).as("case %d: %s", i, s).isBetween(floor, lines + 1);
        assertThat(s.endLine()).as("case %d: %s", i, s).isBetween(s.startLine(), lines + 1);
        if (s.kind() != StatementKind.META_COMMAND) {
          prevStart = s.startLine();
        }
      }
      for (Diagnostic d : r.problems()) {
        assertThat(d.message()).as("case %d", i).isNotBlank();
        assertThat(d.line()).as("case %d: %s", i, d).isBetween(0, lines + 1);
      }
      for (ApplySettings.Mode mode : ApplySettings.Mode.values()) {
        ArtifactScript a = ArtifactScript.of(r, mode);
        a.rejections().forEach(d -> assertThat(d.message()).as("case %d", n).isNotBlank());
        problems += a.rejections().size();
      }
    }
    assertThat(problems).as("the soup reaches the rejection paths").isPositive();
  }
}
