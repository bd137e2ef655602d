package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutter.core.text.YamlText;
import dev.cutter.fixtures.MinimalPackage;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Trojan Source" in the terminal: an artifact whose comment holds a right-to-left mark
 * (U+200F; an embedding, override or isolate such as U+202E is refused in SQL, {@code
 * ArtifactScriptTest#refusesBidirectionalControlsThatMakeTheScriptReadOtherwiseOutsideCopyData})
 * and a zero-width space (U+200B) and whose string literal holds an invisible tag
 * character (U+E0041) is shown by {@code sql split}, {@code sql lint} and {@code package verify}
 * with every such character as its escape, never raw; the JSON listings write them as
 * {@code \\uXXXX} and read back the same text. What is split, hashed and sent is unchanged.
 */
class HiddenCharactersInTextVerbsTest {

  /** The comment reads as "reviewed" but the mark changes how what follows it is placed on screen. */
  static final String INSERT = "insert into app.t /* reviewed \u200f\u200b */ values ('\uDB40\uDC41');";
  static final String INDEX = "create index t_a on app.\"t\u200f\" (a);";
  static final String SQL = INSERT + "\n" + INDEX + "\n";
  /** An artifact path with the same three characters. */
  static final String ARTIFACT = "ddl/re\u202eview\u200b\uDB40\uDC41.sql";

  @TempDir Path dir;

  private static boolean anyHidden(String text) {
    return text.codePoints().anyMatch(YamlText::hidden);
  }

  private String sqlFile() throws IOException {
    return Files.writeString(dir.resolve("change.sql"), SQL, StandardCharsets.UTF_8).toString();
  }

  @Test
  void sqlSplitListsTheStatementsWithTheirHiddenCharactersEscaped() throws IOException {
    Cli r = Cli.run("sql", "split", sqlFile());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(anyHidden(r.out())).as(r.out()).isFalse();
    assertThat(r.out()).isEqualTo("-- #1 line 1 SQL\n"
        + "insert into app.t /* reviewed \\u200f\\u200b */ values ('\\U000e0041');\n\n"
        + "-- #2 line 2 SQL\n"
        + "create index t_a on app.\"t\\u200f\" (a);\n\n");
  }

  @Test
  void sqlSplitJsonWritesThemAsEscapesAndReadsBackTheTextSent() throws IOException {
    Cli r = Cli.run("sql", "split", "--json", sqlFile());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(anyHidden(r.out())).as(r.out()).isFalse();
    assertThat(r.out()).contains("/* reviewed \\u200f\\u200b */ values ('\\udb40\\udc41');");
    JsonNode statements = new ObjectMapper().readTree(r.out());
    assertThat(statements.get(0).get("text").asText()).isEqualTo(INSERT);
    assertThat(statements.get(1).get("text").asText()).isEqualTo(INDEX);
  }

  @Test
  void sqlLintNamesTheFindingWithItsHiddenCharactersEscaped() throws IOException {
    String file = sqlFile();
    Cli r = Cli.run("sql", "lint", file);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(anyHidden(r.out())).as(r.out()).isFalse();
    assertThat(r.out()).isEqualTo(file + ":2: index-not-concurrent (error, denied): CREATE INDEX on app.\"t\\u200f\" without"
        + " CONCURRENTLY; takes ShareLock. Safe way: build it with CREATE INDEX CONCURRENTLY in the package's online"
        + " step (after the transactional part commits); for a constraint, build the unique index so, then ADD"
        + " CONSTRAINT … UNIQUE USING INDEX\n"
        + "1 finding(s), 1 denied by default\n");
  }

  private Path packageWithTheArtifact() throws IOException {
    // the artifact's file name holds the characters: only where the platform can name such a file
    assumeTrue(Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder().canEncode(ARTIFACT));
    Path pkg = dir.resolve("pkg");
    MinimalPackage.write(pkg, Instant.parse("2030-01-01T00:00:00Z"), ARTIFACT, YamlText.quoted(ARTIFACT), SQL);
    return pkg;
  }

  @Test
  void packageVerifyNamesTheArtifactWithItsHiddenCharactersEscaped() throws IOException {
    Path pkg = packageWithTheArtifact();

    Cli r = Cli.run("package", "verify", pkg.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(anyHidden(r.out())).as(r.out()).isFalse();
    assertThat(r.out()).contains("\nsha256 ddl/re\\u202eview\\u200b\\U000e0041.sql: ok " + MinimalPackage.sha256(SQL) + "\n");
  }

  @Test
  void packageVerifyJsonWritesThemAsEscapesAndReadsBackThePath() throws IOException {
    Path pkg = packageWithTheArtifact();

    Cli r = Cli.run("package", "verify", pkg.toString(), "--output", "json");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(anyHidden(r.out())).as(r.out()).isFalse();
    assertThat(r.out()).contains("\"path\" : \"ddl/re\\u202eview\\u200b\\udb40\\udc41.sql\"");
    JsonNode root = new ObjectMapper().readTree(r.out());
    JsonNode artifact = root.get("artifacts").get(1);
    assertThat(root.get("artifacts").get(0).get("path").asText()).isEqualTo("package.yaml");
    assertThat(artifact.get("path").asText()).isEqualTo(ARTIFACT);
    assertThat(artifact.get("matches").asBoolean()).isTrue();
  }
}
