package dev.cutter.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentifiersTest {

  @Test
  void quotesLikeQuoteIdent() {
    assertThat(Identifiers.quote("runs")).isEqualTo("runs");
    assertThat(Identifiers.quote("Runs")).isEqualTo("\"Runs\"");
    assertThat(Identifiers.quote("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(Identifiers.quote("x; drop table y")).isEqualTo("\"x; drop table y\"");
    assertThat(Identifiers.quote("select")).isEqualTo("\"select\"");
    assertThat(Identifiers.quote("1abc")).isEqualTo("\"1abc\"");
  }

  @Test
  void truncatesTo63BytesOnACharacterBoundary() {
    String name = "é".repeat(40); // 80 bytes
    String t = Identifiers.truncate(name);
    assertThat(t.getBytes(StandardCharsets.UTF_8)).hasSize(62);
    assertThat(Identifiers.truncate("a".repeat(70))).hasSize(63);
    assertThat(Identifiers.truncate("short")).isEqualTo("short");
  }

  @Test
  void searchPathElementsFoldUnlessQuoted() {
    assertThat(SearchPath.elements("\"$user\", Public, \"My \"\"S\"\"\"")).isEqualTo(List.of("$user", "public", "My \"S\""));
    assertThat(SearchPath.elements("")).isEmpty();
  }
}
