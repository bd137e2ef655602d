package dev.cutter.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link YamlText#visible} and {@link YamlText#visibleKeepingBreaks} look up only the code points
 * that are not printable ASCII: they give what looking every code point up gives, for every
 * UTF-16 unit (lone surrogates included) and supplementary code point, at the start, the middle
 * and the end of a text.
 */
class YamlTextVisibleTest {

  /** The definition: every code point looked up. */
  private static String byEveryCodePoint(String text, boolean keepBreaks) {
    StringBuilder b = new StringBuilder();
    boolean any = false;
    for (int cp : text.codePoints().toArray()) {
      boolean escaped = keepBreaks ? YamlText.hidden(cp) : YamlText.unsafe(cp);
      any |= escaped;
      b.append(escaped ? YamlText.escape(cp) : new String(Character.toChars(cp)));
    }
    return any ? b.toString() : text;
  }

  @Test
  void everyUnitAndSupplementaryCodePointIsEscapedAsLookingEachUpDoes() {
    List<String> pieces = new ArrayList<>();
    for (int c = 0; c <= 0xFFFF; c++) {
      pieces.add(String.valueOf((char) c));
    }
    for (int cp : new int[] {0x1F600, 0xE0001, 0xE0041, 0x1D173, 0x10FFFF, 0x1F3F4}) {
      pieces.add(new String(Character.toChars(cp)));
    }
    pieces.add("\uD83D"); // a lone high surrogate before ASCII
    pieces.add("\uDE00x"); // a lone low surrogate
    for (String p : pieces) {
      for (String text : List.of(p, "ascii " + p, p + " ascii", "a\tb\nc\r" + p + "d")) {
        for (boolean keep : new boolean[] {true, false}) {
          String got = keep ? YamlText.visibleKeepingBreaks(text) : YamlText.visible(text);
          assertThat(got).as("U+%04X keepBreaks=%s", (int) p.charAt(0), keep).isEqualTo(byEveryCodePoint(text, keep));
        }
      }
    }
  }

  @Test
  void printableAsciiAndBreaksStayAsTheyAreAndTheSameStringIsReturned() {
    String ascii = "key: \"value\" # ~!@$%^&*()_+{}|:<>?`-=[]\\;',./\n\tnext\r\n";
    assertThat(YamlText.visibleKeepingBreaks(ascii)).isSameAs(ascii);
    assertThat(YamlText.visible(ascii)).isEqualTo("key: \"value\" # ~!@$%^&*()_+{}|:<>?`-=[]\\;',./\\u000a\\u0009next\\u000d\\u000a");
    assertThat(YamlText.visibleKeepingBreaks("del\u007f")).isEqualTo("del\\u007f");
  }
}
