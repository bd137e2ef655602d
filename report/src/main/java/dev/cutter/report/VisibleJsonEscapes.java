package dev.cutter.report;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cutter.core.text.YamlText;

/**
 * JSON escapes for the report's JSON and SARIF: a character that hides or reorders text (a bidi
 * control, a zero-width or other format character, a line or paragraph separator) is written as
 * {@code \\uXXXX}, never raw, as the YAML, Markdown and HTML show it; the text reads back the same.
 */
final class VisibleJsonEscapes extends CharacterEscapes {

  private static final long serialVersionUID = 1L;

  private static final int[] ASCII = standardAsciiEscapesForJSON();

  private VisibleJsonEscapes() {}

  /** An indenting JSON mapper that writes hidden characters escaped. */
  static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    m.getFactory().setCharacterEscapes(new VisibleJsonEscapes());
    return m;
  }

  @Override
  public int[] getEscapeCodesForAscii() {
    return ASCII;
  }

  @Override
  public SerializableString getEscapeSequence(int ch) {
    // a surrogate is half of a character written whole; a hidden character is never one
    return !Character.isSurrogate((char) ch) && YamlText.hidden(ch) ? new SerializedString(String.format("\\u%04x", ch))
        : null;
  }
}
