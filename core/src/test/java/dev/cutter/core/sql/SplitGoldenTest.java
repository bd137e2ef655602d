package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: each {@code golden/NAME.sql} splits to {@code NAME.json} and {@code NAME.txt}
 * (the two listings of {@code cutter sql split}). Reviewed like code; regenerate with
 * {@code -Dgolden.update=true} and read the diff.
 */
class SplitGoldenTest {

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<String> inputs() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(dir())) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
      assertThat(names).isNotEmpty();
      return names.stream().map(n -> n.substring(0, n.length() - 4));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void jsonListingMatchesGoldenFile(String name) throws Exception {
    String json = SqlListing.json(split(name).statements());
    assertGolden(name + ".json", json);
    JsonNode parsed = new ObjectMapper().readTree(json);
    assertThat(parsed.size()).as("valid JSON, one object per statement").isEqualTo(split(name).statements().size());
    for (int i = 0; i < parsed.size(); i++) {
      assertThat(parsed.get(i).get("text").asText()).isEqualTo(split(name).statements().get(i).text());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void textListingMatchesGoldenFile(String name) throws Exception {
    assertGolden(name + ".txt", SqlListing.text(split(name).statements()));
  }

  private static SplitResult split(String name) throws Exception {
    return SqlSplitter.split(name + ".sql", Files.readString(dir().resolve(name + ".sql"), StandardCharsets.UTF_8));
  }

  private static void assertGolden(String file, String actual) throws Exception {
    Path source = Path.of("src/test/resources/dev/cutter/core/sql/golden").resolve(file);
    if (UPDATE) {
      Files.writeString(source, actual, StandardCharsets.UTF_8);
    }
    Path expected = dir().resolve(file);
    assertThat(Files.exists(expected)).as("golden file %s exists (create it with -Dgolden.update=true)", file).isTrue();
    assertThat(actual).as("output for %s", file).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
  }

  private static Path dir() throws URISyntaxException {
    return Path.of(SplitGoldenTest.class.getResource("golden").toURI());
  }
}
