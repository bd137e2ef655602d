package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scripts glued at random (fixed seeds) from fragments that stress the lexer — unbalanced
 * quotes, comment openers, dollar tags, {@code ;} everywhere — must split as psql 15 sends them.
 * Scripts where a backslash lands outside quotes hold meta-commands, whose listing is not psql's
 * by design (see docs/sql-splitting.md), and are skipped.
 */
@WithPostgres
class PsqlRandomDifferentialTest {

  private static final String[] FRAGMENTS = {
    "select", " ", "\n", "\n\n", "'a;b'", "E'x\\'y;'", "$$ ; $$", "$a$ ; $b$ $a$", "/* c ; /* n */ */", "-- c ;\n",
    ";", ";", ";", "(", ")", "x$$", "$1", "1e", "U&'u'", "\"q;\"", "begin atomic", " end", "case ", "\\;", ":v",
    "::int", "\t", "\r\n", "b'1'", "n'x'", "e'", "x'", "'", "$$", "/*", "*/", "--",
    "create function f() returns int language sql ", "set standard_conforming_strings = off;\n",
    "set standard_conforming_strings = on;\n", "$q$", "1..2", "+", "-", "*", "/", "u&\"z\"", "é", "$_$"
  };

  @TempDir Path dir;

  @BeforeAll
  static void psqlIsInstalled() {
    PsqlCapture.requirePsql15();
  }

  static IntStream seeds() {
    return IntStream.rangeClosed(1, 40);
  }

  static String script(long seed) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder();
    int count = 5 + r.nextInt(36);
    for (int i = 0; i < count; i++) {
      b.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
    }
    return b.toString();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void splitsRandomScriptsAsPsqlSendsThem(int seed, TestDatabase db) throws Exception {
    String script = script(seed);
    SplitResult split = SqlSplitter.split("random.sql", script);
    Assumptions.assumeTrue(split.statements().stream().noneMatch(s -> s.kind() == StatementKind.META_COMMAND),
        "a backslash outside quotes makes a meta-command");

    Path file = Files.writeString(dir.resolve("random-" + seed + ".sql"), script, StandardCharsets.UTF_8);
    List<String> sent = PsqlCapture.queriesSentBy(file, db.server(), db.name());

    assertThat(split.statements()).extracting(SqlStatement::text).as("split of %s", script.replace("\n", "\\n"))
        .containsExactlyElementsOf(sent);
  }
}
