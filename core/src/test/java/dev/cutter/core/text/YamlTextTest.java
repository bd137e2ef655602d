package dev.cutter.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.BaselineBlock;
import dev.cutter.core.catalog.SchemaCounts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The one YAML scalar writer: what it writes reads back as the same string and shows every hidden character. */
class YamlTextTest {

  static final String TROJAN = "app\u202Etxt.exe\u2066\u2069\u200B\u2028end";

  @Test
  void aNameWithBidiControlsAndALineSeparatorIsQuotedWithEveryOneEscaped() {
    String s = YamlText.scalar(TROJAN);

    assertThat(s).isEqualTo("\"app\\u202etxt.exe\\u2066\\u2069\\u200b\\u2028end\"");
    assertThat(new Yaml().<Object>load("k: " + s)).isEqualTo(Map.of("k", TROJAN));
  }

  @Test
  void plainNamesStayPlainAndWordsYamlReadsAsOtherTypesAreQuoted() {
    assertThat(YamlText.scalar("gov_2.x-y")).isEqualTo("gov_2.x-y");
    assertThat(List.of("yes", "null", "Gov", "1a", "")).allSatisfy(w -> assertThat(YamlText.scalar(w)).startsWith("\""));
    assertThat(YamlText.scalar("tab\there \"q\" \\")).isEqualTo("\"tab\\u0009here \\\"q\\\" \\\\\"");
  }

  @Test
  void theBaselineEntryWritesTheSchemaThroughTheSameWriter() {
    String entry = BaselineBlock.entry(new SchemaCounts(TROJAN, Map.of("p", 1), Map.of("r", 1)));

    assertThat(entry).startsWith("- baseline: {schema: " + YamlText.scalar(TROJAN) + ", constraints: {p: 1, ");
    assertThat(entry.codePoints().allMatch(cp -> cp >= 0x20 && cp < 0x7f)).as(entry).isTrue();
    assertThat(new Yaml().<List<Map<String, Map<String, Object>>>>load(entry).get(0).get("baseline").get("schema"))
        .isEqualTo(TROJAN);
  }

  @Test
  void visibleKeepingBreaksLeavesTabsAndLineBreaksAndEscapesTheRest() {
    assertThat(YamlText.visibleKeepingBreaks("a\tb\nc\r\n\u202Ed\u2028\uD83D\uDE00"))
        .isEqualTo("a\tb\nc\r\n\\u202ed\\u2028\uD83D\uDE00");
  }
}
