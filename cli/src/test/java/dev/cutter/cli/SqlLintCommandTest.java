package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlLintCommandTest {

  @TempDir Path dir;

  private String write(String content) throws Exception {
    return Files.writeString(dir.resolve("change.sql"), content, StandardCharsets.UTF_8).toString();
  }

  @Test
  void listsEachFindingWithItsLineAndExitsThreeWhenTheDefaultDeniesOne() throws Exception {
    String file = write("-- header\ncreate table app.n (a int);\ncreate index n_a on app.n (a);\n"
        + "create index t_a\n  on app.t (a);\nalter table app.t rename column a to b;\n");

    Cli r = Cli.run("sql", "lint", file);

    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    assertThat(r.out()).isEqualTo(file + ":4: index-not-concurrent (error, denied): CREATE INDEX on app.t without"
        + " CONCURRENTLY; takes ShareLock. Safe way: build it with CREATE INDEX CONCURRENTLY in the package's online"
        + " step (after the transactional part commits); for a constraint, build the unique index so, then ADD"
        + " CONSTRAINT … UNIQUE USING INDEX\n"
        + file + ":6: rename-column (warning): renames column a of app.t; takes AccessExclusiveLock. Safe way: add the"
        + " new column, write both, backfill, move clients, then drop the old one\n"
        + "2 finding(s), 1 denied by default\n");
  }

  @Test
  void warningsAloneExitZero() throws Exception {
    Cli r = Cli.run("sql", "lint", write("drop table app.old;\ncreate index concurrently i on app.t (a);\n"));

    assertThat(r.exit()).isEqualTo(0);
    assertThat(r.out()).endsWith("1 finding(s), 0 denied by default\n");
  }

  @Test
  void aMissingFileIsExitTwoInOneLine() {
    Cli r = Cli.run("sql", "lint", dir.resolve("nope.sql").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).endsWith("nope.sql: no such file");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }
}
