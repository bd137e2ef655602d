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

  /**
   * R62: as the server splits the value: an unquoted name runs to a comma or whitespace, a double quote inside it is
   * part of the name ({@code p"ub"lic} is one schema, not {@code public}), and only space, tab, newline, carriage
   * return and form feed are whitespace (a unit separator or an em space is part of the name).
   */
  @Test
  void searchPathElementsAreSplitAsTheServerSplitsThem() {
    assertThat(SearchPath.elements("\"$user\", p\"ub\"lic")).isEqualTo(List.of("$user", "p\"ub\"lic"));
    assertThat(SearchPath.elements("pub\u001flic")).isEqualTo(List.of("pub\u001flic"));
    assertThat(SearchPath.elements("pub\u2003lic, s1")).isEqualTo(List.of("pub\u2003lic", "s1"));
    assertThat(SearchPath.elements(" S1 ,\t\"A b\"\n, x")).isEqualTo(List.of("s1", "A b", "x"));
    assertThat(SearchPath.elements("pub lic")).as("refused by the server").isEqualTo(List.of("pub", "lic"));
    assertThat(SearchPath.elements("a,")).as("refused by the server").isEqualTo(List.of("a", ""));
  }
}
