package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every script of the corpus through the real psql 15 client against the embedded server
 * and checks that the splitter yields exactly the texts the server received, in order.
 */
@WithPostgres
class PsqlDifferentialTest {

  @BeforeAll
  static void psqlIsInstalled() {
    PsqlCapture.requirePsql15();
  }

  static Stream<String> corpus() throws IOException, URISyntaxException {
    List<String> names;
    try (Stream<Path> files = Files.list(corpusDir())) {
      names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
    }
    assertThat(names).as("the corpus holds at least 40 scripts").hasSizeGreaterThanOrEqualTo(40);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void splitsEveryCorpusScriptAsPsqlSendsIt(String name, TestDatabase db) throws Exception {
    Path script = corpusDir().resolve(name);
    List<PsqlCapture.Sent> psql = PsqlCapture.sentBy(script, db.server(), db.name());
    List<String> sent = psql.stream().map(PsqlCapture.Sent::query).toList();

    SplitResult split = SqlSplitter.split(name, Files.readString(script, StandardCharsets.UTF_8));
    List<SqlStatement> statements = split.statements().stream()
        .filter(s -> s.kind() != StatementKind.META_COMMAND)
        .toList();
    List<String> ours = statements.stream().map(SqlStatement::text).toList();

    assertThat(sent).as("psql sent something for %s", name).isNotEmpty();
    assertThat(ours).as("statements of %s, as psql sent them", name).containsExactlyElementsOf(sent);
    for (int i = 0; i < statements.size(); i++) {
      // the COPY data, byte for byte as psql sent it as CopyData (none: psql sent no CopyData message)
      CopyData data = statements.get(i).copyData();
      byte[] expected = psql.get(i).copyData() == null ? new byte[0] : psql.get(i).copyData();
      assertThat(data == null ? new byte[0] : data.bytes())
          .as("COPY data of statement %d of %s", i + 1, name).isEqualTo(expected);
      if (psql.get(i).copyData() != null) {
        assertThat(statements.get(i).kind()).isEqualTo(StatementKind.COPY_FROM_STDIN);
      }
    }
  }

  static Path corpusDir() throws URISyntaxException {
    return Path.of(PsqlDifferentialTest.class.getResource("corpus").toURI());
  }
}
